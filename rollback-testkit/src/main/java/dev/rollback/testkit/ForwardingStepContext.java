package dev.rollback.testkit;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A step context that passes every call to another. A test extends it and overrides one method to
 * change one thing: inject a fault at a point (a {@code progress} that stops a server), or play
 * another run ({@code runId}). Thread-safe when its delegate is.
 */
public class ForwardingStepContext implements StepContext {
    private final StepContext delegate;

    /** Forwards to {@code delegate}. */
    protected ForwardingStepContext(StepContext delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public String runId() {
        return delegate.runId();
    }

    @Override
    public String planName() {
        return delegate.planName();
    }

    @Override
    public String stepId() {
        return delegate.stepId();
    }

    @Override
    public String component() {
        return delegate.component();
    }

    @Override
    public int attempt() {
        return delegate.attempt();
    }

    @Override
    public Instant deadline() {
        return delegate.deadline();
    }

    @Override
    public Duration remaining() {
        return delegate.remaining();
    }

    @Override
    public long fencingToken() {
        return delegate.fencingToken();
    }

    @Override
    public RollbackClock clock() {
        return delegate.clock();
    }

    @Override
    public boolean dryRun() {
        return delegate.dryRun();
    }

    @Override
    public Initiator initiator() {
        return delegate.initiator();
    }

    @Override
    public void evidence(String key, String value) {
        delegate.evidence(key, value);
    }

    @Override
    public Optional<String> evidenceOf(String stepId, String key) {
        return delegate.evidenceOf(stepId, key);
    }

    @Override
    public boolean stopRequested() {
        return delegate.stopRequested();
    }

    @Override
    public void progress(String what) {
        delegate.progress(what);
    }

    @Override
    public void checkpoint() {
        delegate.checkpoint();
    }
}
