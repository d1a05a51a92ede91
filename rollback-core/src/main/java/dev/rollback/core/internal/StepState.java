package dev.rollback.core.internal;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.Verification;
import dev.rollback.api.report.Attempt;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;

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

    synchronized void attemptEnded(Attempt attempt) {
        attempts.add(attempt);
        currentAttempt = 0;
    }

    /** The attempts so far plus, if one is in flight, that one ending now with {@code outcome}. */
    synchronized List<Attempt> closeAttempts(long nowNanos, dev.rollback.api.report.StepOutcome outcome, String failure) {
        List<Attempt> all = new ArrayList<>(attempts);
        if (currentAttempt > 0) {
            all.add(new Attempt(currentAttempt, currentAttemptStartedAt,
                    java.time.Duration.ofNanos(nowNanos - currentAttemptStartNanos), outcome, java.util.Optional.of(failure)));
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

    synchronized java.util.Optional<String> evidence(String key) {
        return java.util.Optional.ofNullable(evidence.get(key));
    }

    synchronized Map<String, String> evidence() {
        return new LinkedHashMap<>(evidence);
    }
}
