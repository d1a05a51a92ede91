package dev.rollback.core.trigger;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An application's own signal, beside the built-in ones ({@link Signal}), as progressive-delivery
 * tools let users bring their own metrics: a named {@linkplain #rate(String) rate} (the share of
 * events that failed: payments declined, jobs failed), {@linkplain #latency(String) latency} (how long
 * something took: checkout, a queue's wait) or {@linkplain #gauge(String, String) gauge} (the latest
 * sample of a value: queue depth, replication lag). Rules are written on it with
 * {@link TriggerRule.Builder#signal(CustomSignal)} exactly as on a built-in signal (thresholds,
 * windows, sustain, k of n, hysteresis), and an application records it through the recorder the
 * {@link TriggerEngine} hands out for its name ({@link TriggerEngine#rate(String)},
 * {@link TriggerEngine#latency(String)}, {@link TriggerEngine#gauge(String)}).
 *
 * <p>Rates and latencies are kept in the same striped sliding windows as requests (lock-free,
 * allocation-free recording; see docs/triggers.md); a gauge as its latest sample, like memory
 * usage. Immutable and thread-safe; equal when name, kind and unit are.
 */
public final class CustomSignal {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String name;
    private final Kind kind;
    private final String unit;

    private CustomSignal(String name, Kind kind, String unit) {
        this.name = requireName(name);
        this.kind = kind;
        this.unit = unit;
    }

    /** What a custom signal measures. */
    public enum Kind {
        /** The share of events that failed over a rule's window: a ratio in [0, 1]. */
        RATE(Signal.CUSTOM_RATE),
        /** A latency statistic ({@link LatencyStatistic}) of timed events over a rule's window, in seconds. */
        LATENCY(Signal.CUSTOM_LATENCY),
        /** The latest sample of a value; a sample older than a rule's window is no data. */
        GAUGE(Signal.CUSTOM_GAUGE);

        private final Signal signal;

        Kind(Signal signal) {
            this.signal = signal;
        }

        /** The signal a rule on a custom signal of this kind watches. */
        public Signal signal() {
            return signal;
        }
    }

    /**
     * A rate: the share of events recorded as failed, a ratio in [0, 1] ("payment-failures").
     *
     * @throws IllegalArgumentException if the name is not 1-128 letters, digits, '.', '-', '_', or is a
     *     built-in signal's name
     */
    public static CustomSignal rate(String name) {
        return new CustomSignal(name, Kind.RATE, "ratio");
    }

    /** A latency, in seconds ("checkout-latency"); rules pick a statistic (p50, p95, p99, mean). */
    public static CustomSignal latency(String name) {
        return new CustomSignal(name, Kind.LATENCY, "seconds");
    }

    /**
     * A gauge ("queue-depth") whose samples are in {@code unit}: "percent" bounds thresholds to
     * [0, 100] and "ratio" to [0, 1]; any other unit ("messages", "seconds") leaves them open and is
     * written after values in decisions.
     */
    public static CustomSignal gauge(String name, String unit) {
        Objects.requireNonNull(unit, "unit");
        if (!unit.matches("[A-Za-z][A-Za-z0-9 _/-]{0,31}")) {
            throw new IllegalArgumentException(
                    "unit must be 1-32 letters, digits, ' ', '_', '/' or '-' starting with a letter, but was '" + unit
                            + "'");
        }
        return new CustomSignal(name, Kind.GAUGE, unit);
    }

    /** The signal's name, as rules and recorders name it. */
    public String name() {
        return name;
    }

    /** Rate, latency or gauge. */
    public Kind kind() {
        return kind;
    }

    /** The unit of thresholds and observed values: "ratio" (rates), "seconds" (latencies) or the gauge's. */
    public String unit() {
        return unit;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CustomSignal c && c.name.equals(name) && c.kind == kind && c.unit.equals(unit);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, unit);
    }

    @Override
    public String toString() {
        return "CustomSignal[" + name + ", " + kind + ", " + unit + "]";
    }

    private static String requireName(String name) {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name must be 1-128 letters, digits, '.', '-' or '_' starting with"
                    + " a letter or digit, but was '" + name + "'");
        }
        if (Arrays.stream(Signal.values()).anyMatch(s -> s.id().equals(name.toLowerCase(Locale.ROOT)))) {
            throw new IllegalArgumentException(
                    "name must not be a built-in signal's, but was '" + name + "'; call it something of your own");
        }
        return name;
    }
}
