package dev.rollback.core.trigger;

import dev.rollback.api.RollbackClock;

/**
 * Records samples of a {@linkplain CustomSignal#gauge(String, String) custom gauge} into its engine,
 * as {@link TriggerEngine#recordMemoryUsage} records memory usage: the latest sample counts, and one
 * older than a rule's window is no data. Get one from {@link TriggerEngine#gauge(String)} once and
 * keep it. Thread-safe.
 */
public final class GaugeRecorder {
    private final CustomSignal signal;
    private final Signals.Gauge gauge;
    private final RollbackClock clock;
    private final double max;

    GaugeRecorder(CustomSignal signal, Signals.Gauge gauge, RollbackClock clock) {
        this.signal = signal;
        this.gauge = gauge;
        this.clock = clock;
        this.max = Signals.maxOf(signal.unit());
    }

    /**
     * Records a sample, in the gauge's unit.
     *
     * @throws IllegalArgumentException if it is not a finite number of at least 0 (at most 100 for
     *     "percent", 1 for "ratio")
     */
    public void record(double value) {
        if (!(value >= 0 && value <= max) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("a sample of " + signal.name() + " must be from 0 to " + max + " "
                    + signal.unit() + ", but was " + value);
        }
        gauge.sample(clock.monotonicNanos(), value);
    }

    /** The signal recorded. */
    public CustomSignal signal() {
        return signal;
    }
}
