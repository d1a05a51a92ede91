package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.postgresql.PGConnection;

/**
 * {@link LockMode#SESSION}: one attempt opens a connection, checks that a session lock can live on
 * it (no pooler, not a standby, a server that ends idle sessions), bounds the session's life on the
 * server ({@code idle_session_timeout} and TCP settings), takes {@code pg_try_advisory_lock} and
 * draws the token. The lease pings its session every {@link LeaseTiming#renewEvery()}.
 */
final class SessionLocks implements PostgresRunLock.Strategy {
    private static final String HELD_QUERY = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = ?";

    private final PostgresEndpoint endpoint;
    private final String sequence;
    private final LeaseTiming timing;

    SessionLocks(PostgresEndpoint endpoint, String sequence, LeaseTiming timing) {
        this.endpoint = endpoint;
        this.sequence = sequence;
        this.timing = timing;
    }

    @Override
    public Optional<RunLease> attempt(String key) throws SQLException {
        Connection c = CoordinationSchema.connect(endpoint, timing.replyTimeout());
        try {
            long pid = checkSessionIsSafe(c);
            try (Statement s = c.createStatement()) {
                long t = timing.leaseTimeout().toMillis();
                long keepIdle = Math.max(1, timing.renewEvery().toSeconds());
                // The server ends this session, and so frees the key, once no statement came for the lease
                // timeout (a holder that died, froze or went silent behind a proxy); TCP settings end it
                // as fast when the path itself dies while a reply is unacknowledged.
                s.execute("SET application_name = 'rollback-run-lock';"
                        + " SET idle_session_timeout = " + t + ";"
                        + " SET idle_in_transaction_session_timeout = " + t + ";"
                        + " SET statement_timeout = " + timing.replyTimeout().toMillis() + ";"
                        + " SET tcp_keepalives_idle = " + keepIdle + ";"
                        + " SET tcp_keepalives_interval = " + keepIdle + ";"
                        + " SET tcp_keepalives_count = 3;"
                        + " SET tcp_user_timeout = " + t);
            }
            long again = LockSql.backendPid(c);
            if (again != pid) {
                throw pooler("the server's backend pid changed between two transactions on one connection (from " + pid
                        + " to " + again + ")");
            }
            long lockId = PostgresRunLock.lockId(key);
            if (!tryLock(c, lockId)) {
                return Optional.empty();
            }
            long token = LockSql.nextToken(c, sequence);
            SessionLease lease = new SessionLease(key, token, lockId, c, timing);
            c = null;
            return Optional.of(lease);
        } finally {
            LockSql.closeQuietly(c);
        }
    }

    /**
     * Refuses a connection a session lock cannot trust, before any lock is taken: one whose server
     * backend is not the one the login announced (a pooler answered the login), a read-only standby,
     * a read-only default, a server older than 14 (no {@code idle_session_timeout}: nothing would end a
     * silent holder's session). Returns the backend pid.
     */
    private long checkSessionIsSafe(Connection c) throws SQLException {
        int loginPid = c.unwrap(PGConnection.class).getBackendPID();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid(), pg_is_in_recovery(),"
                        + " current_setting('transaction_read_only'), current_setting('server_version_num')::int")) {
            rs.next();
            long pid = rs.getLong(1);
            if (pid != loginPid) {
                throw pooler("the server's backend pid " + pid + " is not the pid " + loginPid
                        + " the connection was given at login");
            }
            if (rs.getBoolean(2)) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "the run lock refuses " + endpoint.describe()
                                + ": the server is a read-only standby (pg_is_in_recovery() is true), whose advisory locks"
                                + " no other node sees and where no fencing token can be written; point the run lock"
                                + " at the primary");
            }
            if ("on".equals(rs.getString(3))) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "the run lock refuses " + endpoint.describe() + ": its sessions are read-only"
                                + " (default_transaction_read_only is on), so no fencing token can be written; point the"
                                + " run lock at the primary, or give its role read-write sessions");
            }
            if (rs.getInt(4) < 140000) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "the run lock refuses " + endpoint.describe() + ": PostgreSQL " + rs.getInt(4)
                                + " has no idle_session_timeout (14 or later), so nothing bounds how long the session of"
                                + " a holder that went silent keeps the key; upgrade the server, or use LockMode.LEASE");
            }
            return pid;
        }
    }

    private RollbackException pooler(String evidence) {
        return new RollbackException(
                ErrorCode.INVALID_CONFIGURATION,
                "the run lock refuses a session on " + endpoint.describe() + ": " + evidence
                        + ", so a connection pooler (PgBouncer, or a proxy that multiplexes sessions) sits between this"
                        + " node and PostgreSQL, and a session advisory lock would live on a server connection other"
                        + " clients share; connect the run lock to PostgreSQL directly, or use LockMode.LEASE"
                        + " (PostgresRunLock.builder(endpoint).mode(LockMode.LEASE)), which works through a"
                        + " transaction-mode pooler");
    }

    private static boolean tryLock(Connection c, long lockId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, lockId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** A held advisory lock on its own session, pinged every {@link LeaseTiming#renewEvery()}. */
    private static final class SessionLease implements RunLease {
        private final String key;
        private final long token;
        private final long lockId;
        private final Connection connection;
        private final LeaseTiming timing;
        private final AtomicBoolean beating = new AtomicBoolean();
        private final ScheduledFuture<?> heartbeat;
        private boolean closed;
        /** Set once the lease was found lost: a lease that was lost is never held again. */
        private boolean lost;
        /** Until when (System.nanoTime) the last answered ping lets the holder count the key as its own. */
        private long validUntil;

        SessionLease(String key, long token, long lockId, Connection connection, LeaseTiming timing) {
            this.key = key;
            this.token = token;
            this.lockId = lockId;
            this.connection = connection;
            this.timing = timing;
            this.validUntil = System.nanoTime() + timing.validity().toNanos();
            this.heartbeat = timing.every(this::beat);
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public synchronized boolean isHeld() {
            if (closed || lost) {
                return false;
            }
            long sent = System.nanoTime();
            if (sent - validUntil >= 0 || !askStore()) {
                lose();
                return false;
            }
            validUntil = sent + timing.validity().toNanos();
            return true;
        }

        /** A ping: keeps the session from the server's idle timeout and notices a loss. */
        private void beat() {
            if (beating.compareAndSet(false, true)) {
                try {
                    isHeld();
                } finally {
                    beating.set(false);
                }
            }
        }

        /** Whether the session still holds the advisory lock; false when the store does not answer. */
        private boolean askStore() {
            try (PreparedStatement ps = connection.prepareStatement(HELD_QUERY)) {
                ps.setLong(1, lockId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            } catch (SQLException e) {
                return false;
            }
        }

        /** Latches the loss and ends the session, so the server frees the key if it still held it. */
        private void lose() {
            lost = true;
            heartbeat.cancel(false);
            LockSql.closeQuietly(connection);
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            heartbeat.cancel(false);
            if (!lost) {
                try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, lockId);
                    ps.execute();
                } catch (SQLException e) {
                    // a lost session released the lock already
                }
            }
            LockSql.closeQuietly(connection);
        }

        @Override
        public String toString() {
            return "RunLease[" + key + ", token " + token + ", session]";
        }
    }
}
