package dev.rollback.api;

import java.time.Duration;
import java.time.Instant;

/**
 * Where Rollback reads time: wall time to stamp events and reports, a monotonic source to measure
 * durations and deadlines. The two are kept apart (as Micrometer's {@code Clock} does) so a
 * wall-clock jump never stretches or shrinks a budget.
 *
 * <p>Implementations are thread-safe.
 */
public interface RollbackClock {

    /** The current wall-clock instant. */
    Instant instant();

    /** A monotonic reading in nanoseconds; only differences between two readings mean anything. */
    long monotonicNanos();

    /**
     * Waits for {@code duration} of this clock's time. The system clock sleeps; a test clock may
     * advance itself instead.
     */
    default void sleep(Duration duration) throws InterruptedException {
        if (!duration.isNegative() && !duration.isZero()) {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        }
    }

    /** The system clock: {@link Instant#now()} and {@link System#nanoTime()}. */
    static RollbackClock system() {
        return SystemClock.INSTANCE;
    }
}
