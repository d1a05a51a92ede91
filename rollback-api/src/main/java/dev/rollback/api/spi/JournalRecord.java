package dev.rollback.api.spi;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One transition of a run, written to the {@link Journal} before the action it announces.
 * Immutable. Two records are identical for the journal's retry rule when they are {@code equals}
 * and their data entries come in the same order.
 *
 * @param runId the run
 * @param sequence the record's position in its run, from 0, without gaps or repeats (see {@link Journal})
 * @param type what happened
 * @param at when (wall time); a journal may keep it to the microsecond only
 * @param stepId the step it concerns, if any
 * @param fencingToken the fencing token of the run lock held when it was written (0 if none)
 * @param data the record's content (outcome, attempts, evidence, who, why); never a secret
 */
public record JournalRecord(
        String runId,
        long sequence,
        Type type,
        Instant at,
        Optional<String> stepId,
        long fencingToken,
        Map<String, String> data) {

    /** Validates and copies. */
    public JournalRecord {
        Objects.requireNonNull(runId, "runId");
        if (sequence < 0) {
            throw new IllegalArgumentException("sequence must be >= 0, but was " + sequence);
        }
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(stepId, "stepId");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** What a record announces. */
    public enum Type {
        /** A run was refused before it started (no authorization, lock held elsewhere): who and why. */
        RUN_REFUSED,
        /** A run started: plan, initiator, authorization. */
        RUN_STARTED,
        /** A run was resumed after its process died: when, and which steps were in doubt. */
        RUN_RESUMED,
        /** A decision that triggered or joined a run. */
        DECISION,
        /** An approval was given or counted. */
        APPROVAL,
        /** A step is about to start an attempt (written before its effect). */
        STEP_STARTED,
        /** A step ended: outcome, attempts, evidence. */
        STEP_FINISHED,
        /** A step was skipped, with the reason. */
        STEP_SKIPPED,
        /**
         * The outcome of a step's attempt was indeterminate and the executor settled it by the step's
         * own reading of state: took effect, did not, a repeat is safe, or cannot tell (attempt,
         * verdict, why). Written before whatever the verdict leads to.
         */
        STEP_RECONCILED,
        /** A verification ended. */
        VERIFICATION,
        /** The run was aborted: who and why. */
        RUN_ABORTED,
        /** The run ended: outcome. */
        RUN_FINISHED
    }
}
