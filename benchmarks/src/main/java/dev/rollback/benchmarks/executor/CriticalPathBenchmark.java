package dev.rollback.benchmarks.executor;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A 100-step DAG (seeded) whose steps sleep known durations (5-40 ms). The run's wall time is
 * compared with the plan's critical path (the least any scheduler could take) and with the sum of
 * all durations (what a sequential script takes). Both bounds are printed at setup so the ratio
 * can be read next to the score.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class CriticalPathBenchmark {
    private RollbackExecutor executor;
    private RollbackPlan plan;

    /** The plan's critical path and the sum of its step durations, in milliseconds. */
    public static long[] bounds(RollbackPlan plan, Map<String, Long> sleeps) {
        Map<String, Long> finish = new HashMap<>();
        long sum = 0;
        long critical = 0;
        for (PlannedStep s : plan.steps()) {
            long start = s.dependsOn().stream().mapToLong(finish::get).max().orElse(0);
            long end = start + sleeps.get(s.id());
            finish.put(s.id(), end);
            critical = Math.max(critical, end);
            sum += sleeps.get(s.id());
        }
        return new long[] {critical, sum};
    }

    /** The benchmark's plan and its steps' sleeps. */
    public static RollbackPlan plan(Map<String, Long> sleeps) {
        Random random = new Random(42);
        RollbackPlan.Builder b = RollbackPlan.builder("dag-100", RecoveryObjectives.stateless(Duration.ofMinutes(5)));
        for (int i = 0; i < 100; i++) {
            long ms = 5 + random.nextInt(36);
            String id = "s" + i;
            sleeps.put(id, ms);
            List<String> deps = new ArrayList<>();
            for (int j = Math.max(0, i - 10); j < i; j++) {
                if (random.nextInt(6) == 0) {
                    deps.add("s" + j);
                }
            }
            b.step(
                    RollbackStep.builder(id, "c" + (i % 4))
                            .idempotent(true)
                            .action(ctx -> Thread.sleep(ms))
                            .build(),
                    s -> s.dependsOn(deps.toArray(String[]::new)));
        }
        return b.build();
    }

    @Setup(Level.Trial)
    public void setUp() {
        Map<String, Long> sleeps = new HashMap<>();
        plan = plan(sleeps);
        long[] b = bounds(plan, sleeps);
        System.out.printf("%ncritical path %d ms, sum of all steps %d ms%n", b[0], b[1]);
        // Sleeping steps need no CPU: enough threads that the graph, not the pool, bounds the run.
        executor = RollbackExecutor.builder().parallelism(64).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        executor.close();
    }

    @Benchmark
    public RollbackReport run() {
        RollbackReport report = executor.run(plan, RunRequest.drill("benchmark"));
        if (report.outcome() != RunOutcome.SUCCEEDED) {
            throw new IllegalStateException("benchmark run did not succeed: " + report.outcome());
        }
        return report;
    }
}
