package dev.rollback.examples.drill;

import dev.rollback.api.RollbackClock;
import java.time.Duration;
import java.time.Instant;

/**
 * The drill's accelerated clock. While it replays, time stands still until {@link #advance} moves
 * it (minutes of recorded traffic pass in milliseconds); while it is live, it runs with the system
 * clock, so real steps get real deadlines. Switching keeps time continuous in both directions, so
 * one incident timeline holds both the replayed minutes and the real seconds.
 *
 * <p>Thread-safe.
 */
final class DrillClock implements RollbackClock {
    private Instant frozenAt;
    private long frozenNanos;
    private boolean live;
    private Duration offset = Duration.ZERO;
    private long nanosOffset;

    private DrillClock(Instant start) {
        frozenAt = start;
        frozenNanos = System.nanoTime();
    }

    /** A clock replaying from {@code start}. */
    static DrillClock replayingFrom(Instant start) {
        return new DrillClock(start);
    }

    @Override
    public synchronized Instant instant() {
        return live ? Instant.now().minus(offset) : frozenAt;
    }

    @Override
    public synchronized long monotonicNanos() {
        return live ? System.nanoTime() - nanosOffset : frozenNanos;
    }

    /** Moves replayed time forward. */
    synchronized void advance(Duration d) {
        if (live) {
            throw new IllegalStateException("the clock is live: it cannot be advanced by hand");
        }
        frozenAt = frozenAt.plus(d);
        frozenNanos += d.toNanos();
    }

    /** From now on, time runs with the system clock, from where the replay left it. */
    synchronized void goLive() {
        if (!live) {
            offset = Duration.between(frozenAt, Instant.now());
            nanosOffset = System.nanoTime() - frozenNanos;
            live = true;
        }
    }

    /** From now on, time stands until advanced, from where it is now. */
    synchronized void replay() {
        if (live) {
            frozenAt = instant();
            frozenNanos = monotonicNanos();
            live = false;
        }
    }
}
