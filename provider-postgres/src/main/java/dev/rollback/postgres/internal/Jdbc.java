package dev.rollback.postgres.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** JDBC helpers: identifier quoting and failures turned into errors that name the store, not its secret. */
public final class Jdbc {
    private Jdbc() {}

    /** The single number {@code sql} returns (0 for SQL NULL). */
    public static long queryLong(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new SQLException("the query returned no row: " + sql);
            }
            return rs.getLong(1);
        }
    }

    /** A read-only connection from {@code dataSource}, with auto-commit off. */
    public static Connection readOnly(DataSource dataSource) throws SQLException {
        Connection c = dataSource.getConnection();
        try {
            c.setAutoCommit(false);
            c.setReadOnly(true);
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    /** {@code name} as a quoted SQL identifier ({@code "a""b"}). */
    public static String quoteIdentifier(String name) {
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("an identifier cannot contain NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code schema.table} with both parts quoted. */
    public static String qualified(String schema, String table) {
        return quoteIdentifier(schema) + "." + quoteIdentifier(table);
    }

    /**
     * A failure talking to {@code where} ("127.0.0.1:5432/app"): a credential problem for class 28,
     * transient for connection problems (class 08, 57P01-57P03), an external failure otherwise. The message is
     * redacted.
     */
    public static RollbackException failure(String what, String where, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = what + " on " + where + " failed: " + Redaction.describe(e)
                + (state.isEmpty() ? "" : " (SQLState " + state + ")");
        if (state.startsWith("28")) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " on " + where + " failed: credential problem (SQLState " + state + "): "
                            + Redaction.describe(e),
                    e);
        }
        if (state.startsWith("08") || state.startsWith("57P")) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }
}
