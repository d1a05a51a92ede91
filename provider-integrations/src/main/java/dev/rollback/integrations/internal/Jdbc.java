package dev.rollback.integrations.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * JDBC plumbing shared by the steps that work in the application's database: connections, query
 * timeouts that never outlive the step's deadline, and the mapping of {@link SQLException}s to
 * Rollback's errors. Stateless and thread-safe.
 *
 * <p>Failures become: {@link TransientFailureException} for a lost or refused connection (SQL state
 * class 08), a serialization failure or deadlock (40001, 40P01), a server shutting down or too busy
 * (57P01-57P03, 53300) and a query cancelled by its timeout (57014); a {@code CREDENTIAL_PROBLEM} for
 * a refused login (class 28), never naming the credential; {@code EXTERNAL_FAILURE} otherwise.
 * Messages are redacted.
 */
public final class Jdbc {
    /** A work unit on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        /** Does the work. */
        T run(Connection connection) throws SQLException;
    }

    private Jdbc() {}

    /**
     * Runs {@code work} on a fresh connection of {@code dataSource} in one transaction (committed
     * when it returns, rolled back when it throws), mapping failures; {@code what} names the work in
     * messages ("parking the pending jobs of ai_jobs").
     */
    public static <T> T inTransaction(DataSource dataSource, String what, Work<T> work) {
        return call(dataSource, what, true, work);
    }

    /** Runs read-only {@code work} on a fresh connection in auto-commit mode, mapping failures. */
    public static <T> T read(DataSource dataSource, String what, Work<T> work) {
        return call(dataSource, what, false, work);
    }

    private static <T> T call(DataSource dataSource, String what, boolean transaction, Work<T> work) {
        if (Thread.currentThread().isInterrupted()) {
            throw new StepInterruptedException(what + " was interrupted before it started");
        }
        try (Connection connection = dataSource.getConnection()) {
            if (!transaction) {
                return work.run(connection);
            }
            boolean autoCommit = connection.getAutoCommit();
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            } finally {
                try {
                    connection.setAutoCommit(autoCommit);
                } catch (SQLException ignored) {
                    // the connection is closed next; a pool resets it anyway
                }
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Sets {@code statement}'s query timeout to the context's remaining budget (at most
     * {@code cap}), rounded up to whole seconds as JDBC counts them, at least 1 s.
     */
    public static void limit(Statement statement, StepContext context, Duration cap) throws SQLException {
        Duration left = context.remaining();
        if (left.isZero()) {
            throw new StepInterruptedException("step " + context.stepId() + " has no time left for a query");
        }
        limit(statement, left.compareTo(cap) < 0 ? left : cap);
    }

    /** Sets {@code statement}'s query timeout to {@code timeout}, rounded up to whole seconds, at least 1 s. */
    public static void limit(Statement statement, Duration timeout) throws SQLException {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        statement.setQueryTimeout((int) Math.min(Integer.MAX_VALUE, seconds));
    }

    /** The Rollback error for a failed JDBC call; see the class comment. */
    public static RollbackException failure(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message =
                what + " failed: " + Redaction.describe(e) + (state.isEmpty() ? "" : " (SQL state " + state + ")");
        if (state.startsWith("28")) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (the database refused the login, SQL state " + state + ")",
                    e);
        }
        if (isTransient(e)) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }

    /** Whether a failure may pass when tried again; see the class comment. */
    public static boolean isTransient(SQLException e) {
        if (e instanceof SQLTransientException || e instanceof SQLRecoverableException) {
            return true;
        }
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08")
                || state.equals("40001")
                || state.equals("40P01")
                || state.equals("57014")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || state.equals("53300");
    }

    /** Whether a failure is a unique-key or other integrity violation (SQL state class 23). */
    public static boolean isIntegrityViolation(SQLException e) {
        return e.getSQLState() != null && e.getSQLState().startsWith("23");
    }
}
