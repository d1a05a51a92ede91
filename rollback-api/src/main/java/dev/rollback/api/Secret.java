package dev.rollback.api;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A password, key, token or connection string. Its {@link #toString()} is {@code ***}, so it
 * never reaches a log, a report, a journal or an exception message by accident; only
 * {@link #reveal()} gives the value, to the one call that needs it. Every value wrapped here is
 * also masked by {@link Redaction} wherever it shows up later. Immutable and thread-safe.
 */
public final class Secret {
    /** Takes a value out of the {@link Redaction} registry when the last Secret holding it is gone. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final char[] value;

    private Secret(String value) {
        this.value = value.toCharArray();
        Redaction.register(value);
        CLEANER.register(this, () -> Redaction.release(value));
    }

    /** Wraps a secret value; it must not be empty. */
    public static Secret of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty()) {
            throw new IllegalArgumentException("a secret must not be empty");
        }
        return new Secret(value);
    }

    /**
     * Reads a secret from an environment variable; the error for a missing one names the variable,
     * never a value.
     */
    public static Secret fromEnvironment(String variable) {
        String value = System.getenv(Objects.requireNonNull(variable, "variable"));
        if (value == null || value.isEmpty()) {
            throw new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    "missing credential: environment variable " + variable + " is not set");
        }
        return new Secret(value);
    }

    /** The value, for the one call that needs it. Never log it. */
    public String reveal() {
        return new String(value);
    }

    @Override
    public String toString() {
        return "***";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s
                && MessageDigest.isEqual(
                        new String(value).getBytes(StandardCharsets.UTF_8),
                        new String(s.value).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }
}
