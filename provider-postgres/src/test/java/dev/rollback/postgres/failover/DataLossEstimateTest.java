package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class DataLossEstimateTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private static ServerState standby(String received, String replayed, Instant commit, Instant message) {
        return new ServerState(
                "127.0.0.1:5433/postgres",
                "7714987265133377394",
                true,
                OptionalLong.empty(),
                Optional.empty(),
                Optional.ofNullable(received).map(Lsn::parse),
                Optional.ofNullable(replayed).map(Lsn::parse),
                Optional.ofNullable(commit),
                false,
                Optional.ofNullable(message).map(m -> "streaming"),
                Optional.ofNullable(message),
                NOW,
                false);
    }

    private static ServerState primary(String system, String current) {
        return new ServerState(
                "127.0.0.1:5432/postgres",
                system,
                false,
                OptionalLong.of(1),
                Optional.of(Lsn.parse(current)),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                false,
                Optional.empty(),
                Optional.empty(),
                NOW,
                false);
    }

    @Test
    void nothingIsLostWhenTheReplicaHoldsTheFencedPrimarysLastWal() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/3000100", "0/3000000", NOW.minusSeconds(30), null),
                Optional.empty(),
                Optional.of(Lsn.parse("0/3000100")));
        assertThat(e.window()).contains(Duration.ZERO);
        assertThat(e.lagBytes()).hasValue(0);
        assertThat(e.basis()).contains("holds all WAL of the fenced primary (up to 0/3000100)");
    }

    @Test
    void nothingIsLostWhenTheReplicaHoldsAllTheLivePrimaryHasWritten() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", NOW.minusSeconds(90), NOW.minusSeconds(90)),
                Optional.of(primary("7714987265133377394", "0/5000000")),
                Optional.empty());
        assertThat(e.window()).contains(Duration.ZERO);
    }

    @Test
    void aReplicaBehindIsBoundedByItsLastContactTheLaterOfReplayAndReceiverMessage() {
        DataLossEstimate byMessage = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", NOW.minusSeconds(40), NOW.minusMillis(1500)),
                Optional.of(primary("7714987265133377394", "0/5000800")),
                Optional.empty());
        assertThat(byMessage.window()).contains(Duration.ofMillis(1500));
        assertThat(byMessage.lagBytes()).hasValue(0x800);
        assertThat(byMessage.basis())
                .contains("the last message of its WAL receiver")
                .contains("2048 bytes");

        DataLossEstimate byCommit = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", NOW.minusSeconds(4), NOW.minusSeconds(40)),
                Optional.empty(),
                Optional.empty());
        assertThat(byCommit.window()).contains(Duration.ofSeconds(4));
        assertThat(byCommit.basis()).contains("the last transaction it replayed");
        assertThat(byCommit.lagBytes()).isEmpty();
    }

    @Test
    void walReceivedButNotYetReplayedCountsAsHeldBecausePromotionReplaysIt() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/6000000", "0/5000000", NOW.minusSeconds(4), null),
                Optional.of(primary("7714987265133377394", "0/6000000")),
                Optional.empty());
        assertThat(e.window()).contains(Duration.ZERO);
    }

    @Test
    void aPrimaryOfAnotherClusterIsNotAMeasureOfThisReplica() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", NOW.minusSeconds(7), null),
                Optional.of(primary("1111111111111111111", "0/5000000")),
                Optional.empty());
        assertThat(e.window()).contains(Duration.ofSeconds(7));
    }

    @Test
    void aReplicaWithNoContactAtAllCannotBeBounded() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", null, null), Optional.empty(), Optional.of(Lsn.parse("0/6000000")));
        assertThat(e.window()).isEmpty();
        assertThat(e.basis()).startsWith("cannot be bounded").contains("16777216 bytes ahead");
    }

    @Test
    void aContactStampedAfterTheReplicasClockReadsAsZeroNotNegative() {
        DataLossEstimate e = DataLossEstimate.of(
                standby("0/5000000", "0/5000000", NOW.plusMillis(3), null), Optional.empty(), Optional.empty());
        assertThat(e.window()).contains(Duration.ZERO);
    }
}
