package dev.rollback.api.governance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The verdict of an {@link ApprovalPolicy} on a run: granted or not, whether it was
 * pre-authorized by policy (automatic triggers), the approvals it counted, the roles still
 * missing, and an explanation for the report. Immutable.
 *
 * @param granted whether the run may start
 * @param preAuthorized whether policy authorized it without approvals (an automatic trigger)
 * @param policy the name of the policy that decided
 * @param approvals the approvals that counted
 * @param missingRoles the roles still missing, when not granted
 * @param explanation a sentence for the report
 * @param decidedAt when it was decided
 */
public record Authorization(
        boolean granted,
        boolean preAuthorized,
        String policy,
        List<Approval> approvals,
        List<String> missingRoles,
        String explanation,
        Instant decidedAt) {

    /** Validates and copies. */
    public Authorization {
        Objects.requireNonNull(policy, "policy");
        approvals = List.copyOf(approvals);
        missingRoles = List.copyOf(missingRoles);
        Objects.requireNonNull(explanation, "explanation");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (granted && !missingRoles.isEmpty()) {
            throw new IllegalArgumentException("a granted authorization cannot miss roles " + missingRoles);
        }
    }

    /** Granted with no approvals needed. */
    public static Authorization preAuthorized(String policy, String explanation, Instant at) {
        return new Authorization(true, true, policy, List.of(), List.of(), explanation, at);
    }
}
