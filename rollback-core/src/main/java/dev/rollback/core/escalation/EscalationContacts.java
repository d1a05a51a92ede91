package dev.rollback.core.escalation;

import dev.rollback.api.internal.Arguments;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who to reach for each {@link EscalationRole}: addresses a {@link dev.rollback.api.spi.Notifier}
 * understands (a phone number, an e-mail address, a chat handle). Contacts are configuration,
 * never code: the library ships none.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never validates that an address
 * is reachable.
 */
public final class EscalationContacts {
    private final Map<EscalationRole, List<String>> contacts;

    private EscalationContacts(Builder b) {
        Map<EscalationRole, List<String>> copy = new EnumMap<>(EscalationRole.class);
        b.contacts.forEach((role, addresses) -> copy.put(role, List.copyOf(addresses)));
        this.contacts = Collections.unmodifiableMap(copy);
    }

    /** An empty builder. */
    public static Builder custom() {
        return new Builder();
    }

    /** The addresses for {@code role}, in the order added; empty if none was configured. */
    public List<String> recipients(EscalationRole role) {
        return contacts.getOrDefault(Objects.requireNonNull(role, "role"), List.of());
    }

    @Override
    public String toString() {
        return "EscalationContacts" + contacts.keySet();
    }

    /** Builds {@link EscalationContacts}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<EscalationRole, List<String>> contacts = new EnumMap<>(EscalationRole.class);

        private Builder() {}

        /** Adds an address for {@code role}; not blank. */
        public Builder addContact(EscalationRole role, String address) {
            Objects.requireNonNull(role, "role");
            Arguments.requireText(address, "address");
            contacts.computeIfAbsent(role, r -> new ArrayList<>()).add(address);
            return this;
        }

        /** Adds an address for the role with id {@code roleId} ("on-call-engineer"), as read from configuration. */
        public Builder addContact(String roleId, String address) {
            Arguments.requireText(roleId, "roleId");
            EscalationRole role = EscalationRole.byId(roleId)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "roleId must be one of the runbook's escalation roles (on-call-engineer, technical-lead, ...), but was '"
                                    + roleId + "'"));
            return addContact(role, address);
        }

        /** Builds the contacts. */
        public EscalationContacts build() {
            return new EscalationContacts(this);
        }
    }
}
