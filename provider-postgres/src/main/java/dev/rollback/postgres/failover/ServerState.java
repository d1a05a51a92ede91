package dev.rollback.postgres.failover;

import dev.rollback.postgres.PostgresEndpoint;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the failover steps read of one PostgreSQL server, in one query: whether it is a primary or a
 * standby, which cluster it belongs to ({@code system_identifier}, the same on a primary and every
 * standby made from it), its timeline (on a primary), its WAL positions, and how its replication
 * stands. Immutable.
 *
 * @param where "host:port/database", for messages
 * @param systemIdentifier the cluster's system identifier
 * @param inRecovery whether it is a standby (in recovery)
 * @param timeline its timeline, on a primary ({@code pg_walfile_name(pg_current_wal_lsn())}: exact
 *     right after a promotion, unlike the checkpoint's); empty on a standby
 * @param currentLsn its WAL insert position, on a primary
 * @param receiveLsn the last WAL position received by streaming, on a standby (or after one was promoted)
 * @param replayLsn the last WAL position replayed; after a promotion it stays at the last record
 *     replayed in recovery: the point the new timeline forked from
 * @param lastReplayedCommit the commit time (on the primary's clock) of the last transaction replayed
 * @param replayPaused whether replay is paused ({@code pg_get_wal_replay_pause_state()} is not
 *     {@code not paused})
 * @param receiverStatus the WAL receiver's status ({@code streaming}, ...); empty when none runs
 * @param lastMessageSent when the primary sent the last message the WAL receiver got (primary's clock)
 * @param serverTime the server's {@code clock_timestamp()} when it answered
 * @param readOnlyByDefault whether {@code default_transaction_read_only} is on for new sessions
 */
record ServerState(
        String where,
        String systemIdentifier,
        boolean inRecovery,
        OptionalLong timeline,
        Optional<Lsn> currentLsn,
        Optional<Lsn> receiveLsn,
        Optional<Lsn> replayLsn,
        Optional<Instant> lastReplayedCommit,
        boolean replayPaused,
        Optional<String> receiverStatus,
        Optional<Instant> lastMessageSent,
        Instant serverTime,
        boolean readOnlyByDefault) {

    /** The query; the CASEs keep functions that fail in (or out of) recovery from running there. */
    static final String QUERY = "SELECT pg_is_in_recovery(),"
            + " (SELECT system_identifier::text FROM pg_control_system()),"
            + " CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn()::text END,"
            + " CASE WHEN pg_is_in_recovery() THEN NULL"
            + " ELSE substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8) END,"
            + " pg_last_wal_receive_lsn()::text, pg_last_wal_replay_lsn()::text,"
            + " pg_last_xact_replay_timestamp(),"
            + " CASE WHEN pg_is_in_recovery() THEN pg_get_wal_replay_pause_state() ELSE 'not paused' END,"
            + " (SELECT status FROM pg_stat_wal_receiver), (SELECT last_msg_send_time FROM pg_stat_wal_receiver),"
            + " clock_timestamp(), current_setting('default_transaction_read_only')";

    /** Reads a new connection to {@code endpoint}, closed afterwards. */
    static ServerState read(PostgresEndpoint endpoint) throws SQLException {
        try (Connection c = endpoint.connect()) {
            return read(c, endpoint.describe());
        }
    }

    /** Reads over {@code connection}. */
    static ServerState read(Connection connection, String where) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(QUERY)) {
            if (!rs.next()) {
                throw new SQLException("the server state query returned no row");
            }
            String timeline = rs.getString(4);
            return new ServerState(
                    where,
                    rs.getString(2),
                    rs.getBoolean(1),
                    timeline == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(timeline, 16)),
                    lsn(rs.getString(3)),
                    lsn(rs.getString(5)),
                    lsn(rs.getString(6)),
                    instant(rs.getObject(7, OffsetDateTime.class)),
                    !"not paused".equals(rs.getString(8)),
                    Optional.ofNullable(rs.getString(9)),
                    instant(rs.getObject(10, OffsetDateTime.class)),
                    rs.getObject(11, OffsetDateTime.class).toInstant(),
                    "on".equals(rs.getString(12)));
        }
    }

    /** The furthest WAL position this standby holds (received or replayed): what promotion will replay to. */
    Optional<Lsn> heldLsn() {
        if (receiveLsn.isEmpty()) {
            return replayLsn;
        }
        if (replayLsn.isEmpty()) {
            return receiveLsn;
        }
        return Optional.of(receiveLsn.get().compareTo(replayLsn.get()) >= 0 ? receiveLsn.get() : replayLsn.get());
    }

    /** The timeline as the 8 hex digits WAL file names use ({@code 00000002}), or {@code unknown}. */
    String timelineText() {
        return timeline.isPresent() ? String.format("%08X", timeline.getAsLong()) : "unknown";
    }

    private static Optional<Lsn> lsn(String text) {
        return text == null ? Optional.empty() : Optional.of(Lsn.parse(text));
    }

    private static Optional<Instant> instant(OffsetDateTime time) {
        return Optional.ofNullable(time).map(OffsetDateTime::toInstant);
    }
}
