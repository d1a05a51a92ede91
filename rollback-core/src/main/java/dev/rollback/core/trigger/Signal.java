package dev.rollback.core.trigger;

import java.util.Locale;

/**
 * What a {@link TriggerRule} watches, in the runbook's words, with the unit its thresholds and
 * observed values are written in. The {@link TriggerEngine} records each built-in one through its own
 * method ({@link TriggerEngine#recordRequest}, {@link TriggerEngine#recordConnectionAttempt}, ...).
 * The three {@code CUSTOM_} constants stand for an application's own signals ({@link CustomSignal}):
 * a rule on one names it in {@link TriggerRule#customSignal()}, and its unit is the custom signal's.
 */
public enum Signal {
    /** The share of failed requests over the rule's window: a ratio in [0, 1] (0.01 is 1%). */
    ERROR_RATE("ratio"),
    /** A latency statistic of requests over the rule's window ({@link LatencyStatistic}), in seconds. */
    RESPONSE_TIME("seconds"),
    /** The share of failed database connection attempts over the rule's window: a ratio in [0, 1]. */
    DATABASE_CONNECTION_FAILURES("ratio"),
    /** The latest memory-usage sample, in percent; a sample older than the rule's window is no data. */
    MEMORY_USAGE("percent"),
    /** The latest disk-space-used sample, in percent; a sample older than the rule's window is no data. */
    DISK_SPACE("percent"),
    /** The number of health checks that failed in a row since the last one that passed. */
    FAILED_HEALTH_CHECKS("count"),
    /** A security breach was detected and not yet cleared: an alarm, 1 while present. */
    SECURITY_BREACH("alarm"),
    /** A data corruption indicator was raised and not yet cleared: an alarm, 1 while present. */
    DATA_CORRUPTION("alarm"),
    /** An application's {@linkplain CustomSignal#rate(String) own rate}: a ratio in [0, 1] over the rule's window. */
    CUSTOM_RATE("ratio"),
    /** An application's {@linkplain CustomSignal#latency(String) own latency}: a statistic, in seconds. */
    CUSTOM_LATENCY("seconds"),
    /** An application's {@linkplain CustomSignal#gauge(String, String) own gauge}: its latest sample, in its unit. */
    CUSTOM_GAUGE("value");

    private final String unit;

    Signal(String unit) {
        this.unit = unit;
    }

    /**
     * The unit of thresholds and observed values: "ratio", "seconds", "percent", "count" or "alarm";
     * "value" for a custom gauge, whose own unit {@link TriggerRule#unit()} gives.
     */
    public String unit() {
        return unit;
    }

    /** Whether this signal is an alarm, which fires at once and has no threshold. */
    public boolean isAlarm() {
        return this == SECURITY_BREACH || this == DATA_CORRUPTION;
    }

    /** Whether this signal is computed over a sliding window of events (and so has a minimum). */
    public boolean isWindowed() {
        return this == ERROR_RATE
                || this == RESPONSE_TIME
                || this == DATABASE_CONNECTION_FAILURES
                || this == CUSTOM_RATE
                || this == CUSTOM_LATENCY;
    }

    /** Whether this stands for an application's own signal ({@link CustomSignal}). */
    public boolean isCustom() {
        return this == CUSTOM_RATE || this == CUSTOM_LATENCY || this == CUSTOM_GAUGE;
    }

    /** The signal's id in configuration files: its name in lower case with '-' for '_' ("error-rate"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
