package dev.rollback.core.internal;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.Verification;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.StepOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * The state of one step in one run. Fields written by the worker (start, attempts, evidence,
 * verifications) are guarded by this object's monitor; the status and everything final is written
 * only by the run's coordinator thread.
 */
final class StepState {
    final PlannedStep planned;
    final List<StepState> dependents = new ArrayList<>();
    int unfinishedDependencies;
    StepStatus status = StepStatus.PENDING;
    Future<?> future;
    String reason;

    private long startNanos;
    private Instant startedAt;
    private volatile long deadlineNanos = Long.MAX_VALUE;
    private volatile boolean started;
    private int currentAttempt;
    private long currentAttemptStartNanos;
    private Instant currentAttemptStartedAt;
    private final List<Attempt> attempts = new ArrayList<>();
    private final List<Verification> verifications = new ArrayList<>();
    private final Map<String, String> evidence = new LinkedHashMap<>();
    /** The thread running the current attempt while it runs its action and verifiers; else null. */
    private Thread runner;

    private volatile long lastProgressNanos;
    private volatile String lastProgress;
    /** The attempt the coordinator declared stalled (and interrupted), or 0. */
    private int stalledAttempt;

    long finishNanos;
    List<Attempt> finalAttempts = List.of();

    StepState(PlannedStep planned) {
        this.planned = planned;
        this.unfinishedDependencies = planned.dependsOn().size();
    }

    String id() {
        return planned.id();
    }

    synchronized void markStarted(long nanos, Instant at, long deadline) {
        this.startNanos = nanos;
        this.startedAt = at;
        this.deadlineNanos = deadline;
        this.started = true;
    }

    boolean started() {
        return started;
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    synchronized long startNanos() {
        return startNanos;
    }

    synchronized Instant startedAt() {
        return startedAt;
    }

    synchronized void attemptStarted(int number, long nanos, Instant at) {
        currentAttempt = number;
        currentAttemptStartNanos = nanos;
        currentAttemptStartedAt = at;
    }

    /**
     * The worker's current attempt begins running on {@code thread}: progress counts from
     * {@code nowNanos}, and only now may the coordinator interrupt it for a stall.
     */
    synchronized void runnerEntered(Thread thread, long nowNanos) {
        runner = thread;
        lastProgressNanos = nowNanos;
        lastProgress = null;
    }

    /**
     * The worker's current attempt stopped running (normally or not). Returns whether the
     * coordinator declared it stalled; if so, clears the interrupt it sent, which can no longer
     * arrive once this returns, so the pool thread goes on uninterrupted.
     */
    synchronized boolean runnerLeft(int attempt) {
        runner = null;
        boolean stalled = stalledAttempt == attempt;
        if (stalled) {
            Thread.interrupted();
        }
        return stalled;
    }

    /** The attempt reported progress. Lock-free: called as often as the step does work. */
    void progress(long nowNanos, String what) {
        lastProgress = what;
        lastProgressNanos = nowNanos;
    }

    /** The attempt reached a checkpoint: progress, described as it last was (or as the checkpoint). */
    void checkpointReached(long nowNanos) {
        if (lastProgress == null) {
            lastProgress = "checkpoint reached";
        }
        lastProgressNanos = nowNanos;
    }

    /** What the attempt last said it did, if anything. */
    Optional<String> lastProgress() {
        return Optional.ofNullable(lastProgress);
    }

    synchronized boolean stalled(int attempt) {
        return stalledAttempt == attempt;
    }

    /**
     * Called by the coordinator: if the running attempt has gone {@code stallNanos} without
     * progress, marks it stalled, announces it and interrupts its thread.
     */
    synchronized void interruptIfStalled(long nowNanos, long stallNanos, Consumer<Stall> announce) {
        if (runner == null || stalledAttempt == currentAttempt) {
            return;
        }
        long silent = nowNanos - lastProgressNanos;
        if (silent < stallNanos) {
            return;
        }
        stalledAttempt = currentAttempt;
        // announced under this lock: the worker, which needs it to learn of the stall, cannot
        // report a retry or an end before the stall event is out
        announce.accept(new Stall(currentAttempt, Duration.ofNanos(silent), Optional.ofNullable(lastProgress)));
        runner.interrupt();
    }

    /** An attempt declared stalled: which, how long it was silent, and what it last reported. */
    record Stall(int attempt, Duration silentFor, Optional<String> lastProgress) {}

    synchronized void attemptEnded(Attempt attempt) {
        attempts.add(attempt);
        currentAttempt = 0;
    }

    /** The attempts so far plus, if one is in flight, that one ending now with {@code outcome}. */
    synchronized List<Attempt> closeAttempts(long nowNanos, StepOutcome outcome, String failure) {
        List<Attempt> all = new ArrayList<>(attempts);
        if (currentAttempt > 0) {
            all.add(new Attempt(
                    currentAttempt,
                    currentAttemptStartedAt,
                    Duration.ofNanos(nowNanos - currentAttemptStartNanos),
                    outcome,
                    Optional.of(failure)));
        }
        return List.copyOf(all);
    }

    synchronized void addVerification(Verification v) {
        verifications.add(v);
    }

    synchronized List<Verification> verifications() {
        return List.copyOf(verifications);
    }

    synchronized void putEvidence(String key, String value) {
        evidence.put(key, value);
    }

    synchronized Optional<String> evidence(String key) {
        return Optional.ofNullable(evidence.get(key));
    }

    synchronized Map<String, String> evidence() {
        return new LinkedHashMap<>(evidence);
    }
}
