package dev.rollback.core.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.api.spi.RunLease;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write-ahead journal of one run and the run lock that guards it: every record carries the
 * next sequence number and the lease's fencing token; a run that finds its lock lost writes nothing
 * more, since a new holder may already be resuming it. Thread-safe: the coordinator and the step
 * workers append concurrently.
 */
final class RunJournal implements StepJournal {
    private static final Logger LOG = LoggerFactory.getLogger(RunJournal.class);

    private final RunContext context;
    private final Journal journal;
    private final Optional<RunLease> lease;
    private final AtomicLong sequence;
    /** Set when the run lock was found lost; from then on the run starts and journals nothing. */
    private volatile RollbackException lockLost;

    RunJournal(RunContext context, Journal journal, Optional<RunLease> lease, long nextSequence) {
        this.context = context;
        this.journal = journal;
        this.lease = lease;
        this.sequence = new AtomicLong(nextSequence);
    }

    /**
     * Appends a record.
     *
     * @throws JournalWriteException when the lock was lost or the journal refused: the effect the
     *     record announces must not happen
     */
    void append(JournalRecord.Type type, Optional<String> stepId, Map<String, String> data) {
        if (journal == Journal.NONE) {
            return;
        }
        RollbackException lost = lockLost;
        if (lost != null) {
            throw new JournalWriteException(lost);
        }
        JournalRecord record = new JournalRecord(
                context.runId(),
                sequence.getAndIncrement(),
                type,
                context.clock().instant(),
                stepId,
                context.fencingToken(),
                data);
        try {
            journal.append(record);
        } catch (RuntimeException e) {
            throw new JournalWriteException(e);
        }
    }

    /**
     * Appends a record that announces no effect (a join, an abort, a verification of the plan);
     * when the journal refuses it, says so in the log with {@code what} and returns false.
     */
    boolean appendOrWarn(JournalRecord.Type type, Optional<String> stepId, Map<String, String> data, String what) {
        try {
            append(type, stepId, data);
            return true;
        } catch (JournalWriteException e) {
            LOG.warn("run {}: the journal refused {}: {}", context.runId(), what, Redaction.describe(e.getCause()));
            return false;
        }
    }

    @Override
    public void attemptStarting(RollbackStep step, int attempt, Instant deadline) {
        checkLease();
        append(
                JournalRecord.Type.STEP_STARTED,
                Optional.of(step.id()),
                RunRecords.stepStarted(step, attempt, deadline));
    }

    @Override
    public void verified(String stepId, Verification verification) {
        append(JournalRecord.Type.VERIFICATION, Optional.of(stepId), RunRecords.verification(verification));
    }

    @Override
    public void reconciled(String stepId, int attempt, Reconciliation reconciliation, String indeterminate) {
        append(
                JournalRecord.Type.STEP_RECONCILED,
                Optional.of(stepId),
                RunRecords.stepReconciled(attempt, reconciliation, indeterminate));
    }

    /**
     * Called before an attempt's start record: a run that no longer holds its run lock (the lock's
     * database session died with a server restart, its lock file was replaced) must not start another
     * effect. The first loss stops the run, and from then on it journals nothing: a stale holder's
     * records (steps skipped, RUN_FINISHED) would end, for good, the run the new holder must resume.
     */
    private void checkLease() {
        if (lockLost == null && lease.isPresent() && !lease.get().isHeld()) {
            leaseLost();
        }
        RollbackException lost = lockLost;
        if (lost != null) {
            throw new JournalWriteException(lost);
        }
    }

    /**
     * Records that the run lock was found lost (by the check before an attempt, or the lease watchdog):
     * from now on the run starts and journals nothing.
     */
    synchronized void leaseLost() {
        if (lockLost != null || lease.isEmpty()) {
            return;
        }
        RollbackException lost = new RollbackException(
                ErrorCode.LOCK_UNAVAILABLE,
                "run '" + context.runId() + "' lost its run lock '"
                        + lease.get().key() + "' (fencing token "
                        + lease.get().fencingToken() + "), so it starts and journals"
                        + " nothing more; resume it: the next holder gets a higher token");
        lockLost = lost;
        LOG.warn("{}", lost.getMessage());
    }

    @Override
    public boolean lockLost() {
        return lockLost != null;
    }

    /** Why no further step may start after a journal write failed (or was withheld). */
    String stopReason() {
        return lockLost != null
                ? "the run lock was lost, so no further step may start"
                : "the journal failed, so no further step may start";
    }

    /**
     * What checking the run's hash chain found ({@link Journal#verify(String)}, whatever the journal's
     * class), for the report; empty when the journal keeps no chain. Never throws: the run has ended
     * and its report must still be delivered, so a store that cannot be read gives a note saying so.
     */
    Optional<String> chainVerification() {
        try {
            return journal.verify(context.runId()).map(JournalVerification::describe);
        } catch (RuntimeException e) {
            return Optional.of("the journal's chain of run '" + context.runId() + "' could not be verified: "
                    + Redaction.describe(e));
        }
    }

    /** Releases the run lock, if one is held; safe to call more than once. */
    void releaseLease() {
        lease.ifPresent(l -> {
            try {
                l.close();
            } catch (RuntimeException e) {
                LOG.warn("run {}: releasing the run lock failed: {}", context.runId(), Redaction.describe(e));
            }
        });
    }
}
