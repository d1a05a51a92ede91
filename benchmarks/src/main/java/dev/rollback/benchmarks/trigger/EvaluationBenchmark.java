package dev.rollback.benchmarks.trigger;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.TriggerEngine;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One evaluation of the runbook's whole decision matrix, with full 1-minute windows whose
 * latencies spread over four decades (so the histogram merge does real work).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
public class EvaluationBenchmark {
    private TriggerEngine engine;

    @Setup
    public void setUp() {
        ManualClock clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
        engine = TriggerEngine.builder().clock(clock).build();
        fill(engine, clock);
    }

    /** 62 seconds of 1,000 requests each, latencies from 0.1 ms to 1 s, 1% failed; connections, gauges, checks. */
    static void fill(TriggerEngine engine, ManualClock clock) {
        for (int second = 0; second < 62; second++) {
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
            engine.evaluate();
        }
    }

    @Benchmark
    public List<?> evaluatePresetMatrix() {
        return engine.evaluate();
    }
}
