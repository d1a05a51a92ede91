package dev.rollback.core;

import dev.rollback.api.Decision;
import dev.rollback.api.Initiator;
import dev.rollback.api.governance.Approval;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Why a run starts: who or what started it, and the approvals collected for it. Immutable.
 *
 * @param initiator who or what started the run
 * @param approvals the approvals collected (checked by the executor's approval policy)
 */
public record RunRequest(Initiator initiator, List<Approval> approvals) {

    /** Validates and copies. */
    public RunRequest {
        Objects.requireNonNull(initiator, "initiator");
        approvals = List.copyOf(approvals);
    }

    /** A run started by a trigger's decision (pre-authorized by policy). */
    public static RunRequest automatic(Decision decision) {
        return new RunRequest(Initiator.automatic(decision), List.of());
    }

    /** A run started by a person, with the approvals collected. */
    public static RunRequest manual(String person, Approval... approvals) {
        return new RunRequest(Initiator.manual(person), List.of(approvals));
    }

    /** A drill started by a scheduler. */
    public static RunRequest drill(String scheduler) {
        return new RunRequest(Initiator.drill(scheduler), List.of());
    }

    /** This request with one more approval. */
    public RunRequest withApproval(Approval approval) {
        List<Approval> more = new ArrayList<>(approvals);
        more.add(Objects.requireNonNull(approval, "approval"));
        return new RunRequest(initiator, more);
    }
}
