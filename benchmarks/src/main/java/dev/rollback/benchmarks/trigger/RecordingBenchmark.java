package dev.rollback.benchmarks.trigger;

import dev.rollback.core.trigger.TriggerEngine;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Recording one request (1% failures) into the trigger engine, against its peers in the same
 * run: a Resilience4j CircuitBreaker with a TIME_BASED window of 300 s, a bare LongAdder
 * increment (the near limit) and a Micrometer Timer.record (what the application already pays).
 * {@link #main} runs them all at 1 and then 2 threads in one launch.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecordingBenchmark {
    private static final RuntimeException FAILURE = new IllegalStateException("failed request");

    /** The recorders, shared by every benchmark thread. */
    @State(Scope.Benchmark)
    public static class Recorders {
        TriggerEngine engine;
        CircuitBreaker circuitBreaker;
        LongAdder adder;
        Timer timer;

        @Setup
        public void setUp() {
            engine = TriggerEngine.builder().build();
            circuitBreaker = CircuitBreaker.of("bench", CircuitBreakerConfig.custom()
                    .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.TIME_BASED).slidingWindowSize(300)
                    .failureRateThreshold(50).minimumNumberOfCalls(Integer.MAX_VALUE).build());
            adder = new LongAdder();
            timer = Timer.builder("http.server.requests").register(new SimpleMeterRegistry());
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

    /** Runs every recorder at 1 and at 2 threads in one launch; arguments: warmup and measurement seconds. */
    public static void main(String[] args) throws RunnerException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        for (int threads = 1; threads <= 2; threads++) {
            Options options = new OptionsBuilder().include(RecordingBenchmark.class.getName() + "\\.")
                    .threads(threads).forks(1).warmupIterations(2).measurementIterations(3)
                    .warmupTime(org.openjdk.jmh.runner.options.TimeValue.seconds(seconds))
                    .measurementTime(org.openjdk.jmh.runner.options.TimeValue.seconds(seconds)).build();
            new Runner(options).run();
        }
    }

}
