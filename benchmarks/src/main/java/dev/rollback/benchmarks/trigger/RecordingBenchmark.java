package dev.rollback.benchmarks.trigger;

import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.LatencyRecorder;
import dev.rollback.core.trigger.RateRecorder;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Recording one request (1% failures) into the trigger engine (started, with the runbook's
 * matrix), against its peers in the same run: a Resilience4j CircuitBreaker with a TIME_BASED window of 300 s, a bare LongAdder
 * increment (the near limit) and a Micrometer Timer.record (what the application already pays);
 * and, in the same engine, an application's own signals: a custom rate and a custom latency, each
 * watched by a rule (so their windows are live), recorded through their recorders.
 * This class runs them at 1 thread and {@link TwoThreads} at 2, so one JMH run
 * ({@code 'trigger\.RecordingBenchmark'}) measures every recorder at both.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(1)
public class RecordingBenchmark {
    private static final RuntimeException FAILURE = new IllegalStateException("failed request");

    /** The recorders, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Recorders {
        TriggerEngine engine;
        RateRecorder customRate;
        LatencyRecorder customLatency;
        CircuitBreaker circuitBreaker;
        LongAdder adder;
        Timer timer;

        @Setup
        public void setUp() {
            // started, as an application runs it: evaluated every second, and recording through the
            // fast path its slot ticker keeps open (see docs/triggers.md)
            engine = TriggerEngine.builder()
                    .matrix(DecisionMatrix.from(DecisionMatrix.ofDefaults())
                            .addRule(TriggerRule.custom()
                                    .name("payments")
                                    .signal(CustomSignal.rate("payment-failures"))
                                    .above(0.01)
                                    .sustain(Duration.ofMinutes(5))
                                    .action(DecisionMatrix.APPLICATION_ROLLBACK)
                                    .build())
                            .addRule(TriggerRule.custom()
                                    .name("checkout")
                                    .signal(CustomSignal.latency("checkout-latency"))
                                    .above(Duration.ofSeconds(5))
                                    .sustain(Duration.ofMinutes(10))
                                    .action(DecisionMatrix.APPLICATION_ROLLBACK)
                                    .build())
                            .build())
                    .build();
            engine.start();
            customRate = engine.rate("payment-failures");
            customLatency = engine.latency("checkout-latency");
            circuitBreaker = CircuitBreaker.of(
                    "bench",
                    CircuitBreakerConfig.custom()
                            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED)
                            .slidingWindowSize(300)
                            .failureRateThreshold(50)
                            .minimumNumberOfCalls(Integer.MAX_VALUE)
                            .build());
            adder = new LongAdder();
            timer = Timer.builder("http.server.requests").register(new SimpleMeterRegistry());
        }

        @TearDown
        public void tearDown() {
            engine.close();
        }
    }

    /** Each thread's request counter: every hundredth request fails, latencies vary. */
    @State(Scope.Thread)
    public static class Requests {
        int n;

        boolean nextSucceeds() {
            return ++n % 100 != 0;
        }

        long nextLatencyNanos() {
            return 1_000_000L + (n & 1023) * 20_000L; // 1 ms to 21 ms
        }
    }

    @Benchmark
    public void triggerEngine(Recorders r, Requests q) {
        r.engine.recordRequest(q.nextLatencyNanos(), TimeUnit.NANOSECONDS, q.nextSucceeds());
    }

    @Benchmark
    public void customRate(Recorders r, Requests q) {
        r.customRate.record(q.nextSucceeds());
    }

    @Benchmark
    public void customLatency(Recorders r, Requests q) {
        r.customLatency.record(q.nextLatencyNanos(), TimeUnit.NANOSECONDS);
    }

    @Benchmark
    public void circuitBreaker(Recorders r, Requests q) {
        long latency = q.nextLatencyNanos();
        if (q.nextSucceeds()) {
            r.circuitBreaker.onSuccess(latency, TimeUnit.NANOSECONDS);
        } else {
            r.circuitBreaker.onError(latency, TimeUnit.NANOSECONDS, FAILURE);
        }
    }

    @Benchmark
    public void longAdder(Recorders r) {
        r.adder.increment();
    }

    @Benchmark
    public void micrometerTimer(Recorders r, Requests q) {
        r.timer.record(q.nextLatencyNanos(), TimeUnit.NANOSECONDS);
    }

    /** The same recorders, each shared by 2 threads. */
    @Threads(2)
    public static class TwoThreads extends RecordingBenchmark {}
}
