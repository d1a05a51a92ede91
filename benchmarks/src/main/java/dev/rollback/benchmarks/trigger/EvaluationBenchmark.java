package dev.rollback.benchmarks.trigger;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.TriggerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One evaluation of the runbook's whole decision matrix, with full 1-minute windows whose
 * latencies spread over four decades. {@link #evaluatePresetMatrix} evaluates again at the same
 * instant with nothing new recorded; {@link #evaluatePresetMatrixOneSecondLater} is the steady
 * state of a running engine: before each evaluation (untimed), the clock moves one second and a
 * second of traffic is recorded, so the windows slide by one slot and the slot that received
 * the traffic is read again.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EvaluationBenchmark {

    /** An engine with full windows. */
    @State(Scope.Thread)
    public static class Filled {
        ManualClock clock;
        TriggerEngine engine;

        @Setup
        public void setUp() {
            clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
            engine = TriggerEngine.builder().clock(clock).build();
            fill(engine, clock);
        }
    }

    /** An engine with full windows that receives one more second of traffic before each evaluation. */
    @State(Scope.Thread)
    public static class Running extends Filled {
        @Setup(Level.Invocation)
        public void oneSecondOfTraffic() {
            recordOneSecond(engine, clock);
        }
    }

    /** 62 seconds of traffic, each evaluated at its end. */
    static void fill(TriggerEngine engine, ManualClock clock) {
        for (int second = 0; second < 62; second++) {
            recordOneSecond(engine, clock);
            engine.evaluate();
        }
    }

    /** 1,000 requests, latencies from 0.1 ms to 1 s, 1% failed; connections, gauges, a check; then the clock moves 1 s. */
    private static void recordOneSecond(TriggerEngine engine, ManualClock clock) {
        for (int i = 0; i < 1000; i++) {
            long micros = (long) Math.pow(10, 2 + (i % 400) / 100.0);
            engine.recordRequest(micros, TimeUnit.MICROSECONDS, i % 100 != 0);
            if (i % 50 == 0) {
                engine.recordConnectionAttempt(i % 200 != 0);
            }
        }
        engine.recordMemoryUsage(70);
        engine.recordDiskSpace(60);
        engine.recordHealthCheck(true);
        clock.advance(Duration.ofSeconds(1));
    }

    @Benchmark
    public List<?> evaluatePresetMatrix(Filled filled) {
        return filled.engine.evaluate();
    }

    @Benchmark
    public List<?> evaluatePresetMatrixOneSecondLater(Running running) {
        return running.engine.evaluate();
    }
}
