package dev.rollback.core.trigger.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyBinsTest {

    @Test
    void everyTwoSignificantDigitValueClosesItsBinSoComparisonsWithItAreExact() {
        assertThat(LatencyBins.binOf(5_000_000)).isEqualTo(LatencyBins.binOf(4_900_001));
        assertThat(LatencyBins.binOf(5_000_001))
                .isEqualTo(LatencyBins.binOf(5_100_000))
                .isEqualTo(LatencyBins.binOf(5_000_000) + 1);
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
    void theBinOfEveryValueFollowsTheLayoutsDefinition() {
        // the definition, computed the slow way: decade d holds (10^d, 10^(d+1)] in 90 bins of 10^(d-1)
        for (long micros = 101; micros <= 1_000_000_000L; micros += 1 + micros / 997) {
            int decade = (int) Math.ceil(Math.log10(micros)) - 1;
            long unit = (long) Math.pow(10, decade - 1);
            long digits = (micros + unit - 1) / unit;
            assertThat(LatencyBins.binOf(micros)).as("%d µs", micros).isEqualTo((int)
                    (1 + (decade - 2) * 90 + digits - 11));
        }
        for (long edge = 1_000; edge <= 1_000_000_000L; edge *= 10) { // both sides of every decade's edge
            assertThat(LatencyBins.binOf(edge + 1) - LatencyBins.binOf(edge))
                    .as("after %d µs", edge)
                    .isEqualTo(1);
        }
    }

    @Test
    void microsecondsRoundUpSoOneNanosecondOverCountsAsOver() {
        assertThat(LatencyBins.microsOf(5_000_000_000L)).isEqualTo(5_000_000);
        assertThat(LatencyBins.microsOf(5_000_000_001L)).isEqualTo(5_000_001);
        assertThat(LatencyBins.microsOf(-3)).isZero();
    }
}
