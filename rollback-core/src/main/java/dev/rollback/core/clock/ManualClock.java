package dev.rollback.core.clock;

import dev.rollback.api.RollbackClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@link RollbackClock} that moves only when told to, for tests and replays (Micrometer's
 * {@code MockClock} plays the same part). Wall time and monotonic time advance together on
 * {@link #advance(Duration)}; {@link #setInstant(Instant)} moves wall time alone, as an NTP
 * correction would, so tests can prove that budgets ignore wall-clock jumps.
 *
 * <p>{@link #sleep(Duration)} does not block: it advances the clock by the duration, so retry
 * backoffs run instantly and exactly. Thread-safe.
 */
public final class ManualClock implements RollbackClock {
    private Instant instant;
    private long nanos;

    /** A clock at {@code start}, with a monotonic reading of zero. */
    public ManualClock(Instant start) {
        this.instant = Objects.requireNonNull(start, "start");
    }

    /** A clock at {@code start}; reads better at call sites. */
    public static ManualClock startingAt(Instant start) {
        return new ManualClock(start);
    }

    @Override
    public synchronized Instant instant() {
        return instant;
    }

    @Override
    public synchronized long monotonicNanos() {
        return nanos;
    }

    /** Moves wall and monotonic time forward by {@code duration}. */
    public synchronized void advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a monotonic clock cannot go back; duration was " + duration);
        }
        instant = instant.plus(duration);
        nanos += duration.toNanos();
    }

    /** Sets wall time alone (forwards or backwards); monotonic time does not move. */
    public synchronized void setInstant(Instant newInstant) {
        this.instant = Objects.requireNonNull(newInstant, "newInstant");
    }

    /** Advances the clock instead of blocking. */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (!duration.isNegative()) {
            advance(duration);
        }
    }

    @Override
    public String toString() {
        return "ManualClock[" + instant() + "]";
    }
}
