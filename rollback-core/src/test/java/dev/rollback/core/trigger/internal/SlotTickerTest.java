package dev.rollback.core.trigger.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackClock;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SlotTickerTest {
    private static final long SECOND = 1_000_000_000L;

    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2024-05-01T00:00:00Z"));
    private final long origin = clock.monotonicNanos();
    private final StripedSlidingWindow window = new StripedSlidingWindow(origin, SECOND, 3, 1, 4);
    private final SlotTicker ticker = new SlotTicker(clock, origin, Duration.ofSeconds(1), List.of(window));

    /** A clock a record must not read while the fast path is open. */
    private final RollbackClock unreadable = new RollbackClock() {
        @Override
        public Instant instant() {
            throw new AssertionError("the wall clock was read");
        }

        @Override
        public long monotonicNanos() {
            throw new AssertionError("the monotonic clock was read");
        }

        @Override
        public void sleep(Duration duration) {
            throw new AssertionError("slept");
        }
    };

    @Test
    void theFastPathIsOpenForMostOfEachSlotAndClosedAroundItsEnd() {
        assertThat(ticker.margin()).isEqualTo(Duration.ofMillis(50));
        clock.advance(Duration.ofMillis(300));
        assertThat(ticker.tick())
                .as("open until 50 ms before the end of slot 0")
                .isEqualTo(Duration.ofMillis(650));
        window.record(unreadable, 1, -1, 5); // no clock read: the fast path holds slot 0

        clock.advance(Duration.ofMillis(650));
        assertThat(ticker.tick()).as("closed; open again when slot 1 begins").isEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(() -> window.record(unreadable, 1, -1, 1)).hasMessageContaining("monotonic clock was read");
        window.record(clock, 1, 2, 3); // near the boundary: placed by the clock, in slot 0

        clock.advance(Duration.ofMillis(50));
        assertThat(ticker.tick()).isEqualTo(Duration.ofMillis(950));
        window.record(unreadable, 1, -1, 11); // slot 1

        assertThat(ticker.opens()).isEqualTo(2);
        assertThat(ticker.lateCloses()).isZero();
        window.update(origin + SECOND + SECOND / 2);
        assertThat(window.sum(0)).containsExactly(5 + 3 + 11, 3, 1);
        window.update(origin + 4 * SECOND);
        assertThat(window.sum(0)).as("slots 1 to 4: slot 0's events left").containsExactly(11, 1, 0);
    }

    @Test
    void aCloseAfterTheSlotEndedIsCountedAndTheCurrentSlotIsOpenedAtOnce() {
        clock.advance(Duration.ofMillis(100));
        ticker.tick(); // open for slot 0, to close at 950 ms
        clock.advance(Duration.ofMillis(2_100)); // the ticking thread was away until 2.2 s

        assertThat(ticker.tick()).as("open for slot 2 until 2.95 s").isEqualTo(Duration.ofMillis(750));
        assertThat(ticker.lateCloses()).isEqualTo(1);
        assertThat(ticker.latestLateness()).isEqualTo(Duration.ofMillis(1_200));
        window.record(unreadable, 1, -1, 7);
        window.update(origin + 5 * SECOND + SECOND / 2);
        assertThat(window.sum(0)).as("slots 2 to 5: the event is in slot 2").containsExactly(7, 1, 0);
    }

    @Test
    void noOpeningWithinTheMarginOfASlotsEndAndNoneAfterStop() {
        clock.advance(Duration.ofMillis(970));
        assertThat(ticker.tick()).as("30 ms left: wait for the next slot").isEqualTo(Duration.ofMillis(30));
        assertThat(ticker.opens()).isZero();
        assertThatThrownBy(() -> window.record(unreadable, 1, -1, 1)).hasMessageContaining("monotonic clock was read");

        clock.advance(Duration.ofMillis(30));
        ticker.tick();
        ticker.stop();
        assertThatThrownBy(() -> window.record(unreadable, 1, -1, 1)).hasMessageContaining("monotonic clock was read");
    }

    @Test
    void resolutionsTooShortToTickAreRefused() {
        assertThatThrownBy(() -> new SlotTicker(clock, origin, Duration.ofMillis(99), List.of(window)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least PT0.1S");
    }
}
