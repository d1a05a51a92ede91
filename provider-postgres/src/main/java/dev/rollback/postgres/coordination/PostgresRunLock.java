package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RunLock} shared by every node that reaches one PostgreSQL database: a session-level
 * advisory lock ({@code pg_try_advisory_lock}) on a 64-bit key derived from the plan key, held on a
 * dedicated connection for as long as the lease lives. The fencing token comes from
 * {@code <schema>.lock_tokens}, incremented in the same database on every acquisition, so it only
 * grows, across restarts and nodes.
 *
 * <p>When the holder's process dies or its session is killed, PostgreSQL releases the lock and the
 * next node acquires it with a higher token; the old lease's {@link RunLease#isHeld()} turns false
 * as soon as its session is gone, and stays false (also after a check that got no answer within 5
 * seconds: the lease cannot tell, so it counts as lost). These are the rules of the {@link RunLock}
 * contract; the store is the database, tokens are kept in it for as long as it lives. An unreachable store fails closed: {@link #tryAcquire} throws
 * {@code LOCK_UNAVAILABLE} naming host and database, never the password.
 *
 * <p>Thread-safe. One connection per held lease; none while waiting between attempts.
 */
public final class PostgresRunLock implements RunLock {
    private static final Duration RETRY = Duration.ofMillis(50);

    private final PostgresEndpoint endpoint;
    private final String tokens;

    private PostgresRunLock(PostgresEndpoint endpoint, String schema) {
        this.endpoint = endpoint;
        this.tokens = Jdbc.quoteIdentifier(schema) + ".lock_tokens";
    }

    /** A lock over schema {@code rollback} of {@code endpoint}'s database, creating its tables. */
    public static PostgresRunLock open(PostgresEndpoint endpoint) {
        return open(endpoint, "rollback");
    }

    /** A lock over {@code schema} (letters, digits, '_', '$', '-'). */
    public static PostgresRunLock open(PostgresEndpoint endpoint, String schema) {
        Objects.requireNonNull(endpoint, "endpoint");
        ToolArguments.requireName(schema, "schema");
        try {
            CoordinationSchema.migrate(endpoint, schema);
        } catch (RollbackException e) {
            throw new RollbackException(ErrorCode.LOCK_UNAVAILABLE, e.getMessage(), e);
        }
        return new PostgresRunLock(endpoint, schema);
    }

    @Override
    public Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, but was " + wait);
        }
        long lockId = lockId(key);
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Connection c = null;
            try {
                c = CoordinationSchema.connect(endpoint);
                try (Statement s = c.createStatement()) {
                    s.execute("SET application_name = 'rollback-run-lock'");
                }
                if (tryLock(c, lockId)) {
                    long token = nextToken(c, key);
                    Lease lease = new Lease(key, token, lockId, c);
                    c = null;
                    return Optional.of(lease);
                }
            } catch (SQLException e) {
                if (Thread.interrupted()) {
                    // The driver gave up connecting because the thread was interrupted: not a store failure.
                    InterruptedException interrupted =
                            new InterruptedException("interrupted while acquiring the run lock " + key);
                    interrupted.initCause(e);
                    throw interrupted;
                }
                throw CoordinationSchema.unreachable(
                        ErrorCode.LOCK_UNAVAILABLE, "acquiring the run lock " + key, endpoint, e);
            } finally {
                closeQuietly(c);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Thread.sleep(Math.max(1, Math.min(RETRY.toMillis(), left / 1_000_000)));
        }
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

    private long nextToken(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + tokens + " (lock_key, token) VALUES (?, 1)"
                + " ON CONFLICT (lock_key) DO UPDATE SET token = " + tokens + ".token + 1 RETURNING token")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** The advisory lock id of {@code key}: the first 8 bytes of its SHA-256. */
    static long lockId(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(("rollback-run-lock:" + key).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing a broken connection; nothing to keep
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresRunLock[" + endpoint.describe() + "]";
    }

    /** A held advisory lock and its connection. */
    private static final class Lease implements RunLease {
        private final String key;
        private final long token;
        private final long lockId;
        private final Connection connection;
        private boolean closed;
        /** Set once {@link #isHeld()} answered false: a lease that was lost is never held again. */
        private boolean lost;

        Lease(String key, long token, long lockId, Connection connection) {
            this.key = key;
            this.token = token;
            this.lockId = lockId;
            this.connection = connection;
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
            lost = !askStore();
            return !lost;
        }

        /** Whether the session still holds the advisory lock; false when the store does not answer. */
        private boolean askStore() {
            try (PreparedStatement ps = connection.prepareStatement(
                    "SELECT count(*) FROM pg_locks WHERE locktype ="
                            + " 'advisory' AND pid = pg_backend_pid() AND granted AND ((classid::bigint << 32) | objid::bigint) = ?")) {
                ps.setLong(1, lockId);
                ps.setQueryTimeout(5);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            } catch (SQLException e) {
                return false;
            }
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                ps.setLong(1, lockId);
                ps.execute();
            } catch (SQLException e) {
                // a lost session released the lock already
            } finally {
                closeQuietly(connection);
            }
        }

        @Override
        public String toString() {
            return "RunLease[" + key + ", token " + token + "]";
        }
    }
}
