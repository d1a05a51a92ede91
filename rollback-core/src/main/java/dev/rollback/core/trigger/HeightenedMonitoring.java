package dev.rollback.core.trigger;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tighter thresholds for a set time after a rollback (the runbook's "monitoring enhancement"),
 * applied with {@link TriggerEngine#heightenMonitoring(HeightenedMonitoring)}. Each override
 * replaces a rule's threshold (and lowers its clear threshold to match) until
 * {@link #duration()} has passed on the engine's monotonic clock; then the rule's own threshold
 * is back, with nothing to undo.
 *
 * <p>Immutable and thread-safe. Built with {@link #custom()}: {@code
 * HeightenedMonitoring.custom().duration(Duration.ofHours(2)).tighten("error-rate", 0.005).build()}.
 */
public final class HeightenedMonitoring {
    private final Duration duration;
    private final Map<String, Double> thresholds;

    private HeightenedMonitoring(Duration duration, Map<String, Double> thresholds) {
        this.duration = duration;
        this.thresholds = Map.copyOf(thresholds);
    }

    /** A builder; {@link Builder#duration(Duration)} and one {@code tighten} are required. */
    public static Builder custom() {
        return new Builder();
    }

    /** How long the overrides last. */
    public Duration duration() {
        return duration;
    }

    /** The tighter threshold for each rule name, in the rule's unit (seconds for response time). */
    public Map<String, Double> thresholds() {
        return thresholds;
    }

    @Override
    public String toString() {
        return "HeightenedMonitoring[" + thresholds + " for " + Descriptions.duration(duration) + "]";
    }

    /** Builds a {@link HeightenedMonitoring}. Not thread-safe; reusable. */
    public static final class Builder {
        private Duration duration;
        private final Map<String, Double> thresholds = new LinkedHashMap<>();

        private Builder() {}

        /** Required: how long the overrides last; positive. */
        public Builder duration(Duration duration) {
            Objects.requireNonNull(duration, "duration");
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException("duration must be positive, but was " + duration);
            }
            this.duration = duration;
            return this;
        }

        /**
         * Lowers the threshold of the rule named {@code rule} to {@code threshold}, in its unit;
         * the engine checks that the rule exists and that the new threshold is no higher.
         */
        public Builder tighten(String rule, double threshold) {
            Objects.requireNonNull(rule, "rule");
            if (!(threshold >= 0) || Double.isInfinite(threshold)) {
                throw new IllegalArgumentException("threshold for rule '" + rule
                        + "' must be a finite number of at least 0," + " but was " + threshold);
            }
            thresholds.put(rule, threshold);
            return this;
        }

        /** {@link #tighten(String, double)} for a response-time rule. */
        public Builder tighten(String rule, Duration threshold) {
            Objects.requireNonNull(threshold, "threshold");
            return tighten(rule, threshold.toNanos() / 1e9);
        }

        /** Builds. */
        public HeightenedMonitoring build() {
            if (duration == null) {
                throw new IllegalArgumentException("duration is required");
            }
            if (thresholds.isEmpty()) {
                throw new IllegalArgumentException("thresholds must not be empty: call tighten(rule, threshold)");
            }
            return new HeightenedMonitoring(duration, thresholds);
        }
    }
}
