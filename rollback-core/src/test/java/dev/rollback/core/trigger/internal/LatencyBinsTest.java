package dev.rollback.core.trigger.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LatencyBinsTest {

    @Test
    void everyTwoSignificantDigitValueClosesItsBinSoComparisonsWithItAreExact() {
        assertThat(LatencyBins.binOf(5_000_000)).isEqualTo(LatencyBins.binOf(4_900_001));
        assertThat(LatencyBins.binOf(5_000_001)).isEqualTo(LatencyBins.binOf(5_100_000)).isEqualTo(LatencyBins.binOf(5_000_000) + 1);
        assertThat(LatencyBins.midpointMicros(LatencyBins.binOf(5_000_000))).isLessThan(5_000_000);
        assertThat(LatencyBins.midpointMicros(LatencyBins.binOf(5_000_001))).isGreaterThan(5_000_000);
    }

    @Test
    void theMidpointIsWithinFivePercentOfEveryValueInItsBin() {
        for (long micros = 101; micros <= 1_000_000_000L; micros = micros * 101 / 100 + 1) {
            double midpoint = LatencyBins.midpointMicros(LatencyBins.binOf(micros));
            assertThat(Math.abs(midpoint - micros) / micros).as("%d µs", micros).isLessThanOrEqualTo(0.05);
        }
    }

    @Test
    void binsRunFromTheFloorToTheCeilingWithoutGaps() {
        assertThat(LatencyBins.binOf(0)).isZero();
        assertThat(LatencyBins.binOf(100)).isZero();
        assertThat(LatencyBins.binOf(101)).isEqualTo(1);
        assertThat(LatencyBins.binOf(1_000_000_000L)).isEqualTo(LatencyBins.COUNT - 2);
        assertThat(LatencyBins.binOf(Long.MAX_VALUE)).isEqualTo(LatencyBins.COUNT - 1);
        for (long micros = 101; micros < 1_000_000_000L; micros = micros * 11 / 10) {
            int bin = LatencyBins.binOf(micros);
            assertThat(LatencyBins.binOf(micros + 1) - bin).isBetween(0, 1);
        }
    }

    @Test
    void microsecondsRoundUpSoOneNanosecondOverCountsAsOver() {
        assertThat(LatencyBins.microsOf(5_000_000_000L)).isEqualTo(5_000_000);
        assertThat(LatencyBins.microsOf(5_000_000_001L)).isEqualTo(5_000_001);
        assertThat(LatencyBins.microsOf(-3)).isZero();
    }
}
