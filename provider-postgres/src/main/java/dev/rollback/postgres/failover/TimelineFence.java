package dev.rollback.postgres.failover;

import dev.rollback.api.internal.Arguments;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The application's side of fencing an old PostgreSQL primary: the <b>timeline</b> as a fencing
 * token. Every promotion starts a new timeline, one higher than the one it forked from, and an old
 * primary that comes back still runs on the old one. A data source {@linkplain #guard(DataSource)
 * guarded} by this fence checks each connection it opens ({@code pg_is_in_recovery()},
 * {@code system_identifier}, the timeline of the current WAL file) and refuses, with SQLState
 * {@code 08004}, a server in recovery (a standby takes no writes) and a primary of a cluster on a
 * timeline lower than the highest this fence knows for that cluster: a fenced old primary. The fence
 * learns timelines from {@link ReplicaPromotionStep} (the new primary's), from
 * {@link OldPrimaryFenceStep} (one above the old primary's), and from every connection it accepts,
 * and never forgets or lowers them.
 *
 * <p>Wrap the data source that opens physical connections (a {@link
 * dev.rollback.postgres.PostgresEndpoint#dataSource()}, or the one a pool connects with), so the
 * check costs one round trip per new connection, not per borrow. The fence lives in this process:
 * an application instance that was given neither the promotion nor a connection to the new primary
 * does not know the new timeline (see the failover section of the provider's documentation for what
 * covers that).
 *
 * <p>Thread-safe. It never writes to a server and never holds a credential.
 */
public final class TimelineFence {
    /** SQLState of a refused connection: "sqlserver rejected establishment of sqlconnection". */
    public static final String REFUSED = "08004";

    private final Map<String, Long> minimumTimeline = new ConcurrentHashMap<>();

    private TimelineFence() {}

    /** A fence that knows no timeline yet: it refuses only standbys until it learns one. */
    public static TimelineFence create() {
        return new TimelineFence();
    }

    /**
     * {@code target}, refusing connections to a standby or to a fenced old primary.
     *
     * @param target the data source that opens connections to the primary
     * @return the guarded data source
     */
    public DataSource guard(DataSource target) {
        return new Guarded(Objects.requireNonNull(target, "target"), this);
    }

    /** The lowest timeline a primary of cluster {@code systemIdentifier} may be on; empty if none is known. */
    public OptionalLong minimumTimeline(String systemIdentifier) {
        Long value = minimumTimeline.get(Arguments.requireText(systemIdentifier, "systemIdentifier"));
        return value == null ? OptionalLong.empty() : OptionalLong.of(value);
    }

    /** Refuses, from now on, every primary of the cluster on a timeline below {@code timeline}. */
    void require(String systemIdentifier, long timeline) {
        minimumTimeline.merge(systemIdentifier, timeline, Math::max);
    }

    /** Checks a new connection; learns its timeline when it is accepted. */
    void check(Connection connection, String where) throws SQLException {
        ServerState state = ServerState.read(connection, where);
        if (state.inRecovery()) {
            throw new SQLException(
                    "refused " + where + ": the server is in recovery (a standby), so it takes no writes", REFUSED);
        }
        long timeline = state.timeline().orElseThrow();
        long required = minimumTimeline.merge(state.systemIdentifier(), timeline, Math::max);
        if (timeline < required) {
            throw new SQLException(
                    "refused " + where + ": a primary of cluster " + state.systemIdentifier() + " on timeline "
                            + timeline + ", below timeline " + required
                            + " it was failed over to: a fenced old primary",
                    REFUSED);
        }
    }

    @Override
    public String toString() {
        return "TimelineFence" + minimumTimeline;
    }

    /** A data source whose new connections pass the fence. */
    private static final class Guarded implements DataSource {
        private final DataSource target;
        private final TimelineFence fence;

        Guarded(DataSource target, TimelineFence fence) {
            this.target = target;
            this.fence = fence;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return checked(target.getConnection());
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return checked(target.getConnection(username, password));
        }

        private Connection checked(Connection connection) throws SQLException {
            try {
                fence.check(connection, target.toString());
                if (!connection.getAutoCommit()) {
                    connection.rollback(); // end the check's transaction: hand out a clean connection
                }
                return connection;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return target.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            target.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            target.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return target.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return target.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            return target.unwrap(iface);
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) throws SQLException {
            return iface.isInstance(this) || target.isWrapperFor(iface);
        }

        @Override
        public String toString() {
            return "TimelineFenced" + target;
        }
    }
}
