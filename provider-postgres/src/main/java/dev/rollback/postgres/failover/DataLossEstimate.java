package dev.rollback.postgres.failover;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How much a promotion of a standby would lose, measured from replication: the window of writes the
 * old primary may have committed that the standby does not hold. Pure: computed from what
 * {@link ServerState} read. Immutable.
 *
 * <ul>
 *   <li>Zero when the standby holds (has received or replayed) all the WAL of the old primary: up to
 *       the position the fence read after it stopped the old primary's writes, or, without a fence, up
 *       to the old primary's current position.
 *   <li>Otherwise an upper bound: the writes lost are those committed after the standby's last
 *       contact with the primary, the later of the commit time of the last transaction it replayed
 *       and the send time of the last message its WAL receiver got (WAL is sent in order, and a
 *       keepalive only when nothing is pending), so the window is at most the standby's clock now
 *       minus that contact. Both times are the primary's clock; clock skew between the two hosts adds
 *       to or takes from it.
 *   <li>Unknown when the standby has neither (no transaction replayed since it started, and no WAL
 *       receiver): a promotion is then refused.
 * </ul>
 *
 * @param window the data-loss window, empty when it cannot be bounded
 * @param basis how it was measured, for evidence
 * @param lagBytes the WAL the standby lacks, when the old primary's position is known
 */
record DataLossEstimate(Optional<Duration> window, String basis, OptionalLong lagBytes) {

    static DataLossEstimate of(ServerState replica, Optional<ServerState> primary, Optional<Lsn> fencedAt) {
        Optional<Lsn> held = replica.heldLsn();
        OptionalLong lag = OptionalLong.empty();
        if (fencedAt.isPresent() && held.isPresent()) {
            if (held.get().compareTo(fencedAt.get()) >= 0) {
                return new DataLossEstimate(
                        Optional.of(Duration.ZERO),
                        "the replica holds all WAL of the fenced primary (up to " + fencedAt.get() + ")",
                        OptionalLong.of(0));
            }
            lag = OptionalLong.of(fencedAt.get().bytesAfter(held.get()));
        } else if (primary.isPresent()
                && !primary.get().inRecovery()
                && primary.get().systemIdentifier().equals(replica.systemIdentifier())
                && primary.get().currentLsn().isPresent()
                && held.isPresent()) {
            Lsn current = primary.get().currentLsn().get();
            if (held.get().compareTo(current) >= 0) {
                return new DataLossEstimate(
                        Optional.of(Duration.ZERO),
                        "the replica holds all WAL the primary has written (up to " + current + ")",
                        OptionalLong.of(0));
            }
            lag = OptionalLong.of(current.bytesAfter(held.get()));
        }
        Optional<Instant> contact = later(replica.lastReplayedCommit(), replica.lastMessageSent());
        if (contact.isEmpty()) {
            return new DataLossEstimate(
                    Optional.empty(),
                    "cannot be bounded: the replica has replayed no transaction since it started and has no WAL"
                            + " receiver, and the primary's WAL position is "
                            + (lag.isPresent() ? lag.getAsLong() + " bytes ahead" : "unknown"),
                    lag);
        }
        Duration window = Duration.between(contact.get(), replica.serverTime());
        if (window.isNegative()) {
            window = Duration.ZERO;
        }
        String which = replica.lastMessageSent().equals(contact)
                ? "the last message of its WAL receiver"
                : "the last transaction it replayed";
        return new DataLossEstimate(
                Optional.of(window),
                "writes the primary committed after the replica's last contact at " + contact.get() + " (" + which
                        + ") may be missing"
                        + (lag.isPresent() ? "; it lacks " + lag.getAsLong() + " bytes of WAL" : ""),
                lag);
    }

    private static Optional<Instant> later(Optional<Instant> a, Optional<Instant> b) {
        if (a.isEmpty()) {
            return b;
        }
        if (b.isEmpty()) {
            return a;
        }
        return a.get().isAfter(b.get()) ? a : b;
    }
}
