package dev.rollback.integrations;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The application's side of the lockdown's "logins refused except a break-glass role": its sign-in
 * code asks {@link #permits(Collection)} with the roles of the user signing in. The answer comes
 * from the {@value ModeFlagTable#LOGIN_POLICY} flag of a {@link ModeFlagTable}, read on every call
 * (a lockdown takes effect at the next sign-in): {@value #OPEN} or no row lets everyone in; any
 * other value is the one role that may sign in.
 *
 * <p>Immutable and thread-safe. A database it cannot read is an exception, never a silent "open".
 */
public final class LoginGate {
    /** The login policy that lets everyone in. */
    public static final String OPEN = "open";

    private final DataSource dataSource;
    private final ModeFlagTable flags;
    private final Duration timeout;

    private LoginGate(DataSource dataSource, ModeFlagTable flags, Duration timeout) {
        this.dataSource = dataSource;
        this.flags = flags;
        this.timeout = timeout;
    }

    /** A gate reading {@code flags} in {@code dataSource}, each read within {@code timeout}. */
    public static LoginGate of(DataSource dataSource, ModeFlagTable flags, Duration timeout) {
        return new LoginGate(
                Objects.requireNonNull(dataSource, "dataSource"),
                Objects.requireNonNull(flags, "flags"),
                Arguments.requirePositive(timeout, "timeout", Duration.ofMinutes(1)));
    }

    /** The only role that may sign in now, or empty when logins are open. */
    public Optional<String> requiredRole() {
        return flags.read(dataSource, ModeFlagTable.LOGIN_POLICY, timeout).filter(v -> !v.equals(OPEN));
    }

    /** Whether a user with {@code roles} may sign in now. */
    public boolean permits(Collection<String> roles) {
        Objects.requireNonNull(roles, "roles");
        Optional<String> required = requiredRole();
        return required.isEmpty() || roles.contains(required.get());
    }

    @Override
    public String toString() {
        return "LoginGate[" + flags + "]";
    }
}
