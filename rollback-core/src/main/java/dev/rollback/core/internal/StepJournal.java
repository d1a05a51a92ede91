package dev.rollback.core.internal;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import java.time.Instant;

/**
 * What a step worker may write to its run's journal: the write-ahead record of an attempt and the
 * verifications that ran after it. Nothing else: a worker never ends a step, a run or a lease.
 */
interface StepJournal {

    /**
     * Journals the start of an attempt before its effect, after checking that the run still holds
     * its run lock.
     *
     * @throws JournalWriteException when the lock is lost or the journal refuses: the attempt must not start
     */
    void attemptStarting(RollbackStep step, int attempt, Instant deadline);

    /**
     * Journals a verification of a step.
     *
     * @throws JournalWriteException when the journal refuses
     */
    void verified(String stepId, Verification verification);

    /**
     * Journals how an attempt whose outcome was indeterminate was settled, before whatever the
     * verdict leads to (a success, another attempt, a human decision).
     *
     * @throws JournalWriteException when the journal refuses: the step must not go on
     */
    void reconciled(String stepId, int attempt, Reconciliation reconciliation, String indeterminate);

    /** Whether the run stopped because it lost its run lock. */
    boolean lockLost();
}
