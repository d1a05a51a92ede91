package dev.rollback.postgres.signal;

import dev.rollback.api.internal.Arguments;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Feeds the database-connection signal: every {@code interval} it opens a connection from a data
 * source, checks it with {@link Connection#isValid(int)} within {@code timeout}, closes it, and
 * reports success or failure to a {@link ConnectionAttemptListener}. {@link #probeOnce()} does one
 * attempt on the caller's thread (for tests and for applications with their own scheduler).
 *
 * <p>Lifecycle: {@link #start()} once, {@link #close()} to stop (idempotent). Thread-safe. It never
 * writes, never throws from its schedule (a failure is a reported failed attempt), and never logs a
 * connection string.
 */
public final class ConnectionProbe implements AutoCloseable {
    private final DataSource dataSource;
    private final ConnectionAttemptListener listener;
    private final Duration interval;
    private final Duration timeout;
    private final ScheduledExecutorService scheduler;

    private ConnectionProbe(Builder b) {
        this.dataSource = b.dataSource;
        this.listener = b.listener;
        this.interval = b.interval;
        this.timeout = b.timeout;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "rollback-postgres-connection-probe");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; dataSource and listener are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Makes one attempt now, reports it, and returns whether it succeeded. */
    public boolean probeOnce() {
        boolean ok;
        try (Connection c = dataSource.getConnection()) {
            ok = c.isValid((int) Math.max(1, timeout.toSeconds()));
        } catch (SQLException | RuntimeException e) {
            ok = false;
        }
        listener.connectionAttempt(ok);
        return ok;
    }

    /** Starts probing every interval on a daemon thread. */
    public void start() {
        scheduler.scheduleWithFixedDelay(this::probeOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops probing. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }

    @Override
    public String toString() {
        return "ConnectionProbe[every " + interval + ", timeout " + timeout + "]";
    }

    /**
     * Builds a {@link ConnectionProbe}. Setters check their argument at once; not thread-safe;
     * every {@link #build()} makes a new, unstarted probe.
     */
    public static final class Builder {
        private DataSource dataSource;
        private ConnectionAttemptListener listener;
        private Duration interval = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(3);

        private Builder() {}

        /** Where connections are tried (the application's data source). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Who hears each attempt. Required. */
        public Builder onAttempt(ConnectionAttemptListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** The pause between attempts. Default: 5 s; positive. */
        public Builder interval(Duration interval) {
            this.interval = Arguments.requirePositive(interval, "interval");
            return this;
        }

        /** How long one validity check may take. Default: 3 s; at least 1 s. */
        public Builder timeout(Duration timeout) {
            Arguments.requirePositive(timeout, "timeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("timeout must be at least 1s, but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * The probe.
         *
         * @throws IllegalStateException if dataSource or listener is missing
         */
        public ConnectionProbe build() {
            if (dataSource == null || listener == null) {
                throw new IllegalStateException((dataSource == null ? "dataSource" : "listener") + " is required");
            }
            return new ConnectionProbe(this);
        }
    }
}
