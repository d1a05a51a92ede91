package dev.rollback.core.trigger;

import dev.rollback.api.RollbackClock;
import dev.rollback.core.trigger.internal.StripedSlidingWindow;

/**
 * Records the events of a {@linkplain CustomSignal#rate(String) custom rate} into its engine, as
 * {@link TriggerEngine#recordRequest} records requests: lock-free, allocation-free, and (on a started
 * engine on the system clock) without reading the clock. Get one from
 * {@link TriggerEngine#rate(String)} once and keep it. Thread-safe.
 */
public final class RateRecorder {
    private final CustomSignal signal;
    private final StripedSlidingWindow window;
    private final RollbackClock clock;

    RateRecorder(CustomSignal signal, StripedSlidingWindow window, RollbackClock clock) {
        this.signal = signal;
        this.window = window;
        this.clock = clock;
    }

    /** Records one event that succeeded or failed. */
    public void record(boolean success) {
        window.record(clock, success ? -1 : Signals.RATE_FAILURES, -1, 1);
    }

    /** The signal recorded. */
    public CustomSignal signal() {
        return signal;
    }
}
