package dev.rollback.api.governance;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.internal.Arguments;
import java.time.Instant;
import java.util.Objects;

/**
 * One person's approval of one plan, in one role, at one time, for a reason. Immutable. Person,
 * role and plan name are one non-blank line each (a CR or LF is refused, so a name can never forge
 * a log line); the reason is free text, escaped wherever it is shown.
 *
 * <p>An approval is bound to the plan's {@link RollbackPlan#digest() digest}, not only its name: an
 * approval given for another version of a plan of the same name (another step, dependency, flag or
 * target) does not count. {@link #of} takes both from the plan the approver saw.
 *
 * @param person who approved (an identity from the application's directory)
 * @param role the role they approved in ("technical-lead", "dba")
 * @param planName the plan the approval is for; it counts for no other plan
 * @param planDigest the digest of the plan the approver saw; it counts for no other version of the plan
 * @param givenAt when it was given
 * @param reason why
 */
public record Approval(String person, String role, String planName, String planDigest, Instant givenAt, String reason) {

    /** Validates. */
    public Approval {
        Arguments.requireText(person, "person");
        Arguments.requireText(role, "role");
        Arguments.requireText(planName, "planName");
        Objects.requireNonNull(planDigest, "planDigest");
        Objects.requireNonNull(givenAt, "givenAt");
        Objects.requireNonNull(reason, "reason");
        if (!planDigest.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException(
                    "planDigest must be a plan's digest (64 lowercase hex digits), but was '" + planDigest + "'");
        }
    }

    /** An approval of {@code plan} as it is now (its name and digest). */
    public static Approval of(String person, String role, RollbackPlan plan, Instant givenAt, String reason) {
        Objects.requireNonNull(plan, "plan");
        return new Approval(person, role, plan.name(), plan.digest(), givenAt, reason);
    }
}
