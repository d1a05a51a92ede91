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
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link LockMode#LEASE}: a row per key in {@code <schema>.run_leases} whose {@code expires_at} is set
 * and renewed on the database's clock ({@code now()}), its token from the shared sequence. Every
 * statement is its own transaction and no session state is used (no {@code SET}, no server-side
 * prepared statement), so any connection a transaction-mode pooler hands out will do. One connection
 * per lock instance, opened on first use and again after a failure, shared by its leases.
 */
final class LeaseRows implements PostgresRunLock.Strategy {
    private final PostgresEndpoint endpoint;
    private final String table;
    private final String sequence;
    private final LeaseTiming timing;
    private final String holder = UUID.randomUUID().toString();
    private final ReentrantLock mutex = new ReentrantLock();
    private Connection connection;

    LeaseRows(PostgresEndpoint endpoint, String table, String sequence, LeaseTiming timing) {
        this.endpoint = endpoint;
        this.table = table;
        this.sequence = sequence;
        this.timing = timing;
    }

    /** One statement on this instance's connection; a failed call drops the connection. */
    private interface Call<T> {
        T on(Connection c) throws SQLException;
    }

    private <T> T call(Call<T> call) throws SQLException {
        mutex.lock();
        try {
            if (connection == null) {
                connection = open();
            }
            return call.on(connection);
        } catch (SQLException | RuntimeException e) {
            LockSql.closeQuietly(connection);
            connection = null;
            throw e;
        } finally {
            mutex.unlock();
        }
    }

    private Connection open() throws SQLException {
        Connection c = CoordinationSchema.connect(endpoint, timing.replyTimeout());
        try {
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new RollbackException(
                            ErrorCode.INVALID_CONFIGURATION,
                            "the run lock refuses " + endpoint.describe()
                                    + ": the server is a read-only standby (pg_is_in_recovery() is true), where no lease"
                                    + " can be written; point the run lock at the primary");
                }
            }
            return c;
        } catch (SQLException | RuntimeException e) {
            LockSql.closeQuietly(c);
            throw e;
        }
    }

    @Override
    public Optional<RunLease> attempt(String key) throws SQLException {
        long sent = System.nanoTime();
        Optional<Long> token = call(c -> {
            // Taken when the key has no row, or its row expired (or was released) on the database's clock;
            // a token that is not above the row's (drawn before a later holder's) never takes it.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
                    + " AS l (lock_key, token, holder, expires_at) VALUES (?, nextval('" + sequence + "'), ?,"
                    + " now() + make_interval(secs => ?)) ON CONFLICT (lock_key) DO UPDATE SET token = excluded.token,"
                    + " holder = excluded.holder, expires_at = excluded.expires_at"
                    + " WHERE l.expires_at <= now() AND l.token < excluded.token RETURNING token")) {
                ps.setString(1, key);
                ps.setString(2, holder);
                ps.setDouble(3, seconds());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
        return token.map(t -> new RowLease(key, t, sent));
    }

    private double seconds() {
        return timing.leaseTimeout().toNanos() / 1e9;
    }

    /** Moves the row's expiry to now() + the lease timeout; false when the row is no longer this lease's. */
    private boolean renew(String key, long token) throws SQLException {
        return call(c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
                    + " SET expires_at = now() + make_interval(secs => ?)"
                    + " WHERE lock_key = ? AND token = ? AND expires_at > now()")) {
                ps.setDouble(1, seconds());
                ps.setString(2, key);
                ps.setLong(3, token);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Frees the key if this lease still has it; a lease taken since (another token) is never touched.
     * Bounded: it waits at most the reply timeout for the connection and opens no new one (a row left
     * behind expires on its own within the lease timeout).
     */
    private void release(String key, long token) {
        try {
            if (!mutex.tryLock(timing.replyTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            if (connection == null) {
                return;
            }
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE " + table + " SET expires_at = '-infinity' WHERE lock_key = ? AND token = ?")) {
                ps.setString(1, key);
                ps.setLong(2, token);
                ps.executeUpdate();
            }
        } catch (SQLException | RuntimeException e) {
            LockSql.closeQuietly(connection);
            connection = null;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * A lease row, renewed every {@link LeaseTiming#renewEvery()}. {@link #isHeld()} answers from the
     * last renewal without a round trip: held while less than {@link LeaseTiming#validity()} passed since
     * the last successful renewal was sent, which ends before the row can expire on the database.
     */
    private final class RowLease implements RunLease {
        private final String key;
        private final long token;
        private final AtomicBoolean beating = new AtomicBoolean();
        private final ScheduledFuture<?> heartbeat;
        private volatile long validUntil;
        private volatile boolean lost;
        private volatile boolean closed;

        RowLease(String key, long token, long sent) {
            this.key = key;
            this.token = token;
            this.validUntil = sent + timing.validity().toNanos();
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
        public boolean isHeld() {
            if (closed || lost) {
                return false;
            }
            if (System.nanoTime() - validUntil >= 0) {
                lose();
                return false;
            }
            return true;
        }

        private void beat() {
            if (!beating.compareAndSet(false, true)) {
                return;
            }
            try {
                if (!isHeld()) {
                    return;
                }
                long sent = System.nanoTime();
                if (renew(key, token)) {
                    validUntil = sent + timing.validity().toNanos();
                } else {
                    lose();
                }
            } catch (SQLException | RuntimeException e) {
                // cannot tell: tried again at the next beat; isHeld() turns false when the validity runs out
            } finally {
                beating.set(false);
            }
        }

        private void lose() {
            lost = true;
            heartbeat.cancel(false);
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            heartbeat.cancel(false);
            // Also when lost: the update names this lease's token, so it frees the key only if it is still ours.
            release(key, token);
        }

        @Override
        public String toString() {
            return "RunLease[" + key + ", token " + token + ", lease]";
        }
    }
}
