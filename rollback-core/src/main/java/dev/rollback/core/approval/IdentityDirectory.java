package dev.rollback.core.approval;

import java.util.Set;

/**
 * Who holds which roles: the application's identity provider, as the approval policy sees it. An
 * approval counts only if its person holds its role here at the moment of the decision.
 *
 * <p>Implementations are thread-safe and answer fast (from a cache refreshed in the background, not a
 * network call per question): the executor asks before any side effect. They never return null,
 * and never throw for an unknown person (they return an empty set).
 */
public interface IdentityDirectory {

    /** The role ids {@code person} holds ("technical-lead", "dba"); empty for an unknown person. */
    Set<String> rolesOf(String person);

    /** Whether {@code person} holds {@code role}. */
    default boolean holds(String person, String role) {
        return rolesOf(person).contains(role);
    }
}
