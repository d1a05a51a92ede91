package dev.rollback.core.trigger.internal;

/**
 * The layout of the latency histogram: log-linear bins with two significant decimal digits, in
 * microseconds.
 *
 * <p>Bin 0 holds latencies of at most 100 µs. Above that, each decade {@code (10^d, 10^(d+1)]}
 * is cut into 90 bins of width {@code 10^(d-1)}: (100, 110], (110, 120], ... (990, 1000],
 * (1000, 1100], ... up to 10^9 µs (1,000 s); the last bin holds everything above. Every bin is
 * open below and closed above, so every two-significant-digit value (2 s, 5 s, 250 ms) is a bin
 * boundary and a rule comparing a statistic with such a threshold ({@code p95 > 5 s}) decides
 * exactly as it would on the raw samples. A statistic is reported as the midpoint of its bin:
 * relative error at most 5% (at most 1% between 5 and 10 of any decade, so at most 1% around
 * 5 s).
 *
 * <p>632 bins; finding a bin costs at most nine comparisons and one 32-bit division by a constant
 * (a multiplication), and allocates nothing. Stateless and thread-safe.
 */
public final class LatencyBins {
    /** How many bins a histogram has. */
    public static final int COUNT = 1 + 7 * 90 + 1;

    private static final long FLOOR_MICROS = 100;
    private static final long CEILING_MICROS = 1_000_000_000L;
    private static final long[] POWERS_OF_TEN = {
        1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L, 1_000_000_000L
    };

    private LatencyBins() {}

    /** The bin that holds a latency of {@code micros} microseconds (negative counts as zero). */
    public static int binOf(long micros) {
        if (micros <= FLOOR_MICROS) {
            return 0;
        }
        if (micros > CEILING_MICROS) {
            return COUNT - 1;
        }
        // bin = 1 + (decade - 2) * 90 + digits - 11, digits = ceil(micros / 10^(decade - 1)) in (10, 100];
        // one branch per decade so that every divisor is a constant, which compiles to a multiplication
        int m = (int) micros;
        if (m <= 1_000) {
            return (m + 9) / 10 - 10;
        }
        if (m <= 10_000) {
            return 80 + (m + 99) / 100;
        }
        if (m <= 100_000) {
            return 170 + (m + 999) / 1_000;
        }
        if (m <= 1_000_000) {
            return 260 + (m + 9_999) / 10_000;
        }
        if (m <= 10_000_000) {
            return 350 + (m + 99_999) / 100_000;
        }
        if (m <= 100_000_000) {
            return 440 + (m + 999_999) / 1_000_000;
        }
        return 530 + (m + 9_999_999) / 10_000_000; // m + 10^7 - 1 < 2^31
    }

    /** The latency, in microseconds, that stands for every sample in {@code bin}: its midpoint. */
    public static double midpointMicros(int bin) {
        if (bin == 0) {
            return FLOOR_MICROS / 2.0;
        }
        if (bin == COUNT - 1) {
            return CEILING_MICROS;
        }
        int decade = 2 + (bin - 1) / 90;
        long digits = 11 + (bin - 1) % 90;
        long unit = POWERS_OF_TEN[decade - 1];
        return (digits - 0.5) * unit;
    }

    /** Microseconds from nanoseconds, rounded up so that 5 s plus 1 ns is above 5 s. */
    public static long microsOf(long nanos) {
        return nanos <= 0 ? 0 : (nanos + 999) / 1000;
    }
}
