package dev.rollback.benchmarks.trigger;

import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.GaugeRecorder;
import dev.rollback.core.trigger.LatencyRecorder;
import dev.rollback.core.trigger.RateRecorder;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One evaluation of the runbook's whole decision matrix, with full 1-minute windows whose
 * latencies spread over four decades. {@link #evaluatePresetMatrix} evaluates again at the same
 * instant with nothing new recorded; {@link #evaluatePresetMatrixOneSecondLater} is the steady
 * state of a running engine: before each evaluation (untimed), the clock moves one second and a
 * second of traffic is recorded, so the windows slide by one slot and the slot that received
 * the traffic is read again. {@code signals}: {@code built-in}, the runbook's matrix as it ships;
 * {@code custom}, the same ten rules with the seven on requests, connections, memory and disk moved
 * onto an application's own signals (two custom rates, a custom latency, two custom percent gauges)
 * fed the same traffic through their recorders, so the two are measured side by side.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class EvaluationBenchmark {

    /** An engine with full windows. */
    @State(Scope.Thread)
    public static class Filled {
        @Param({"built-in", "custom"})
        public String signals;

        ManualClock clock;
        TriggerEngine engine;
        Traffic traffic;

        @Setup
        public void setUp() {
            clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
            if ("custom".equals(signals)) {
                engine = TriggerEngine.builder()
                        .clock(clock)
                        .matrix(customMatrix())
                        .build();
                traffic = new CustomTraffic(engine);
            } else {
                engine = TriggerEngine.builder().clock(clock).build();
                traffic = new BuiltInTraffic(engine);
            }
            fill(engine, clock, traffic);
        }
    }

    /** The runbook's matrix with its request, connection, memory and disk rules on custom signals. */
    static DecisionMatrix customMatrix() {
        CustomSignal errors = CustomSignal.rate("checkout-errors");
        CustomSignal latency = CustomSignal.latency("checkout-latency");
        CustomSignal connections = CustomSignal.rate("ledger-connection-failures");
        CustomSignal memory = CustomSignal.gauge("worker-memory", "percent");
        CustomSignal disk = CustomSignal.gauge("worker-disk", "percent");
        return DecisionMatrix.from(DecisionMatrix.ofDefaults())
                .name("custom")
                .configure(DecisionMatrix.ERROR_RATE, r -> r.signal(errors))
                .configure(DecisionMatrix.ERROR_RATE_WARNING, r -> r.signal(errors))
                .configure(DecisionMatrix.RESPONSE_TIME, r -> r.signal(latency))
                .configure(DecisionMatrix.RESPONSE_TIME_WARNING, r -> r.signal(latency))
                .configure(DecisionMatrix.DATABASE_CONNECTION_FAILURES, r -> r.signal(connections))
                .configure(DecisionMatrix.MEMORY_USAGE_WARNING, r -> r.signal(memory))
                .configure(DecisionMatrix.DISK_SPACE_WARNING, r -> r.signal(disk))
                .build();
    }

    /** Where one second of traffic goes. */
    interface Traffic {
        void request(long micros, boolean success);

        void connection(boolean success);

        void gauges(double memory, double disk);
    }

    /** Into the built-in signals. */
    record BuiltInTraffic(TriggerEngine engine) implements Traffic {
        @Override
        public void request(long micros, boolean success) {
            engine.recordRequest(micros, TimeUnit.MICROSECONDS, success);
        }

        @Override
        public void connection(boolean success) {
            engine.recordConnectionAttempt(success);
        }

        @Override
        public void gauges(double memory, double disk) {
            engine.recordMemoryUsage(memory);
            engine.recordDiskSpace(disk);
        }
    }

    /** Into the custom signals of {@link #customMatrix()}, through their recorders. */
    static final class CustomTraffic implements Traffic {
        private final RateRecorder errors;
        private final LatencyRecorder latency;
        private final RateRecorder connections;
        private final GaugeRecorder memory;
        private final GaugeRecorder disk;

        CustomTraffic(TriggerEngine engine) {
            errors = engine.rate("checkout-errors");
            latency = engine.latency("checkout-latency");
            connections = engine.rate("ledger-connection-failures");
            memory = engine.gauge("worker-memory");
            disk = engine.gauge("worker-disk");
        }

        @Override
        public void request(long micros, boolean success) {
            errors.record(success);
            latency.record(micros, TimeUnit.MICROSECONDS);
        }

        @Override
        public void connection(boolean success) {
            connections.record(success);
        }

        @Override
        public void gauges(double memoryPercent, double diskPercent) {
            memory.record(memoryPercent);
            disk.record(diskPercent);
        }
    }

    /** An engine with full windows that receives one more second of traffic before each evaluation. */
    @State(Scope.Thread)
    public static class Running extends Filled {
        @Setup(Level.Invocation)
        public void oneSecondOfTraffic() {
            recordOneSecond(engine, clock, traffic);
        }
    }

    /** 62 seconds of traffic, each evaluated at its end. */
    static void fill(TriggerEngine engine, ManualClock clock, Traffic traffic) {
        for (int second = 0; second < 62; second++) {
            recordOneSecond(engine, clock, traffic);
            engine.evaluate();
        }
    }

    /** 1,000 requests, latencies from 0.1 ms to 1 s, 1% failed; connections, gauges, a check; then the clock moves 1 s. */
    private static void recordOneSecond(TriggerEngine engine, ManualClock clock, Traffic traffic) {
        for (int i = 0; i < 1000; i++) {
            long micros = (long) Math.pow(10, 2 + (i % 400) / 100.0);
            traffic.request(micros, i % 100 != 0);
            if (i % 50 == 0) {
                traffic.connection(i % 200 != 0);
            }
        }
        traffic.gauges(70, 60);
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
