package dev.rollback.benchmarks.executor;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.micrometer.RollbackMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Executor overhead per no-op step: one operation is one step of a 1,000-step plan, either a
 * chain (each step after the previous: pure scheduling latency) or 1,000 independent steps (the
 * pool kept busy). Includes everything a run does per step: deadline, journal call (to
 * Journal.NONE), events, attempt records and the report. {@code listener}: {@code none}, or
 * {@code metrics} ({@link RollbackMetrics} bound to a {@link SimpleMeterRegistry}: a run counter, a
 * budget gauge, and per step a timer and a summary), measured beside each other in one run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ExecutorOverheadBenchmark {
    static final int STEPS = 1000;

    @Param({"chain", "independent"})
    public String shape;

    @Param({"none", "metrics"})
    public String listener;

    private RollbackExecutor executor;
    private RollbackPlan plan;

    @Setup(Level.Trial)
    public void setUp() {
        RollbackExecutor.Builder builder = RollbackExecutor.builder().parallelism(2);
        if ("metrics".equals(listener)) {
            RollbackMetrics metrics = RollbackMetrics.ofDefaults();
            metrics.bindTo(new SimpleMeterRegistry());
            builder.listener(metrics);
        }
        executor = builder.build();
        RollbackPlan.Builder b =
                RollbackPlan.builder("overhead-" + shape, RecoveryObjectives.stateless(Duration.ofHours(1)));
        for (int i = 0; i < STEPS; i++) {
            RollbackStep step =
                    RollbackStep.builder("s" + i, "c").idempotent(true).build();
            if ("chain".equals(shape) && i > 0) {
                String previous = "s" + (i - 1);
                b.step(step, s -> s.dependsOn(previous));
            } else {
                b.step(step);
            }
        }
        plan = b.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.close();
    }

    @Benchmark
    @OperationsPerInvocation(STEPS)
    public RollbackReport perStep() {
        RollbackReport report = executor.run(plan, RunRequest.drill("benchmark"));
        if (report.outcome() != RunOutcome.SUCCEEDED) {
            throw new IllegalStateException("benchmark run did not succeed: " + report.outcome());
        }
        return report;
    }
}
