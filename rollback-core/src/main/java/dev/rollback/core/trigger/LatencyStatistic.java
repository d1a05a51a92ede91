package dev.rollback.core.trigger;

import java.util.Locale;

/**
 * Which statistic of the latencies in a window a {@link Signal#RESPONSE_TIME} rule compares with
 * its threshold. Percentiles are nearest-rank (the smallest recorded latency such that at least
 * that share of the window is at or below it), read from a log-bucket histogram whose reported
 * value is within 5% of the true one and whose comparisons with two-significant-digit thresholds
 * (5 s, 2 s, 250 ms) are exact. The mean is exact to the microsecond.
 */
public enum LatencyStatistic {
    /** The median. */
    P50(500),
    /** The 95th percentile; the default. */
    P95(950),
    /** The 99th percentile. */
    P99(990),
    /** The arithmetic mean. */
    MEAN(0);

    private final int perMille;

    LatencyStatistic(int perMille) {
        this.perMille = perMille;
    }

    /** The percentile in thousandths (950 for p95), or 0 for the mean. */
    int perMille() {
        return perMille;
    }

    /** How the statistic is written in a description: "p95" or "mean". */
    String label() {
        return this == MEAN ? "mean" : name().toLowerCase(Locale.ROOT);
    }
}
