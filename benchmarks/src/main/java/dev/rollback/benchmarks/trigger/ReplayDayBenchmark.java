package dev.rollback.benchmarks.trigger;

import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Replay;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;

/**
 * A what-if replay of one day at 1,000 requests per second (86.4 million requests, 1% failed,
 * latencies 1-21 ms, with a 10-minute error burst) through the runbook's matrix, evaluated every
 * second of trace time: 86,400 evaluations. Events are fed through {@link Replay#request}, so
 * CSV parsing is not part of it.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ReplayDayBenchmark {
    static final long EVENTS = 86_400_000L;

    @Benchmark
    public List<?> replayOneDayAtOneThousandRequestsPerSecond() {
        Replay replay = Replay.of(DecisionMatrix.ofDefaults());
        long start = 1_714_521_600_000L;
        for (long i = 0; i < EVENTS; i++) {
            boolean burst = i >= 43_200_000L && i < 43_800_000L; // 10 minutes of 5% errors at noon
            replay.request(start + i, 1_000 + (i & 1023) * 20, i % (burst ? 20 : 100) != 0);
        }
        return replay.decisions();
    }
}
