package dev.rollback.core.trigger;

import dev.rollback.api.RollbackClock;
import dev.rollback.core.trigger.internal.LatencyBins;
import dev.rollback.core.trigger.internal.StripedSlidingWindow;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Records the timings of a {@linkplain CustomSignal#latency(String) custom latency} into its engine,
 * as {@link TriggerEngine#recordRequest} records requests' latencies, into the same log-bucket
 * histogram ({@link LatencyStatistic}): lock-free, allocation-free. Get one from
 * {@link TriggerEngine#latency(String)} once and keep it. Thread-safe.
 */
public final class LatencyRecorder {
    private final CustomSignal signal;
    private final StripedSlidingWindow window;
    private final RollbackClock clock;

    LatencyRecorder(CustomSignal signal, StripedSlidingWindow window, RollbackClock clock) {
        this.signal = signal;
        this.window = window;
        this.clock = clock;
    }

    /** Records one timing of {@code amount} {@code unit}s; negative counts as zero. */
    public void record(long amount, TimeUnit unit) {
        long micros = LatencyBins.microsOf(unit.toNanos(amount));
        window.record(clock, Signals.LATENCY_BINS + LatencyBins.binOf(micros), -1, micros + 1);
    }

    /** Records one timing. */
    public void record(Duration duration) {
        record(duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The signal recorded. */
    public CustomSignal signal() {
        return signal;
    }
}
