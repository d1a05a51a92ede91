package dev.rollback.testkit;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link StepContext} for calling a step or verifier directly in a test, without an executor:
 * a deadline {@code budget} from now on the given clock, an evidence map the test can read, the
 * evidence of other steps the test provides, and checkpoints that can be made to stop after a
 * number of calls (as an abort between two batches would). Attempt 1, fencing token 0, started by a
 * drill. Thread-safe.
 */
public final class TestStepContext implements StepContext {
    private final String stepId;
    private final Instant deadline;
    private final RollbackClock clock;
    private final Map<String, String> evidence = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> others = new ConcurrentHashMap<>();
    private final AtomicInteger checkpoints = new AtomicInteger();
    private final List<String> progress = new CopyOnWriteArrayList<>();
    private volatile int stopAfterCheckpoints = -1;

    private TestStepContext(String stepId, Duration budget, RollbackClock clock) {
        this.stepId = stepId;
        this.clock = clock;
        this.deadline = clock.instant().plus(budget);
    }

    /** A context for {@code stepId} with {@code budget} left, on the system clock. */
    public static TestStepContext of(String stepId, Duration budget) {
        return new TestStepContext(stepId, budget, RollbackClock.system());
    }

    /** A context on {@code clock}. */
    public static TestStepContext of(String stepId, Duration budget, RollbackClock clock) {
        return new TestStepContext(stepId, budget, clock);
    }

    /** Makes {@code key=value} visible as evidence of another step. */
    public TestStepContext withEvidenceOf(String otherStep, String key, String value) {
        others.computeIfAbsent(otherStep, k -> new ConcurrentHashMap<>()).put(key, value);
        return this;
    }

    /** Makes the checkpoint after the first {@code n} ones throw, as an abort between batches would. */
    public TestStepContext stopAfterCheckpoints(int n) {
        this.stopAfterCheckpoints = n;
        return this;
    }

    /** Everything recorded so far. */
    public Map<String, String> evidence() {
        return Map.copyOf(evidence);
    }

    @Override
    public String runId() {
        return "run-test";
    }

    @Override
    public String planName() {
        return "test-plan";
    }

    @Override
    public String stepId() {
        return stepId;
    }

    @Override
    public String component() {
        return "test";
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
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public long fencingToken() {
        return 0;
    }

    @Override
    public RollbackClock clock() {
        return clock;
    }

    @Override
    public boolean dryRun() {
        return false;
    }

    @Override
    public Initiator initiator() {
        return Initiator.drill("test");
    }

    @Override
    public void evidence(String key, String value) {
        evidence.put(key, value);
    }

    @Override
    public Optional<String> evidenceOf(String step, String key) {
        if (step.equals(stepId)) {
            return Optional.ofNullable(evidence.get(key));
        }
        return Optional.ofNullable(others.getOrDefault(step, Map.of()).get(key));
    }

    /** What the step reported through {@link #progress(String)}, in order. */
    public List<String> progress() {
        return List.copyOf(progress);
    }

    @Override
    public void progress(String what) {
        progress.add(Objects.requireNonNull(what, "what"));
    }

    @Override
    public boolean stopRequested() {
        return remaining().isZero() || (stopAfterCheckpoints >= 0 && checkpoints.get() > stopAfterCheckpoints);
    }

    @Override
    public void checkpoint() {
        checkpoints.incrementAndGet();
        if (stopRequested()) {
            throw new StepInterruptedException("step " + stepId + " passed its deadline");
        }
    }
}
