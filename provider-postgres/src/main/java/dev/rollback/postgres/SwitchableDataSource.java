package dev.rollback.postgres;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The {@link DataSource} an application takes its database connections from, so that a rollback
 * can point it at a restored server without restarting the application (the runbook's "update
 * connection strings" step, which otherwise "requires application restart").
 *
 * <p>It delegates to one target data source at a time (a pool or a plain data source).
 * {@link #switchTo(DataSource, String, Duration)} (a no-op when the label is the current one) first checks that the new target hands out a
 * valid connection, then swaps the target atomically: every {@link #getConnection()} that starts
 * afterwards gets a connection to the new target, and no connection to the old target is handed
 * out after the swap returns. It then drains the old target: it waits up to the drain timeout for
 * the connections borrowed from it to be closed by the application, and closes those still open
 * after that (their next use fails, so no write reaches the old server unnoticed).
 *
 * <p>Thread-safe; switches are serialized. It never closes a target data source itself (a pool
 * stays the caller's to close), never changes the database, and never holds a credential.
 */
public final class SwitchableDataSource implements DataSource {
    private final AtomicReference<Target> current;
    private final Object switchLock = new Object();

    private SwitchableDataSource(Target initial) {
        this.current = new AtomicReference<>(initial);
    }

    /** A data source that starts on {@code initial}, named {@code label} in evidence and messages. */
    public static SwitchableDataSource of(DataSource initial, String label) {
        return new SwitchableDataSource(
                new Target(Objects.requireNonNull(initial, "initial"), Arguments.requireText(label, "label")));
    }

    /** The label of the current target. */
    public String currentLabel() {
        return current.get().label;
    }

    /** How many connections borrowed from the current target are open. */
    public int openConnections() {
        return current.get().open.size();
    }

    /**
     * What a switch did.
     *
     * @param from the previous target's label
     * @param to the new target's label
     * @param drained connections to the old target closed by the application within the drain timeout
     * @param forced connections to the old target closed by the switch after the timeout
     */
    public record SwitchResult(String from, String to, int drained, int forced) {}

    /**
     * Validates {@code target} (a connection that {@link Connection#isValid(int) is valid}), swaps
     * to it, and drains the old target.
     *
     * @throws RollbackException {@code EXTERNAL_FAILURE} if the new target is not valid; nothing
     *     was switched then
     * @throws InterruptedException if interrupted while draining (the switch has happened)
     */
    public SwitchResult switchTo(DataSource target, String label, Duration drainTimeout) throws InterruptedException {
        Objects.requireNonNull(target, "target");
        Arguments.requireText(label, "label");
        Objects.requireNonNull(drainTimeout, "drainTimeout");
        synchronized (switchLock) {
            Target old = current.get();
            if (old.label.equals(label)) {
                return new SwitchResult(old.label, label, 0, 0);
            }
            validate(target, label);
            current.set(new Target(target, label));
            int before = old.open.size();
            long deadline = System.nanoTime() + drainTimeout.toNanos();
            while (!old.open.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(10);
            }
            int forced = 0;
            for (Tracked t : Set.copyOf(old.open)) {
                t.forceClose();
                forced++;
            }
            return new SwitchResult(old.label, label, Math.max(0, before - forced), forced);
        }
    }

    private static void validate(DataSource target, String label) {
        try (Connection c = target.getConnection()) {
            if (!c.isValid(5)) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        "the new target " + label + " handed out a connection that is not valid; not switched");
            }
        } catch (SQLException e) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "the new target " + label + " is not reachable; not switched: " + Redaction.describe(e),
                    e);
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        while (true) {
            Target target = current.get();
            Connection raw = target.dataSource.getConnection();
            Tracked tracked = new Tracked(raw, target);
            target.open.add(tracked);
            if (current.get() == target) {
                return tracked.proxy;
            }
            tracked.proxy.close();
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the targets' own credentials are used");
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return current.get().dataSource.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        current.get().dataSource.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        current.get().dataSource.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return current.get().dataSource.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return current.get().dataSource.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        return current.get().dataSource.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || current.get().dataSource.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "SwitchableDataSource[" + currentLabel() + "]";
    }

    /** One target and the connections borrowed from it. */
    private static final class Target {
        final DataSource dataSource;
        final String label;
        final Set<Tracked> open = ConcurrentHashMap.newKeySet();

        Target(DataSource dataSource, String label) {
            this.dataSource = dataSource;
            this.label = label;
        }
    }

    /** A borrowed connection whose close is seen. */
    private static final class Tracked implements InvocationHandler {
        final Connection raw;
        final Target target;
        final Connection proxy;

        Tracked(Connection raw, Target target) {
            this.raw = raw;
            this.target = target;
            this.proxy = (Connection) Proxy.newProxyInstance(
                    SwitchableDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
        }

        void forceClose() {
            try {
                raw.close();
            } catch (SQLException e) {
                // it is closed or broken either way
            } finally {
                target.open.remove(this);
            }
        }

        @Override
        public Object invoke(Object p, Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    target.open.remove(this);
                    break;
                case "equals":
                    return p == args[0];
                case "hashCode":
                    return System.identityHashCode(p);
                case "toString":
                    return "Connection[" + target.label + "]";
                default:
                    break;
            }
            try {
                return method.invoke(raw, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }
}
