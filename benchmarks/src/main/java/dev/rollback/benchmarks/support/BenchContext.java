package dev.rollback.benchmarks.support;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A step context for calling a step directly in a benchmark: a generous deadline, evidence kept in a
 * map, progress dropped (a recording context would measure its own list). Thread-safe.
 */
public final class BenchContext implements StepContext {
    private final Instant deadline = Instant.now().plus(Duration.ofHours(1));
    private final Map<String, String> evidence = new ConcurrentHashMap<>();
    private final String stepId;
    private final String component;

    /** A context for step {@code stepId} of {@code component}. */
    public BenchContext(String stepId, String component) {
        this.stepId = stepId;
        this.component = component;
    }

    /** The evidence the step recorded. */
    public Map<String, String> evidence() {
        return evidence;
    }

    @Override
    public String runId() {
        return "bench";
    }

    @Override
    public String planName() {
        return "bench";
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
        return 1;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Duration remaining() {
        return Duration.between(Instant.now(), deadline);
    }

    @Override
    public long fencingToken() {
        return 0;
    }

    @Override
    public RollbackClock clock() {
        return RollbackClock.system();
    }

    @Override
    public boolean dryRun() {
        return false;
    }

    @Override
    public Initiator initiator() {
        return Initiator.drill("benchmark");
    }

    @Override
    public void evidence(String key, String value) {
        evidence.put(key, value);
    }

    @Override
    public Optional<String> evidenceOf(String stepId, String key) {
        return Optional.ofNullable(evidence.get(key));
    }

    @Override
    public boolean stopRequested() {
        return false;
    }

    @Override
    public void progress(String what) {}

    @Override
    public void checkpoint() {}
}
