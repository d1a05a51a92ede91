package dev.rollback.api.governance;

import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * One person's approval of one plan, in one role, at one time, for a reason. Immutable. Person,
 * role and plan name are one non-blank line each (a CR or LF is refused, so a name can never forge
 * a log line); the reason is free text, escaped wherever it is shown.
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
        Arguments.requireText(person, "person");
        Arguments.requireText(role, "role");
        Arguments.requireText(planName, "planName");
        Objects.requireNonNull(givenAt, "givenAt");
        Objects.requireNonNull(reason, "reason");
    }
}
