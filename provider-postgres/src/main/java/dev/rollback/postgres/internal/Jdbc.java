package dev.rollback.postgres.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;

import java.sql.SQLException;

/** JDBC helpers: identifier quoting and failures turned into errors that name the store, not its secret. */
public final class Jdbc {
    private Jdbc() {
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
     * A failure talking to {@code where} ("127.0.0.1:5432/app"): transient for connection
     * problems (SQLState class 08, 57P01-57P03), an external failure otherwise. The message is
     * redacted.
     */
    public static RollbackException failure(String what, String where, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String message = what + " on " + where + " failed: " + Redaction.describe(e)
                + (state.isEmpty() ? "" : " (SQLState " + state + ")");
        if (state.startsWith("08") || state.startsWith("57P")) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }
}
