package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * The provider's tables, created and upgraded in order under a transaction-level advisory lock,
 * so that several nodes starting at once apply each version once. {@code schema_version} records
 * every version applied; a database whose schema is newer than this code is refused.
 */
final class CoordinationSchema {
    /** The advisory lock key that serializes migrations ("rollback" in ASCII). */
    private static final long MIGRATION_LOCK = 0x726f6c6c6261636bL;

    /** Version n is {@code MIGRATIONS.get(n - 1)}; statements use {@code %s} for the schema. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    "CREATE TABLE %s.journal (run_id text NOT NULL, sequence bigint NOT NULL CHECK (sequence >= 0),"
                            + " type text NOT NULL, at timestamptz NOT NULL, step_id text, fencing_token bigint NOT NULL,"
                            + " data_keys text[] NOT NULL, data_values text[] NOT NULL, prev_hash text NOT NULL,"
                            + " hash text NOT NULL, PRIMARY KEY (run_id, sequence))",
                    "CREATE TABLE %s.lock_tokens (lock_key text PRIMARY KEY, token bigint NOT NULL CHECK (token > 0))"),
            // 2: one token sequence for both lock modes (continuing above every token version 1 handed out)
            // and the lease rows of LockMode.LEASE.
            List.of(
                    "CREATE SEQUENCE %1$s.lock_token_seq",
                    "SELECT setval('%1$s.lock_token_seq',"
                            + " coalesce((SELECT max(token) FROM %1$s.lock_tokens), 0) + 1, false)",
                    "CREATE TABLE %1$s.run_leases (lock_key text PRIMARY KEY, token bigint NOT NULL CHECK (token > 0),"
                            + " holder text NOT NULL, expires_at timestamptz NOT NULL)"),
            // 3: the journal's protection: a MAC per record (when a key is configured) and an anchor per run
            // (its record count and head hash, written in the append's transaction); runs journaled before
            // are anchored at their current head.
            List.of(
                    "ALTER TABLE %1$s.journal ADD COLUMN mac text",
                    "CREATE TABLE %1$s.journal_anchors (run_id text PRIMARY KEY, record_count bigint NOT NULL,"
                            + " head_hash text NOT NULL, mac text)",
                    "INSERT INTO %1$s.journal_anchors (run_id, record_count, head_hash)"
                            + " SELECT run_id, sequence + 1, hash FROM %1$s.journal j WHERE sequence ="
                            + " (SELECT max(sequence) FROM %1$s.journal k WHERE k.run_id = j.run_id)"));

    /** The version this code writes. */
    static final int VERSION = MIGRATIONS.size();

    private CoordinationSchema() {}

    /** Creates or upgrades the tables in {@code schema}; returns the version in place. */
    /** The schema's version (0 when it has no version table), read in one statement of its own. */
    private static int currentVersion(Connection c, String schema) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            ps.setString(1, Jdbc.quoteIdentifier(schema) + ".schema_version");
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return 0;
                }
            }
        }
        return (int) Jdbc.queryLong(
                c, "SELECT coalesce(max(version), 0) FROM " + Jdbc.quoteIdentifier(schema) + ".schema_version");
    }

    static int migrate(PostgresEndpoint endpoint, String schema) {
        String s = Jdbc.quoteIdentifier(schema);
        try (Connection c = connect(endpoint)) {
            // The common case, a fleet of nodes starting against tables already at this version: one read,
            // no lock and no DDL (a thousand nodes would otherwise queue behind the migration lock).
            if (currentVersion(c, schema) == VERSION) {
                return VERSION;
            }
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
                st.execute("CREATE SCHEMA IF NOT EXISTS " + s);
                st.execute("CREATE TABLE IF NOT EXISTS " + s + ".schema_version (version int PRIMARY KEY,"
                        + " applied_at timestamptz NOT NULL DEFAULT now())");
                int current = (int) Jdbc.queryLong(c, "SELECT coalesce(max(version), 0) FROM " + s + ".schema_version");
                if (current > VERSION) {
                    throw new RollbackException(
                            ErrorCode.JOURNAL_FAILURE,
                            "the coordination schema " + schema + " on "
                                    + endpoint.describe() + " is at version " + current
                                    + ", newer than this provider's "
                                    + VERSION + "; upgrade provider-postgres");
                }
                for (int v = current + 1; v <= VERSION; v++) {
                    for (String statement : MIGRATIONS.get(v - 1)) {
                        st.execute(String.format(statement, s));
                    }
                    st.execute("INSERT INTO " + s + ".schema_version(version) VALUES (" + v + ")");
                }
            }
            c.commit();
            return VERSION;
        } catch (SQLException e) {
            throw unreachable(ErrorCode.JOURNAL_FAILURE, "preparing the coordination tables", endpoint, e);
        }
    }

    /**
     * How long a coordination connection waits for any one reply before it counts as broken, unless
     * set otherwise: a store that stops answering (a frozen VM, a dropped route) must fail an append
     * or a lock call, never hang the run behind it.
     */
    static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /** A connection, or a fail-closed error naming the store, never its credentials. */
    static Connection connect(PostgresEndpoint endpoint) throws SQLException {
        return connect(endpoint, READ_TIMEOUT);
    }

    /** A connection whose reads give up after {@code readTimeout} (a class 08 error, as a reset is). */
    static Connection connect(PostgresEndpoint endpoint, Duration readTimeout) throws SQLException {
        Connection c = endpoint.connect();
        try {
            // Unnamed statements only: through a transaction-mode pooler each transaction may reach another
            // server connection, where a named prepared statement would be missing (or already there).
            c.unwrap(org.postgresql.PGConnection.class).setPrepareThreshold(0);
            c.setNetworkTimeout(Runnable::run, (int) Math.min(Integer.MAX_VALUE, readTimeout.toMillis()));
            return c;
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** The error for a store that failed: names host, port and database; the cause is redacted. */
    static RollbackException unreachable(ErrorCode code, String what, PostgresEndpoint endpoint, SQLException e) {
        return new RollbackException(
                code,
                what + " failed: the coordination store " + endpoint.describe() + " (user " + endpoint.user()
                        + ") is unreachable or refused: " + Redaction.describe(e),
                e);
    }
}
