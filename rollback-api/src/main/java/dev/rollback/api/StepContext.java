package dev.rollback.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running step (or verifier) may know and use: who it is, its deadline and remaining
 * budget, the run it belongs to, the fencing token of the lock that guards the run, the clock,
 * a place to put evidence, and whether the run was asked to stop.
 *
 * <p>One context belongs to one attempt of one step; it is safe to use from the thread that runs
 * the step and from threads that step starts.
 */
public interface StepContext {

    /** The id of the run, unique per run. */
    String runId();

    /** The name of the plan being run. */
    String planName();

    /** The id of the step this context belongs to; {@code "plan"} for plan-level verifiers. */
    String stepId();

    /** The component of the step. */
    String component();

    /** The attempt number, starting at 1. */
    int attempt();

    /** The instant after which this attempt is interrupted. */
    Instant deadline();

    /** How long this attempt has left before its deadline; never negative. */
    Duration remaining();

    /**
     * The fencing token of the run lock held for this run; it only grows between holders, so a
     * resource that remembers the highest token it saw can refuse writes from a stale holder.
     * 0 when the run holds no lock.
     */
    long fencingToken();

    /** The clock every step and verifier must read time from. */
    RollbackClock clock();

    /** Whether this is a dry run: only read-only checks are allowed. */
    boolean dryRun();

    /** Who or what started the run. */
    Initiator initiator();

    /**
     * Records a piece of evidence for this step (what was done, what was seen). Later steps can
     * read it with {@link #evidenceOf(String, String)}. Never put a secret here.
     */
    void evidence(String key, String value);

    /** The evidence a step of this run recorded under {@code key}, if it did. */
    Optional<String> evidenceOf(String stepId, String key);

    /**
     * Records a typed piece of evidence, such as {@link EvidenceKey#RECORDS_LOST} or
     * {@link EvidenceKey#DATA_LOSS_WINDOW}, which the report reads back with the same key.
     */
    default <T> void evidence(EvidenceKey<T> key, T value) {
        evidence(key.name(), key.write(value));
    }

    /** The typed evidence a step of this run recorded under {@code key}, if it did and it reads as one. */
    default <T> Optional<T> evidenceOf(String stepId, EvidenceKey<T> key) {
        return evidenceOf(stepId, key.name()).flatMap(key::read);
    }

    /** Whether the run was aborted, this attempt passed its deadline or it was declared stalled. */
    boolean stopRequested();

    /**
     * Tells the executor this attempt is making progress: a unit of work done, a poll answered,
     * a batch copied. A step placed with a {@link PlannedStep#stallTimeout() stall timeout} that
     * goes that long without calling this (or {@link #checkpoint()}) is declared stalled and
     * interrupted. {@code what} says what was done; it is redacted, and it is what the report shows
     * for a stalled attempt, so keep it short and never put a secret in it. Cheap: call it as
     * often as work gets done.
     */
    void progress(String what);

    /**
     * A safe point: throws {@link StepInterruptedException} if the run was aborted, the deadline
     * passed or the attempt was declared stalled, so long loops can stop cleanly between two units
     * of work. Reaching it counts as progress.
     */
    void checkpoint();
}
