package dev.rollback.api.governance;

import dev.rollback.api.Initiator;
import dev.rollback.api.Policy;
import dev.rollback.api.RollbackPlan;
import java.time.Instant;
import java.util.List;

/**
 * Decides whether a run may start: which roles must have approved it, whether an automatic
 * trigger is pre-authorized, whether approvals have expired. The executor asks it before any
 * side effect and refuses a run it does not grant with an {@link ApprovalRequiredException} that
 * names the missing roles.
 *
 * <p>Implementations are immutable and thread-safe, and never call out to slow systems.
 */
public interface ApprovalPolicy extends Policy {

    /** Decides on a run of {@code plan} started by {@code initiator}, given the approvals collected. */
    Authorization authorize(RollbackPlan plan, Initiator initiator, List<Approval> approvals, Instant now);

    /**
     * A policy that requires nothing: every run is granted and the report says that no approval
     * policy was configured. Fine for drills and tests; production plans should configure one.
     */
    static ApprovalPolicy none() {
        return new ApprovalPolicy() {
            @Override
            public String name() {
                return "none";
            }

            @Override
            public Authorization authorize(
                    RollbackPlan plan, Initiator initiator, List<Approval> approvals, Instant now) {
                return Authorization.preAuthorized(name(), "no approval policy configured: every run is allowed", now);
            }
        };
    }
}
