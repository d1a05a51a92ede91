package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import dev.rollback.core.clock.ManualClock;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * What-if: plays a recorded trace through a {@link TriggerEngine} on a {@link ManualClock} and
 * lists the decisions it would have taken, and when, so a team can tune its thresholds on last
 * month's traffic before trusting them. The engine, windows and rules are the production ones;
 * only the clock is virtual. The clock starts at the first event and evaluates at every
 * evaluation interval of trace time, before the events of that instant.
 *
 * <p>Events are given in time order, either one by one ({@link #request}, with epoch
 * milliseconds: primitives, because a day of traffic is 86 million events) or as a CSV trace
 * ({@link #csv(DecisionMatrix, Reader)}, format in docs/triggers.md). Single-use and not
 * thread-safe; it never reads the system clock and never sleeps.
 */
public final class Replay {
    private final DecisionMatrix matrix;
    private final long intervalMillis;
    private final List<Decision> decisions = new ArrayList<>();
    private ManualClock clock;
    private TriggerEngine engine;
    private long nowMillis;
    private long nextEvaluationMillis;

    private Replay(DecisionMatrix matrix, Duration evaluationInterval) {
        this.matrix = Objects.requireNonNull(matrix, "matrix");
        Objects.requireNonNull(evaluationInterval, "evaluationInterval");
        if (evaluationInterval.toMillis() < 1
                || !evaluationInterval.equals(Duration.ofMillis(evaluationInterval.toMillis()))) {
            throw new IllegalArgumentException(
                    "evaluationInterval must be a positive whole number of milliseconds, but was "
                            + evaluationInterval);
        }
        this.intervalMillis = evaluationInterval.toMillis();
    }

    /** A replay of {@code matrix}, evaluated every second of trace time. */
    public static Replay of(DecisionMatrix matrix) {
        return new Replay(matrix, Duration.ofSeconds(1));
    }

    /** A replay of {@code matrix}, evaluated every {@code evaluationInterval} (whole milliseconds) of trace time. */
    public static Replay of(DecisionMatrix matrix, Duration evaluationInterval) {
        return new Replay(matrix, evaluationInterval);
    }

    /**
     * Plays a CSV trace through {@code matrix} and returns the decisions.
     *
     * @throws IllegalArgumentException naming the line and column of the first bad cell
     * @throws IOException if the reader fails
     */
    public static List<Decision> csv(DecisionMatrix matrix, Reader csv) throws IOException {
        Replay replay = of(matrix);
        TraceCsv.play(Objects.requireNonNull(csv, "csv"), replay);
        return replay.decisions();
    }

    /** A request at {@code epochMilli} that took {@code latencyMicros} and succeeded or failed. */
    public void request(long epochMilli, long latencyMicros, boolean success) {
        advanceTo(epochMilli).recordRequest(latencyMicros, TimeUnit.MICROSECONDS, success);
    }

    /** A database connection attempt at {@code epochMilli}. */
    public void connectionAttempt(long epochMilli, boolean succeeded) {
        advanceTo(epochMilli).recordConnectionAttempt(succeeded);
    }

    /** A health check at {@code epochMilli}. */
    public void healthCheck(long epochMilli, boolean passed) {
        advanceTo(epochMilli).recordHealthCheck(passed);
    }

    /** A memory-usage sample, in percent, at {@code epochMilli}. */
    public void memoryUsage(long epochMilli, double percent) {
        advanceTo(epochMilli).recordMemoryUsage(percent);
    }

    /** A disk-space-used sample, in percent, at {@code epochMilli}. */
    public void diskSpace(long epochMilli, double percent) {
        advanceTo(epochMilli).recordDiskSpace(percent);
    }

    /** The decisions taken so far, in order, each stamped with its trace time. */
    public List<Decision> decisions() {
        return List.copyOf(decisions);
    }

    private TriggerEngine advanceTo(long epochMilli) {
        if (engine == null) {
            clock = ManualClock.startingAt(Instant.ofEpochMilli(epochMilli));
            engine = TriggerEngine.builder().matrix(matrix).clock(clock).build();
            nowMillis = epochMilli;
            nextEvaluationMillis = epochMilli + intervalMillis;
            return engine;
        }
        if (epochMilli < nowMillis) {
            throw new IllegalArgumentException("events must come in time order, but " + Instant.ofEpochMilli(epochMilli)
                    + " came after " + Instant.ofEpochMilli(nowMillis));
        }
        while (nextEvaluationMillis <= epochMilli) {
            moveTo(nextEvaluationMillis);
            decisions.addAll(engine.evaluate());
            nextEvaluationMillis += intervalMillis;
        }
        moveTo(epochMilli);
        return engine;
    }

    private void moveTo(long epochMilli) {
        if (epochMilli > nowMillis) {
            clock.advance(Duration.ofMillis(epochMilli - nowMillis));
            nowMillis = epochMilli;
        }
    }
}
