package dev.rollback.testkit;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link RollbackStep} for tests that behaves as told and records each execution:
 *
 * <pre>{@code
 * FakeStep swap = FakeStep.builder("swap", "app-service").failTransiently(2).build(); // fails twice, then succeeds
 * FakeStep stuck = FakeStep.builder("drain", "queue").hang().build();                 // until interrupted
 * ... run ...
 * assertThat(swap.executions()).hasSize(3);
 * }</pre>
 *
 * <p>Thread-safe: executions are recorded under a lock.
 */
public final class FakeStep implements RollbackStep {

    /**
     * One call of {@link #execute(StepContext)}, as the step saw it.
     *
     * @param runId the run
     * @param attempt the attempt number
     * @param fencingToken the fencing token of the run's lock
     * @param startedAt when it started, on the run's clock
     */
    public record Execution(String runId, int attempt, long fencingToken, Instant startedAt) {}

    private enum Behaviour {
        SUCCEED,
        FAIL_TRANSIENTLY,
        FAIL,
        HANG
    }

    private final String id;
    private final String component;
    private final Behaviour behaviour;
    private final int failures;
    private final boolean idempotent;
    private final boolean destructive;
    private final boolean safeguard;
    private final Map<String, String> evidence;
    private final List<Execution> executions = new ArrayList<>();

    private FakeStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.behaviour = b.behaviour;
        this.failures = b.failures;
        this.idempotent = b.idempotent;
        this.destructive = b.destructive;
        this.safeguard = b.safeguard;
        this.evidence = Map.copyOf(b.evidence);
    }

    /** A builder for a step that succeeds at once. */
    public static Builder builder(String id, String component) {
        return new Builder(id, component);
    }

    /** A step that succeeds at once. */
    public static FakeStep succeeding(String id, String component) {
        return builder(id, component).build();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    @Override
    public boolean idempotent() {
        return idempotent;
    }

    @Override
    public boolean destructive() {
        return destructive;
    }

    @Override
    public boolean safeguard() {
        return safeguard;
    }

    @Override
    public void execute(StepContext context) throws Exception {
        int n;
        synchronized (executions) {
            executions.add(new Execution(
                    context.runId(),
                    context.attempt(),
                    context.fencingToken(),
                    context.clock().instant()));
            n = executions.size();
        }
        switch (behaviour) {
            case SUCCEED -> evidence.forEach(context::evidence);
            case FAIL_TRANSIENTLY -> {
                if (n <= failures) {
                    throw new TransientFailureException(
                            "fake transient failure " + n + " of " + failures + " in step " + id, null);
                }
                evidence.forEach(context::evidence);
            }
            case FAIL -> {
                if (n <= failures) {
                    throw new IllegalStateException("fake failure " + n + " of " + failures + " in step " + id);
                }
                evidence.forEach(context::evidence);
            }
            case HANG -> {
                while (true) {
                    Thread.sleep(10_000);
                }
            }
        }
    }

    /** Every execution so far, in order. */
    public List<Execution> executions() {
        synchronized (executions) {
            return List.copyOf(executions);
        }
    }

    /** How many times it was executed. */
    public int executionCount() {
        synchronized (executions) {
            return executions.size();
        }
    }

    @Override
    public String toString() {
        return "FakeStep[" + id + " @ " + component + ", " + behaviour + "]";
    }

    /**
     * Builds a {@link FakeStep}. Not thread-safe; each {@link #build()} returns a new step with no
     * executions and leaves the builder reusable.
     */
    public static final class Builder {
        private final String id;
        private final String component;
        private Behaviour behaviour = Behaviour.SUCCEED;
        private int failures;
        private boolean idempotent;
        private boolean destructive;
        private boolean safeguard;
        private final Map<String, String> evidence = new LinkedHashMap<>();

        private Builder(String id, String component) {
            this.id = Objects.requireNonNull(id, "id");
            this.component = Objects.requireNonNull(component, "component");
        }

        /** Succeeds at every execution (the default). */
        public Builder succeed() {
            return behave(Behaviour.SUCCEED, 0);
        }

        /** Throws a {@link TransientFailureException} the first {@code times} executions, then succeeds. */
        public Builder failTransiently(int times) {
            return behave(Behaviour.FAIL_TRANSIENTLY, requirePositive(times));
        }

        /** Throws a non-transient exception the first {@code times} executions, then succeeds. */
        public Builder fail(int times) {
            return behave(Behaviour.FAIL, requirePositive(times));
        }

        /** Throws a non-transient exception at every execution. */
        public Builder failAlways() {
            return behave(Behaviour.FAIL, Integer.MAX_VALUE);
        }

        /** Blocks until interrupted (then throws {@link InterruptedException}). */
        public Builder hang() {
            return behave(Behaviour.HANG, 0);
        }

        /** Evidence recorded at each successful execution. Default: none. */
        public Builder evidence(String key, String value) {
            evidence.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Whether the step says it is idempotent. Default: no. */
        public Builder idempotent(boolean value) {
            this.idempotent = value;
            return this;
        }

        /** Whether the step says it is destructive. Default: no. */
        public Builder destructive(boolean value) {
            this.destructive = value;
            return this;
        }

        /** Whether the step says it is a safeguard. Default: no. */
        public Builder safeguard(boolean value) {
            this.safeguard = value;
            return this;
        }

        /** A new step with no executions. */
        public FakeStep build() {
            return new FakeStep(this);
        }

        private Builder behave(Behaviour b, int times) {
            this.behaviour = b;
            this.failures = times;
            return this;
        }

        private static int requirePositive(int times) {
            if (times < 1) {
                throw new IllegalArgumentException("times must be >= 1, but was " + times);
            }
            return times;
        }
    }
}
