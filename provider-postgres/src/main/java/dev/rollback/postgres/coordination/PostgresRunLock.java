package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A {@link RunLock} shared by every node that reaches one PostgreSQL database, in one of two
 * {@link LockMode modes}:
 *
 * <ul>
 *   <li>{@link LockMode#SESSION} (the default, {@link #open(PostgresEndpoint)}): a session-level advisory
 *       lock ({@code pg_try_advisory_lock}) on a 64-bit key derived from the plan key, held on a dedicated
 *       connection for as long as the lease lives. At every acquisition it refuses, with
 *       {@code INVALID_CONFIGURATION} saying what to change, a connection a session lock cannot trust: one
 *       that goes through a connection pooler (the backend pid differs from the one announced at login,
 *       or changes between transactions), a read-only standby or read-only sessions, a server older
 *       than 14.
 *   <li>{@link LockMode#LEASE}: a row per key whose expiry is renewed on the database's clock, every
 *       statement its own transaction, no session state: it works through a transaction-mode pooler
 *       (PgBouncer) and directly.
 * </ul>
 *
 * <p><b>Takeover bound.</b> A held key is renewed (its session pinged) every {@code leaseTimeout/5}.
 * When its holder dies, freezes, or its connection goes silent (a host gone without closing its
 * sockets, a proxy that stops forwarding), the store frees the key at most {@link
 * Builder#leaseTimeout(Duration) leaseTimeout} after the holder's last renewal: the server ends the
 * idle session ({@code idle_session_timeout}, with TCP keepalives and {@code tcp_user_timeout} set on
 * the session), or the lease row expires on the database's clock. A node that keeps trying takes it
 * within {@link #takeoverBound()} ({@code leaseTimeout + retryInterval}, plus one acquisition round
 * trip) of the holder's last renewal. The old holder's {@link RunLease#isHeld()} turns false
 * {@code leaseTimeout/5} before the store frees the key (its own clock, from when its last renewal
 * was sent), so it has stopped before another can start; its fencing token is below the new one, so
 * a journal or a provider refuses whatever it still sends.
 *
 * <p>Fencing tokens come from the sequence {@code <schema>.lock_token_seq} in both modes, so they only
 * grow across releases, restarts, nodes and a change of mode. These are the rules of the
 * {@link RunLock} contract; the store is the database. An unreachable store fails closed:
 * {@link #tryAcquire} throws {@code LOCK_UNAVAILABLE} naming host and database, never the password.
 *
 * <p>Thread-safe. Session mode: one connection per held lease, none while waiting between attempts.
 * Lease mode: one connection per lock instance, shared by its leases. Renewals run on JVM-wide
 * daemon threads.
 */
public final class PostgresRunLock implements RunLock {
    private final PostgresEndpoint endpoint;
    private final LockMode mode;
    private final LeaseTiming timing;
    private final Duration retryInterval;
    private final Strategy strategy;

    /** One acquisition attempt of a mode. */
    interface Strategy {
        /** The lease, or empty if another holder has the key. */
        Optional<RunLease> attempt(String key) throws SQLException;
    }

    private PostgresRunLock(Builder b) {
        this.endpoint = b.endpoint;
        this.mode = b.mode;
        this.timing = new LeaseTiming(b.leaseTimeout);
        this.retryInterval = b.retryInterval;
        String schema = Jdbc.quoteIdentifier(b.schema);
        String sequence = schema + ".lock_token_seq";
        this.strategy = mode == LockMode.SESSION
                ? new SessionLocks(endpoint, sequence, timing)
                : new LeaseRows(endpoint, schema + ".run_leases", sequence, timing);
    }

    /** A session-mode lock over schema {@code rollback} of {@code endpoint}'s database, creating its tables. */
    public static PostgresRunLock open(PostgresEndpoint endpoint) {
        return builder(endpoint).build();
    }

    /** A session-mode lock over {@code schema} (letters, digits, '_', '$', '-'). */
    public static PostgresRunLock open(PostgresEndpoint endpoint, String schema) {
        return builder(endpoint).schema(schema).build();
    }

    /** A builder for a lock on {@code endpoint}: session mode, schema {@code rollback}, lease timeout 15 s. */
    public static Builder builder(PostgresEndpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    /** The mode of this lock. */
    public LockMode mode() {
        return mode;
    }

    /** The lease timeout: how long after its holder's last renewal the store frees a key. */
    public Duration leaseTimeout() {
        return timing.leaseTimeout();
    }

    /**
     * How long after a silent holder's last renewal a node that keeps trying takes the key, at most:
     * {@code leaseTimeout + retryInterval}, plus one acquisition round trip.
     */
    public Duration takeoverBound() {
        return timing.leaseTimeout().plus(retryInterval);
    }

    @Override
    public Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, but was " + wait);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while acquiring the run lock " + key);
            }
            try {
                Optional<RunLease> lease = strategy.attempt(key);
                if (lease.isPresent()) {
                    return lease;
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
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            // Jittered, so that many nodes waiting for one key do not all ask at the same moment.
            long pause =
                    retryInterval.toNanos() / 2 + ThreadLocalRandom.current().nextLong(retryInterval.toNanos() / 2 + 1);
            TimeUnit.NANOSECONDS.sleep(Math.max(1, Math.min(pause, left)));
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

    @Override
    public String toString() {
        return "PostgresRunLock[" + endpoint.describe() + ", " + mode + ", lease timeout " + timing.leaseTimeout()
                + "]";
    }

    /**
     * Settings of a {@link PostgresRunLock}; {@link #build()} opens it. Not thread-safe; reusable.
     */
    public static final class Builder {
        private final PostgresEndpoint endpoint;
        private String schema = "rollback";
        private LockMode mode = LockMode.SESSION;
        private Duration leaseTimeout = Duration.ofSeconds(15);
        private Duration retryInterval = Duration.ofMillis(50);

        private Builder(PostgresEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        /** The schema of the tables (letters, digits, '_', '$', '-'). Default: {@code rollback}. */
        public Builder schema(String schema) {
            this.schema = ToolArguments.requireName(schema, "schema");
            return this;
        }

        /**
         * How keys are held: {@link LockMode#SESSION} for direct connections, {@link LockMode#LEASE} through
         * a transaction-mode pooler. Default: {@code SESSION}. Every node sharing the schema uses one mode.
         */
        public Builder mode(LockMode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How long after its holder's last renewal the store frees a key: the server's idle-session
         * timeout of the lock's session, or the lease row's life on the database's clock. Keys are
         * renewed every fifth of it; a holder counts a key as lost a fifth of it before the store
         * frees it. Shorter means a faster takeover after a silent death and more renewals. Default: 15
         * seconds; 1 second to 1 hour.
         */
        public Builder leaseTimeout(Duration leaseTimeout) {
            Arguments.requirePositive(leaseTimeout, "leaseTimeout");
            if (leaseTimeout.compareTo(Duration.ofSeconds(1)) < 0 || leaseTimeout.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("leaseTimeout must be 1 s to 1 h, but was " + leaseTimeout);
            }
            this.leaseTimeout = leaseTimeout;
            return this;
        }

        /**
         * How long a waiting {@link #tryAcquire} pauses between attempts (jittered to half to all of it).
         * Default: 50 ms; positive, at most a minute.
         */
        public Builder retryInterval(Duration retryInterval) {
            Arguments.requirePositive(retryInterval, "retryInterval");
            if (retryInterval.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("retryInterval must be at most 1 min, but was " + retryInterval);
            }
            this.retryInterval = retryInterval;
            return this;
        }

        /**
         * Opens the lock, creating or upgrading its tables.
         *
         * @throws RollbackException {@code LOCK_UNAVAILABLE} if the store is unreachable
         */
        public PostgresRunLock build() {
            try {
                CoordinationSchema.migrate(endpoint, schema);
            } catch (RollbackException e) {
                throw new RollbackException(ErrorCode.LOCK_UNAVAILABLE, e.getMessage(), e);
            }
            return new PostgresRunLock(this);
        }
    }
}
