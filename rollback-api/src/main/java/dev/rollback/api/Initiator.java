package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.util.Objects;
import java.util.Optional;

/**
 * Who or what started a run: an automatic trigger (with its {@link Decision}), a person, or a
 * drill. Immutable.
 *
 * @param kind how the run was started
 * @param principal the person or system that started it ("alice", "trigger-engine")
 * @param decision the decision that triggered it, for automatic runs
 */
public record Initiator(Kind kind, String principal, Optional<Decision> decision) {

    /** Validates. */
    public Initiator {
        Objects.requireNonNull(kind, "kind");
        Arguments.requireText(principal, "principal");
        Objects.requireNonNull(decision, "decision");
        if (kind == Kind.AUTOMATIC && decision.isEmpty()) {
            throw new IllegalArgumentException("an automatic run must carry the decision that triggered it");
        }
    }

    /** A run started by a trigger's decision. */
    public static Initiator automatic(Decision decision) {
        return new Initiator(Kind.AUTOMATIC, "trigger:" + decision.rule(), Optional.of(decision));
    }

    /** A run started by a person. */
    public static Initiator manual(String person) {
        return new Initiator(Kind.MANUAL, person, Optional.empty());
    }

    /** A run started by a person in response to a decision (a manual review that ended in a rollback). */
    public static Initiator manual(String person, Decision decision) {
        return new Initiator(Kind.MANUAL, person, Optional.of(decision));
    }

    /** A scheduled drill (the runbook's monthly rollback drills). */
    public static Initiator drill(String scheduler) {
        return new Initiator(Kind.DRILL, scheduler, Optional.empty());
    }

    /** How a run was started. */
    public enum Kind {
        /** By a trigger policy's decision; pre-authorized by policy. */
        AUTOMATIC,
        /** By a person; needs the approvals its policy requires. */
        MANUAL,
        /** By a drill schedule. */
        DRILL
    }
}
