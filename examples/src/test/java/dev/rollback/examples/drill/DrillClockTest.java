package dev.rollback.examples.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DrillClockTest {
    private final Instant start = Instant.now();
    private final DrillClock clock = DrillClock.replayingFrom(start);

    @Test
    void replayedTimeStandsStillUntilAdvanced() {
        long nanos = clock.monotonicNanos();
        clock.advance(Duration.ofMinutes(6));

        assertThat(clock.instant()).isEqualTo(start.plus(Duration.ofMinutes(6)));
        assertThat(clock.monotonicNanos() - nanos)
                .isEqualTo(Duration.ofMinutes(6).toNanos());
    }

    @Test
    void goingLiveContinuesFromTheReplayedTimeAndRunsWithTheSystemClock() throws Exception {
        clock.advance(Duration.ofMinutes(6));
        Instant replayed = clock.instant();
        long replayedNanos = clock.monotonicNanos();

        clock.goLive();
        Thread.sleep(20);

        assertThat(clock.instant()).isAfter(replayed).isBefore(replayed.plus(Duration.ofMinutes(1)));
        assertThat(clock.monotonicNanos() - replayedNanos)
                .isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
        assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("live");
    }

    @Test
    void replayingAgainFreezesWhereLiveTimeWasAndNeverGoesBack() throws Exception {
        clock.goLive();
        Thread.sleep(5);
        Instant live = clock.instant();

        clock.replay();
        Instant frozen = clock.instant();
        Thread.sleep(5);

        assertThat(frozen).isAfterOrEqualTo(live);
        assertThat(clock.instant()).isEqualTo(frozen);
        clock.advance(Duration.ofMinutes(2));
        assertThat(clock.instant()).isEqualTo(frozen.plus(Duration.ofMinutes(2)));
    }
}
