package dev.rollback.core.internal;

import dev.rollback.api.Initiator;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.event.StepProgress;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@link StepContext} of one attempt of one step (or of a plan verifier, with no state). Its
 * progress reports become {@link StepProgress} events until the worker {@link #close() closes} it when
 * the attempt ends; a report that comes later (from a thread the step left behind) is dropped, so it
 * can neither follow the step's end event nor count as progress of the next attempt.
 */
final class AttemptContext implements StepContext {
    private final RunContext run;
    private final EventDispatcher events;
    private final StepState state;
    private final String stepId;
    private final String component;
    private final int attempt;
    private final long deadlineNanos;
    private volatile boolean closed;

    AttemptContext(
            RunContext run,
            EventDispatcher events,
            StepState state,
            String stepId,
            String component,
            int attempt,
            long deadlineNanos) {
        this.run = run;
        this.events = events;
        this.state = state;
        this.stepId = stepId;
        this.component = component;
        this.attempt = attempt;
        this.deadlineNanos = deadlineNanos;
    }

    @Override
    public String runId() {
        return run.runId();
    }

    @Override
    public String planName() {
        return run.plan().name();
    }

    @Override
    public String stepId() {
        return stepId;
    }

    @Override
    public String component() {
        return component;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Instant deadline() {
        return run.instantOf(deadlineNanos);
    }

    @Override
    public Duration remaining() {
        long left = deadlineNanos - run.clock().monotonicNanos();
        return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
    }

    @Override
    public long fencingToken() {
        return run.fencingToken();
    }

    @Override
    public RollbackClock clock() {
        return run.clock();
    }

    @Override
    public boolean dryRun() {
        return run.dryRun();
    }

    @Override
    public Initiator initiator() {
        return run.initiator();
    }

    @Override
    public void evidence(String key, String value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        if (state != null) {
            state.putEvidence(key, Redaction.redact(value));
        }
    }

    @Override
    public Optional<String> evidenceOf(String otherStepId, String key) {
        return run.evidenceOf(otherStepId, key);
    }

    @Override
    public void progress(String what) {
        Objects.requireNonNull(what, "what");
        if (state != null && !closed) {
            long now = run.clock().monotonicNanos();
            String redacted = Redaction.redact(what);
            state.progress(now, redacted);
            events.emit(new StepProgress(run.runId(), run.instantOf(now), stepId, attempt, redacted));
        }
    }

    /** The attempt ended: later progress reports are dropped. */
    void close() {
        closed = true;
    }

    @Override
    public boolean stopRequested() {
        return run.aborted().getAsBoolean()
                || run.clock().monotonicNanos() >= deadlineNanos
                || Thread.currentThread().isInterrupted()
                || state != null && state.stalled(attempt);
    }

    @Override
    public void checkpoint() {
        if (run.aborted().getAsBoolean()) {
            throw new StepInterruptedException(
                    "step '" + stepId + "' of plan '" + planName() + "' stops: the run was aborted");
        }
        if (state != null && state.stalled(attempt)) {
            throw new StepInterruptedException("step '" + stepId + "' of plan '" + planName() + "' stops: attempt "
                    + attempt + " was declared stalled");
        }
        long now = run.clock().monotonicNanos();
        if (state != null) {
            state.checkpointReached(now);
        }
        if (now >= deadlineNanos || Thread.currentThread().isInterrupted()) {
            throw new StepInterruptedException(
                    "step '" + stepId + "' of plan '" + planName() + "' stops: its deadline " + deadline() + " passed");
        }
    }
}
