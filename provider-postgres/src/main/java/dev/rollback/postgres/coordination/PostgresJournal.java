package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Arguments;
import dev.rollback.postgres.internal.Jdbc;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link Journal} in PostgreSQL, shared by every node of an application: one row per record in
 * {@code <schema>.journal}, created by the provider with a versioned schema
 * ({@code <schema>.schema_version}).
 *
 * <p>Guarantees: {@link #append(JournalRecord)} returns once the row is committed. Sequences have no
 * gap (a record must follow the run's last one) and no duplicate ({@code PRIMARY KEY (run_id,
 * sequence)}): appending a record identical to the stored one at its sequence (a retry after a
 * lost acknowledgement) is accepted once, a different one is refused. A record whose fencing token
 * is lower than one already in the run is refused (a stale holder). Each row carries a SHA-256 hash
 * chained to the previous one; {@link #records(String)} checks the chain and throws naming the
 * first bad record when a row was edited, deleted or reordered. An unreachable store fails closed
 * with {@code JOURNAL_FAILURE}, naming host and database, never the password.
 *
 * <p>Thread-safe; one connection per call. It never deletes or rewrites a record.
 */
public final class PostgresJournal implements Journal {
    private static final String GENESIS = "0".repeat(64);

    private final PostgresEndpoint endpoint;
    private final String table;

    private PostgresJournal(PostgresEndpoint endpoint, String schema) {
        this.endpoint = endpoint;
        this.table = Jdbc.quoteIdentifier(schema) + ".journal";
    }

    /**
     * Opens the journal in schema {@code rollback} of {@code endpoint}'s database, creating or
     * upgrading its tables.
     *
     * @throws RollbackException {@code JOURNAL_FAILURE} if the store is unreachable
     */
    public static PostgresJournal open(PostgresEndpoint endpoint) {
        return open(endpoint, "rollback");
    }

    /** Opens the journal in {@code schema} (letters, digits, '_', '$', '-'). */
    public static PostgresJournal open(PostgresEndpoint endpoint, String schema) {
        Objects.requireNonNull(endpoint, "endpoint");
        Arguments.requireName(schema, "schema");
        CoordinationSchema.migrate(endpoint, schema);
        return new PostgresJournal(endpoint, schema);
    }

    @Override
    public void append(JournalRecord record) {
        Objects.requireNonNull(record, "record");
        try (Connection c = CoordinationSchema.connect(endpoint)) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 7))")) {
                lock.setString(1, record.runId());
                lock.execute();
            }
            Optional<Stored> last = last(c, record.runId());
            long expected = last.map(s -> s.sequence + 1).orElse(0L);
            if (record.sequence() < expected) {
                Stored existing = at(c, record.runId(), record.sequence());
                c.rollback();
                if (existing.hash.equals(hash(existing.prevHash, record))) {
                    return;
                }
                throw refuse(record, "a different record already holds sequence " + record.sequence());
            }
            if (record.sequence() > expected) {
                c.rollback();
                throw refuse(record, "it would leave a gap: the next sequence is " + expected);
            }
            long highestToken = maxToken(c, record.runId());
            if (record.fencingToken() < highestToken) {
                c.rollback();
                throw refuse(record, "its fencing token " + record.fencingToken() + " is older than " + highestToken
                        + " already in the run (a stale lock holder)");
            }
            String prev = last.map(s -> s.hash).orElse(GENESIS);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (run_id, sequence, type, at,"
                    + " step_id, fencing_token, data_keys, data_values, prev_hash, hash)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, record.runId());
                ps.setLong(2, record.sequence());
                ps.setString(3, record.type().name());
                ps.setTimestamp(4, Timestamp.from(record.at().truncatedTo(ChronoUnit.MICROS)));
                ps.setString(5, record.stepId().orElse(null));
                ps.setLong(6, record.fencingToken());
                ps.setArray(7, c.createArrayOf("text", record.data().keySet().toArray()));
                ps.setArray(8, c.createArrayOf("text", record.data().values().toArray()));
                ps.setString(9, prev);
                ps.setString(10, hash(prev, record));
                ps.executeUpdate();
            }
            c.commit();
        } catch (SQLException e) {
            throw CoordinationSchema.unreachable(ErrorCode.JOURNAL_FAILURE, "appending " + record.type() + " #"
                    + record.sequence() + " of run " + record.runId(), endpoint, e);
        }
    }

    @Override
    public List<JournalRecord> records(String runId) {
        Objects.requireNonNull(runId, "runId");
        List<JournalRecord> records = new ArrayList<>();
        try (Connection c = CoordinationSchema.connect(endpoint);
             PreparedStatement ps = c.prepareStatement("SELECT sequence, type, at, step_id, fencing_token, data_keys,"
                     + " data_values, prev_hash, hash FROM " + table + " WHERE run_id = ? ORDER BY sequence")) {
            ps.setString(1, runId);
            String prev = GENESIS;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long sequence = rs.getLong(1);
                    Map<String, String> data = new LinkedHashMap<>();
                    String[] keys = strings(rs.getArray(6));
                    String[] values = strings(rs.getArray(7));
                    for (int i = 0; i < keys.length; i++) {
                        data.put(keys[i], i < values.length ? values[i] : "");
                    }
                    JournalRecord record;
                    try {
                        record = new JournalRecord(runId, sequence, JournalRecord.Type.valueOf(rs.getString(2)),
                                rs.getTimestamp(3).toInstant(), Optional.ofNullable(rs.getString(4)), rs.getLong(5), data);
                    } catch (IllegalArgumentException e) {
                        throw tampered(runId, sequence, "it cannot be read (" + e.getMessage() + ")");
                    }
                    if (sequence != records.size() || !prev.equals(rs.getString(8))
                            || !rs.getString(9).equals(hash(prev, record))) {
                        throw tampered(runId, sequence, "its hash chain does not verify (edited, deleted, reordered"
                                + " or rebuilt)");
                    }
                    prev = rs.getString(9);
                    records.add(record);
                }
            }
            return List.copyOf(records);
        } catch (SQLException e) {
            throw CoordinationSchema.unreachable(ErrorCode.JOURNAL_FAILURE, "reading run " + runId, endpoint, e);
        }
    }

    @Override
    public List<String> unfinishedRuns() {
        List<String> runs = new ArrayList<>();
        try (Connection c = CoordinationSchema.connect(endpoint);
             PreparedStatement ps = c.prepareStatement("SELECT run_id FROM " + table + " GROUP BY run_id"
                     + " HAVING bool_or(type = 'RUN_STARTED') AND NOT bool_or(type = 'RUN_FINISHED') ORDER BY min(at)");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                runs.add(rs.getString(1));
            }
            return List.copyOf(runs);
        } catch (SQLException e) {
            throw CoordinationSchema.unreachable(ErrorCode.JOURNAL_FAILURE, "listing unfinished runs", endpoint, e);
        }
    }

    /** The schema version in place (for diagnostics). */
    public int schemaVersion() {
        return CoordinationSchema.VERSION;
    }

    @Override
    public String toString() {
        return "PostgresJournal[" + endpoint.describe() + ", " + table + "]";
    }

    private Optional<Stored> last(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sequence, prev_hash, hash FROM " + table
                + " WHERE run_id = ? ORDER BY sequence DESC LIMIT 1")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new Stored(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    private Stored at(Connection c, String runId, long sequence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT sequence, prev_hash, hash FROM " + table
                + " WHERE run_id = ? AND sequence = ?")) {
            ps.setString(1, runId);
            ps.setLong(2, sequence);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw tampered(runId, sequence, "it is missing below the run's last record");
                }
                return new Stored(rs.getLong(1), rs.getString(2), rs.getString(3));
            }
        }
    }

    private long maxToken(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(max(fencing_token), 0) FROM " + table
                + " WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * SHA-256 over the previous hash and every field, each length-prefixed so no two records collide.
     * The instant counts in whole microseconds, truncated, as it is stored.
     */
    static String hash(String prev, JournalRecord r) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        List<String> fields = new ArrayList<>(List.of(prev, r.runId(), Long.toString(r.sequence()), r.type().name(),
                Long.toString(r.at().toEpochMilli() * 1000 + r.at().getNano() / 1000 % 1000),
                r.stepId().orElse("\0"), Long.toString(r.fencingToken())));
        r.data().forEach((k, v) -> {
            fields.add(k);
            fields.add(v);
        });
        for (String field : fields) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            md.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            md.update((byte) ':');
            md.update(bytes);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String[] strings(Array array) throws SQLException {
        return (String[]) array.getArray();
    }

    private static RollbackException refuse(JournalRecord r, String why) {
        return new RollbackException(ErrorCode.JOURNAL_FAILURE, "refused " + r.type() + " #" + r.sequence()
                + " of run " + r.runId() + ": " + why);
    }

    private static RollbackException tampered(String runId, long sequence, String why) {
        return new RollbackException(ErrorCode.JOURNAL_FAILURE, "the journal of run " + runId + " is damaged at record #"
                + sequence + ": " + why);
    }

    /** The chain fields of a stored row. */
    private record Stored(long sequence, String prevHash, String hash) {
    }
}
