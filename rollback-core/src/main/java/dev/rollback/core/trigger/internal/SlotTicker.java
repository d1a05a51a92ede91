package dev.rollback.core.trigger.internal;

import dev.rollback.api.RollbackClock;
import java.time.Duration;
import java.util.List;

/**
 * Lets recording threads skip the clock read that places an event in its slot: for most of every
 * slot it holds the windows' fast path open for that slot, so that a record reads one volatile
 * field instead of the monotonic clock (about 30 ns on a virtual machine, most of what recording
 * costs). It closes the path {@code margin} before the slot ends, so that events near the boundary
 * read the clock and land exactly, and opens it for the next slot once that has begun.
 *
 * <p>Driven by one thread: {@link #tick()} does what is due and returns how long to wait before
 * calling it again. If that thread runs late (descheduled for longer than the margin), events
 * recorded between the slot's end and the late close are counted in the slot before their own; the
 * ticker notices (the clock is past the end when it closes), counts it in {@link #lateCloses()} and
 * reports the lateness, so the error is bounded by and visible as scheduling delay, never silent.
 * Closing (by {@link #stop()}) leaves the windows reading the clock on every record.
 *
 * <p>{@link #tick()} and {@link #stop()} are called by one thread at a time; the counters may be
 * read from any thread.
 */
public final class SlotTicker {
    /** The shortest resolution ticked: below it the margin would be too thin to be worth it. */
    public static final Duration MINIMUM_RESOLUTION = Duration.ofMillis(100);

    private final RollbackClock clock;
    private final long originNanos;
    private final long resolutionNanos;
    private final long marginNanos;
    private final List<StripedSlidingWindow> windows;
    /** The end of the slot the fast path is open for; {@link Long#MIN_VALUE} while closed. */
    private long openUntil = Long.MIN_VALUE;
    // written by the ticking thread only, read by anyone (tests, logs)
    private volatile long opens;
    private volatile long lateCloses;
    private volatile long latestLatenessNanos;

    /**
     * A ticker for windows that share {@code originNanos} and {@code resolution} on {@code clock}.
     *
     * @param resolution the windows' slot length, at least {@link #MINIMUM_RESOLUTION}
     */
    public SlotTicker(RollbackClock clock, long originNanos, Duration resolution, List<StripedSlidingWindow> windows) {
        if (resolution.compareTo(MINIMUM_RESOLUTION) < 0) {
            throw new IllegalArgumentException(
                    "resolution must be at least " + MINIMUM_RESOLUTION + ", but was " + resolution);
        }
        this.clock = clock;
        this.originNanos = originNanos;
        this.resolutionNanos = resolution.toNanos();
        // a twentieth of the slot, at most 50 ms: events in it pay the clock; a close later than that is late
        this.marginNanos = Math.min(resolutionNanos / 20, Duration.ofMillis(50).toNanos());
        this.windows = List.copyOf(windows);
    }

    /**
     * Closes the fast path if its slot is about to end (or ended), opens it for the current slot if
     * enough of that is left, and returns how long to wait before the next call.
     */
    public Duration tick() {
        long now = clock.monotonicNanos();
        if (openUntil != Long.MIN_VALUE && now >= openUntil - marginNanos) {
            windows.forEach(StripedSlidingWindow::closeFastPath);
            if (now >= openUntil) {
                lateCloses++;
                latestLatenessNanos = now - openUntil;
            }
            openUntil = Long.MIN_VALUE;
        }
        long end = originNanos + (Math.max(0, now - originNanos) / resolutionNanos + 1) * resolutionNanos;
        if (openUntil == Long.MIN_VALUE) {
            if (end - now <= marginNanos) {
                return Duration.ofNanos(end - now); // too close to the end: open in the next slot
            }
            windows.forEach(w -> w.openFastPath(now));
            openUntil = end;
            opens++;
        }
        return Duration.ofNanos(Math.max(0, openUntil - marginNanos - now));
    }

    /** Closes the fast path for good (until the next {@link #tick()}). */
    public void stop() {
        windows.forEach(StripedSlidingWindow::closeFastPath);
        openUntil = Long.MIN_VALUE;
    }

    /** How many times the fast path was opened. */
    public long opens() {
        return opens;
    }

    /** How many times the fast path was closed after its slot had already ended. */
    public long lateCloses() {
        return lateCloses;
    }

    /** How late the latest late close was; zero if none was. */
    public Duration latestLateness() {
        return Duration.ofNanos(latestLatenessNanos);
    }

    /** How long before a slot's end the fast path closes. */
    public Duration margin() {
        return Duration.ofNanos(marginNanos);
    }
}
