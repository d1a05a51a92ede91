package dev.rollback.core.approval;

import dev.rollback.api.internal.Arguments;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An {@link IdentityDirectory} held in memory, for tests, examples and small teams whose roster is
 * configuration.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never reads an external system.
 */
public final class InMemoryIdentityDirectory implements IdentityDirectory {
    private final Map<String, Set<String>> roles;

    private InMemoryIdentityDirectory(Builder b) {
        Map<String, Set<String>> copy = new LinkedHashMap<>();
        b.roles.forEach((person, held) -> copy.put(person, Collections.unmodifiableSet(new LinkedHashSet<>(held))));
        this.roles = Collections.unmodifiableMap(copy);
    }

    /** An empty builder. */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public Set<String> rolesOf(String person) {
        return roles.getOrDefault(Objects.requireNonNull(person, "person"), Set.of());
    }

    @Override
    public String toString() {
        return "InMemoryIdentityDirectory[" + roles.size() + " people]";
    }

    /** Builds an {@link InMemoryIdentityDirectory}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<String, Set<String>> roles = new LinkedHashMap<>();

        private Builder() {}

        /** Adds the runbook roles {@code person} holds (to any added before). */
        public Builder addPerson(String person, RunbookRole... held) {
            Objects.requireNonNull(held, "held");
            return addPerson(
                    person,
                    Arrays.stream(held)
                            .map(r -> Objects.requireNonNull(r, "held[]").id())
                            .toArray(String[]::new));
        }

        /** Adds the role ids {@code person} holds (to any added before); none blank. */
        public Builder addPerson(String person, String... roleIds) {
            Arguments.requireText(person, "person");
            Objects.requireNonNull(roleIds, "roleIds");
            Set<String> held = roles.computeIfAbsent(person, p -> new LinkedHashSet<>());
            for (String id : roleIds) {
                held.add(Arguments.requireText(id, "roleIds[]"));
            }
            return this;
        }

        /** Builds the directory. */
        public InMemoryIdentityDirectory build() {
            return new InMemoryIdentityDirectory(this);
        }
    }
}
