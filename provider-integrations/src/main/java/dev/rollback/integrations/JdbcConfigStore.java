package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.integrations.internal.Jdbc;
import dev.rollback.integrations.internal.SqlNames;
import dev.rollback.integrations.spi.ConfigConflictException;
import dev.rollback.integrations.spi.ConfigDocument;
import dev.rollback.integrations.spi.ConfigStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * A {@link ConfigStore} in a table of the application's database, one row per version: the
 * application reads the row with the highest version of a name, and every earlier version stays
 * (the one before the current is {@link #previous}). The table, by default {@code rollback_config}:
 *
 * <pre>{@code
 * CREATE TABLE rollback_config (
 *   name       VARCHAR(128)             NOT NULL,
 *   version    BIGINT                   NOT NULL,
 *   content    TEXT                     NOT NULL,
 *   sha256     CHAR(64)                 NOT NULL,
 *   written_at TIMESTAMP WITH TIME ZONE NOT NULL,
 *   written_by VARCHAR(256)             NOT NULL,
 *   PRIMARY KEY (name, version))
 * }</pre>
 * ({@link #createTable(Duration)} runs it with {@code IF NOT EXISTS}.)
 *
 * <p>A {@link #replace replace} inserts version n+1 in one transaction after checking the highest
 * version is still the n the caller read; two writers racing for n+1 collide on the primary key and
 * one gets a {@link ConfigConflictException}, so no change is ever overwritten unseen. Reads check
 * each row's digest against its text, so an edited row is an error, never a silent switch.
 *
 * <p>Statements time out with the caller's budget ({@code setQueryTimeout}); how long getting a
 * connection may take is the data source's setting (a pool's connection timeout, the driver's
 * {@code connectTimeout}). A lost or refused connection is a
 * {@link dev.rollback.api.TransientFailureException}; a refused login a {@code CREDENTIAL_PROBLEM}.
 *
 * <p>Immutable and thread-safe. It never deletes or updates a row, and never shows a text.
 */
public final class JdbcConfigStore implements ConfigStore {
    private final DataSource dataSource;
    private final String table;

    private JdbcConfigStore(Builder b) {
        this.dataSource = b.dataSource;
        this.table = b.table;
    }

    /** A builder; the data source is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The table's name. */
    public String table() {
        return table;
    }

    @Override
    public String describe() {
        return "JDBC table " + table;
    }

    /** Creates the table if it does not exist (PostgreSQL syntax; see the class comment). */
    public void createTable(Duration timeout) {
        Arguments.requirePositive(timeout, "timeout");
        Jdbc.read(dataSource, "creating " + describe(), c -> {
            try (Statement s = c.createStatement()) {
                Jdbc.limit(s, timeout);
                s.execute("CREATE TABLE IF NOT EXISTS " + table + " (name VARCHAR(128) NOT NULL,"
                        + " version BIGINT NOT NULL, content TEXT NOT NULL, sha256 CHAR(64) NOT NULL,"
                        + " written_at TIMESTAMP WITH TIME ZONE NOT NULL, written_by VARCHAR(256) NOT NULL,"
                        + " PRIMARY KEY (name, version))");
            }
            return null;
        });
    }

    /**
     * Adds version 1 of {@code name} (a configuration the application did not have in this store
     * yet, such as a backup). Refused with a {@link ConfigConflictException} if the name exists.
     */
    public ConfigDocument create(String name, String content, String writer, Duration timeout) {
        Arguments.requireId(name, "name");
        Objects.requireNonNull(content, "content");
        Arguments.requireText(writer, "writer");
        Arguments.requirePositive(timeout, "timeout");
        return Jdbc.inTransaction(dataSource, "creating '" + name + "' in " + describe(), c -> {
            if (!versions(c, name, 1, timeout).isEmpty()) {
                throw new ConfigConflictException(describe() + ": configuration '" + name + "' already exists");
            }
            return insert(c, name, 1, content, writer, timeout);
        });
    }

    @Override
    public Optional<ConfigDocument> read(String name, Duration timeout) {
        Arguments.requireId(name, "name");
        Arguments.requirePositive(timeout, "timeout");
        List<ConfigDocument> found =
                Jdbc.read(dataSource, "reading '" + name + "' from " + describe(), c -> versions(c, name, 1, timeout));
        return found.stream().findFirst();
    }

    @Override
    public Optional<ConfigDocument> previous(String name, Duration timeout) {
        Arguments.requireId(name, "name");
        Arguments.requirePositive(timeout, "timeout");
        List<ConfigDocument> found = Jdbc.read(
                dataSource,
                "reading the previous version of '" + name + "' from " + describe(),
                c -> versions(c, name, 2, timeout));
        return found.size() < 2 ? Optional.empty() : Optional.of(found.get(1));
    }

    @Override
    public ConfigDocument replace(
            String name, ConfigDocument expected, String content, String writer, Duration timeout) {
        Arguments.requireId(name, "name");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(content, "content");
        Arguments.requireText(writer, "writer");
        Arguments.requirePositive(timeout, "timeout");
        long expectedVersion = versionNumber(expected);
        try {
            return Jdbc.inTransaction(dataSource, "replacing '" + name + "' in " + describe(), c -> {
                List<ConfigDocument> current = versions(c, name, 1, timeout);
                if (current.isEmpty()) {
                    throw new ConfigConflictException(describe() + ": configuration '" + name
                            + "' no longer exists; it was at version " + expected.version() + " when read");
                }
                if (!current.get(0).equals(expected)) {
                    throw new ConfigConflictException(describe() + ": configuration '" + name
                            + "' changed since it was read (read at version " + expected.version()
                            + ", now at version " + current.get(0).version() + "); nothing was written");
                }
                return insert(c, name, expectedVersion + 1, content, writer, timeout);
            });
        } catch (RollbackException e) {
            if (e.getCause() instanceof SQLException sql && Jdbc.isIntegrityViolation(sql)) {
                throw new ConfigConflictException(describe() + ": another writer added version " + (expectedVersion + 1)
                        + " of '" + name + "' at the same time; nothing was written");
            }
            throw e;
        }
    }

    private List<ConfigDocument> versions(Connection c, String name, int most, Duration timeout) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "SELECT version, content, sha256 FROM " + table + " WHERE name = ? ORDER BY version DESC")) {
            Jdbc.limit(s, timeout);
            s.setMaxRows(most);
            s.setString(1, name);
            List<ConfigDocument> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next() && out.size() < most) {
                    long version = rs.getLong(1);
                    String content = rs.getString(2);
                    String stored = rs.getString(3).trim();
                    ConfigDocument d = ConfigDocument.of(name, Long.toString(version), content);
                    if (!d.sha256().equals(stored)) {
                        throw new RollbackException(
                                ErrorCode.INVALID_CONFIGURATION,
                                describe() + ": version " + version + " of '" + name
                                        + "' does not match its recorded SHA-256 (the row was edited); refusing to use it");
                    }
                    out.add(d);
                }
            }
            return out;
        }
    }

    private ConfigDocument insert(
            Connection c, String name, long version, String content, String writer, Duration timeout)
            throws SQLException {
        String sha = Digests.sha256(content);
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO " + table
                        + " (name, version, content, sha256, written_at, written_by) VALUES (?, ?, ?, ?, CURRENT_TIMESTAMP, ?)")) {
            Jdbc.limit(s, timeout);
            s.setString(1, name);
            s.setLong(2, version);
            s.setString(3, content);
            s.setString(4, sha);
            s.setString(5, writer.length() > 256 ? writer.substring(0, 256) : writer);
            s.executeUpdate();
        }
        return ConfigDocument.of(name, Long.toString(version), content);
    }

    private long versionNumber(ConfigDocument expected) {
        try {
            return Long.parseLong(expected.version());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected must be a version read from " + describe()
                    + " (a number), but its version was '" + Arguments.printable(expected.version()) + "'");
        }
    }

    @Override
    public String toString() {
        return "JdbcConfigStore[" + table + "]";
    }

    /** Builds a {@link JdbcConfigStore}. Not thread-safe; reusable. */
    public static final class Builder {
        private DataSource dataSource;
        private String table = "rollback_config";

        private Builder() {}

        /** The application's database. Required. Its connection timeout bounds how long getting a connection takes. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The table, optionally {@code schema.table}; a plain SQL name. Default {@code rollback_config}. */
        public Builder table(String table) {
            this.table = SqlNames.requireTable(table, "table");
            return this;
        }

        /**
         * The store.
         *
         * @throws IllegalStateException if the data source is missing
         */
        public JdbcConfigStore build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            return new JdbcConfigStore(this);
        }
    }
}
