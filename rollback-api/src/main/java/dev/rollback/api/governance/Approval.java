package dev.rollback.api.governance;

import java.time.Instant;
import java.util.Objects;

/**
 * One person's approval of one plan, in one role, at one time, for a reason. Immutable.
 *
 * @param person who approved (an identity from the application's directory)
 * @param role the role they approved in ("technical-lead", "dba")
 * @param planName the plan the approval is for; it counts for no other plan
 * @param givenAt when it was given
 * @param reason why
 */
public record Approval(String person, String role, String planName, Instant givenAt, String reason) {

    /** Validates. */
    public Approval {
        Objects.requireNonNull(person, "person");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(planName, "planName");
        Objects.requireNonNull(givenAt, "givenAt");
        Objects.requireNonNull(reason, "reason");
        if (person.isBlank() || role.isBlank()) {
            throw new IllegalArgumentException("an approval needs a person and a role");
        }
    }
}
