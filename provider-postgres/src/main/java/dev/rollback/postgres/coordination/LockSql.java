package dev.rollback.postgres.coordination;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The statements both lock modes share. Stateless. */
final class LockSql {
    private LockSql() {}

    /** The server backend behind {@code c} now. */
    static long backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The next fencing token from {@code sequence} (a qualified, quoted name). */
    static long nextToken(Connection c, String sequence) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT nextval('" + sequence + "')")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // closing a broken connection; nothing to keep
            }
        }
    }
}
