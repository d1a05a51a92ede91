package dev.rollback.api;

import java.sql.SQLException;

/**
 * The {@link RedactedCause} of a {@link SQLException}: a redacted message, the original's
 * SQLState and vendor code, so a caller that branches on {@code getSQLState()} still can.
 * Package-private: callers see a {@code SQLException}.
 */
final class RedactedSqlException extends SQLException {
    private static final long serialVersionUID = 1L;

    RedactedSqlException(String message, String sqlState, int vendorCode) {
        super(message, sqlState, vendorCode);
    }

    @Override
    public String toString() {
        return "RedactedSqlException[" + getSQLState() + "]: " + getMessage();
    }
}
