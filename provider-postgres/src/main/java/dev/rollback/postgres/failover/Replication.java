package dev.rollback.postgres.failover;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/** The reads and refusals the failover steps share: reach a server, check a replica can take over. */
final class Replication {
    private Replication() {}

    /** {@code endpoint} with a connect timeout of at most {@code timeout} (and at least the driver's one second). */
    static PostgresEndpoint within(PostgresEndpoint endpoint, Duration timeout) {
        Duration limit = timeout.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : timeout;
        return limit.compareTo(endpoint.connectTimeout()) < 0
                ? endpoint.toBuilder().connectTimeout(limit).build()
                : endpoint;
    }

    /**
     * Reads a server that must answer.
     *
     * @throws RollbackException naming the server: transient when it cannot be reached, a credential
     *     problem for a refused login
     */
    static ServerState read(PostgresEndpoint endpoint, Duration timeout, String what) {
        try {
            return ServerState.read(within(endpoint, timeout));
        } catch (SQLException e) {
            throw Jdbc.failure(what, endpoint.describe(), e);
        }
    }

    /**
     * Reads a server that may be down: empty when it cannot be reached (connection refused or timed
     * out, shutting down, starting up, in crash recovery).
     *
     * @throws RollbackException for anything else, a refused login included: a server that answers but
     *     cannot be read is not "down"
     */
    static Optional<ServerState> readIfReachable(PostgresEndpoint endpoint, Duration timeout, String what) {
        try {
            return Optional.of(ServerState.read(within(endpoint, timeout)));
        } catch (SQLException e) {
            if (unreachable(e)) {
                return Optional.empty();
            }
            throw Jdbc.failure(what, endpoint.describe(), e);
        }
    }

    /** Whether a failure means the server is not there to talk to (class 08, or 57P01-57P03). */
    static boolean unreachable(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P");
    }

    /**
     * Refuses a replica and a primary of different clusters: then the replica is no standby of it.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION}
     */
    static void requireSameCluster(ServerState replica, ServerState primary) {
        if (!replica.systemIdentifier().equals(primary.systemIdentifier())) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "the replica " + replica.where() + " belongs to cluster " + replica.systemIdentifier()
                            + " and the primary " + primary.where() + " to cluster " + primary.systemIdentifier()
                            + ": it is no standby of that primary; nothing was changed");
        }
    }

    /**
     * Checks that a standby can be promoted now within {@code maxDataLoss}: replaying (not paused), and
     * missing at most {@code maxDataLoss} of the old primary's writes.
     *
     * @return the estimate
     * @throws RollbackException naming why it cannot, before any change
     */
    static DataLossEstimate requirePromotable(
            ServerState replica, Optional<ServerState> primary, Optional<Lsn> fencedAt, Duration maxDataLoss) {
        if (replica.replayPaused()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "WAL replay on the replica " + replica.where() + " is paused: it is not replaying, so it would"
                            + " promote behind its primary; resume it (SELECT pg_wal_replay_resume()) first; nothing"
                            + " was changed");
        }
        DataLossEstimate estimate = DataLossEstimate.of(replica, primary, fencedAt);
        if (estimate.window().isEmpty()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "the data a promotion of " + replica.where() + " would lose " + estimate.basis()
                            + "; nothing was changed");
        }
        if (estimate.window().get().compareTo(maxDataLoss) > 0) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "the replica " + replica.where() + " is up to "
                            + estimate.window().get()
                            + " of writes behind (" + estimate.basis() + "), more than the allowed data loss (RPO) of "
                            + maxDataLoss + "; promoting it would lose more than allowed; nothing was changed");
        }
        return estimate;
    }

    /** A one-line description of a failure, redacted. */
    static String describe(Throwable e) {
        return Redaction.describe(e);
    }
}
