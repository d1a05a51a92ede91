package dev.rollback.postgres.coordination;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.ToolArguments;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link Journal} in PostgreSQL, shared by every node of an application: one row per record in
 * {@code <schema>.journal}, created by the provider with a versioned schema
 * ({@code <schema>.schema_version}).
 *
 * <p>Guarantees: {@link #append(JournalRecord)} returns once the row is committed. Sequences have no
 * gap (a record must follow the run's last one; one that arrives before its predecessor waits for
 * it, at most {@link Builder#sequenceGapTimeout(Duration)}) and no duplicate ({@code PRIMARY KEY
 * (run_id, sequence)}): appending a record identical to the stored one at its sequence (a retry after
 * a lost acknowledgement) is accepted once, a different one is refused. An append whose connection
 * breaks or is refused reconnects and tries again for {@link Builder#retryFor(Duration)}; that is
 * safe even when the server had committed and only its reply was lost, because the retry finds the
 * identical record. A record whose fencing token is lower than one already in the run is refused
 * with {@code LOCK_UNAVAILABLE} (a stale holder). These are the rules of the {@link Journal} contract.
 * Each row carries a SHA-256 hash chained to the previous one (and, with {@link Builder#hmacKey(byte[])}, a
 * MAC under a key kept outside the database), and each run an anchor of its head written in the same
 * transaction; {@link #records(String)} checks them and throws naming the first bad record when a row was
 * edited, deleted, cut from the end or the chain rebuilt, {@link #verify(String)} returns the verdict (what
 * it cannot detect is said there), and {@link #unfinishedRuns()} never offers a damaged run for resume,
 * nor lets it hide the others. A store that
 * stops answering counts as broken after {@link Builder#readTimeout(Duration)}.
 * An unreachable store fails closed with {@code JOURNAL_FAILURE}, naming host and
 * database, never the password.
 *
 * <p>Thread-safe; one connection per call. It never deletes or rewrites a record.
 */
public final class PostgresJournal implements Journal {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PostgresJournal.class);
    private static final String GENESIS = "0".repeat(64);
    /** What {@code tryAppend} returns when the record is stored. */
    private static final long WRITTEN = -1;

    private static final long GAP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final PostgresEndpoint endpoint;
    private final String table;
    private final Duration retryFor;
    private final Duration sequenceGapTimeout;
    private final Duration readTimeout;
    private final String anchors;
    /** The MAC key, if one was configured; never written, logged or shown. */
    private final Optional<SecretKeySpec> macKey;
    /** Counts appends that ended in this instance; its monitor wakes appenders waiting for a predecessor. */
    private final AtomicLong progress = new AtomicLong();
    /** Per run, the sequences whose append failed here: a record after one of them refuses at once. */
    private final Map<String, Set<Long>> failed = new ConcurrentHashMap<>();

    private PostgresJournal(Builder b) {
        this.endpoint = b.endpoint;
        this.table = Jdbc.quoteIdentifier(b.schema) + ".journal";
        this.retryFor = b.retryFor;
        this.sequenceGapTimeout = b.sequenceGapTimeout;
        this.readTimeout = b.readTimeout;
        this.anchors = Jdbc.quoteIdentifier(b.schema) + ".journal_anchors";
        this.macKey = Optional.ofNullable(b.hmacKey).map(k -> new SecretKeySpec(k, "HmacSHA256"));
    }

    /**
     * Opens the journal in schema {@code rollback} of {@code endpoint}'s database, creating or
     * upgrading its tables.
     *
     * @throws RollbackException {@code JOURNAL_FAILURE} if the store is unreachable
     */
    public static PostgresJournal open(PostgresEndpoint endpoint) {
        return builder(endpoint).build();
    }

    /** Opens the journal in {@code schema} (letters, digits, '_', '$', '-'). */
    public static PostgresJournal open(PostgresEndpoint endpoint, String schema) {
        return builder(endpoint).schema(schema).build();
    }

    /** A builder for a journal on {@code endpoint}, with the defaults of {@link #open(PostgresEndpoint)}. */
    public static Builder builder(PostgresEndpoint endpoint) {
        return new Builder(Objects.requireNonNull(endpoint, "endpoint"));
    }

    @Override
    public void append(JournalRecord record) {
        Objects.requireNonNull(record, "record");
        // An interrupt does not stop an append (the record may be durable already); the driver would
        // refuse to connect on an interrupted thread, so the flag is set aside and restored at the end.
        boolean interruptedBefore = Thread.interrupted();
        String what = "appending " + record.type() + " #" + record.sequence() + " of run " + record.runId();
        // Carried across reconnects: the gap wait does not start again on a new connection.
        GapWait gap = new GapWait();
        try {
            reconnecting(
                    Retrying.APPEND,
                    (attempts, connectionLost) -> connectionLost
                            ? what + " (" + attempts + (attempts == 1 ? " attempt" : " attempts") + ", retried for "
                                    + retryFor
                                    + "; the record may have been written: appending the identical record again is safe)"
                            : what,
                    c -> {
                        c.setAutoCommit(false);
                        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                        appendOn(c, record, gap);
                        return null;
                    });
            done(record, true);
        } catch (RuntimeException e) {
            done(record, false);
            throw e;
        } finally {
            if (interruptedBefore || gap.interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** How long an append has waited for its predecessor, across connections. Confined to one append. */
    private static final class GapWait {
        long deadline;
        boolean interrupted;
    }

    /**
     * Appends on {@code c}, waiting there (the run's lock released) while the record's predecessor is
     * missing, until {@code gap}'s deadline.
     */
    private void appendOn(Connection c, JournalRecord record, GapWait gap) throws SQLException {
        while (true) {
            long seen = progress.get();
            long expected = tryAppend(c, record);
            if (expected == WRITTEN) {
                return;
            }
            // A gap: the record before it is not there yet. The executor draws sequence numbers
            // before appending from several threads, so it may still come; wait for it (on the
            // same connection, the run's lock released), as FileJournal does.
            long now = System.nanoTime();
            if (gap.deadline == 0) {
                gap.deadline = now + sequenceGapTimeout.toNanos();
            }
            if (failedHere(record.runId(), expected)) {
                throw refuse(
                        record,
                        "it would leave a gap: the next sequence is " + expected + ", and appending record " + expected
                                + " failed");
            }
            if (now >= gap.deadline) {
                // Whatever comes after waits no longer for a record that never came.
                markFailed(record.runId(), expected);
                throw refuse(
                        record,
                        "it would leave a gap: the next sequence is " + expected + ", and record " + expected
                                + " did not come within " + sequenceGapTimeout);
            }
            gap.interrupted |= awaitProgress(seen, Math.min(gap.deadline - now, GAP_POLL_NANOS));
        }
    }

    /**
     * One attempt on {@code c}, under the run's advisory transaction lock: writes the record, accepts it
     * as written when the identical record holds its sequence, refuses a different one or a stale
     * fencing token, or reports a gap (and releases the lock).
     *
     * @return {@link #WRITTEN}, or the run's next sequence when the record would leave a gap before it
     */
    private long tryAppend(Connection c, JournalRecord record) throws SQLException {
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
                return WRITTEN;
            }
            throw refuse(record, "a different record already holds sequence " + record.sequence());
        }
        if (record.sequence() > expected) {
            c.rollback();
            return expected;
        }
        long highestToken = maxToken(c, record.runId());
        if (record.fencingToken() < highestToken) {
            c.rollback();
            throw refuse(
                    ErrorCode.LOCK_UNAVAILABLE,
                    record,
                    "its fencing token " + record.fencingToken() + " is older than " + highestToken
                            + " already in the run (a stale lock holder)");
        }
        String prev = last.map(s -> s.hash).orElse(GENESIS);
        Optional<Anchor> anchor = anchor(c, record.runId());
        long stored = last.map(s -> s.sequence + 1).orElse(0L);
        if (anchor.map(a -> a.count != stored || !a.head.equals(prev)).orElse(stored > 0)) {
            c.rollback();
            throw tampered(
                    record.runId(),
                    stored,
                    anchor.map(a -> "its anchor says " + a.count + " records, the table holds " + stored
                                    + " (the history was cut or rebuilt); nothing is appended to it")
                            .orElse("its anchor is missing; nothing is appended to it"));
        }
        String hash = hash(prev, record);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (run_id, sequence, type, at,"
                + " step_id, fencing_token, data_keys, data_values, prev_hash, hash, mac)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, record.runId());
            ps.setLong(2, record.sequence());
            ps.setString(3, record.type().name());
            ps.setTimestamp(4, Timestamp.from(record.at().truncatedTo(ChronoUnit.MICROS)));
            ps.setString(5, record.stepId().orElse(null));
            ps.setLong(6, record.fencingToken());
            ps.setArray(7, c.createArrayOf("text", record.data().keySet().toArray()));
            ps.setArray(8, c.createArrayOf("text", record.data().values().toArray()));
            ps.setString(9, prev);
            ps.setString(10, hash);
            ps.setString(11, mac(hash).orElse(null));
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + anchors
                + " (run_id, record_count, head_hash, mac) VALUES (?, ?, ?, ?) ON CONFLICT (run_id) DO UPDATE SET"
                + " record_count = excluded.record_count, head_hash = excluded.head_hash, mac = excluded.mac")) {
            ps.setString(1, record.runId());
            ps.setLong(2, stored + 1);
            ps.setString(3, hash);
            ps.setString(4, mac(anchorText(record.runId(), stored + 1, hash)).orElse(null));
            ps.executeUpdate();
        }
        c.commit();
        return WRITTEN;
    }

    /** Notes how an append ended and wakes appenders waiting for their predecessor. */
    private void done(JournalRecord record, boolean written) {
        if (!written) {
            markFailed(record.runId(), record.sequence());
        }
        progress.incrementAndGet();
        synchronized (progress) {
            progress.notifyAll();
        }
    }

    private void markFailed(String runId, long sequence) {
        failed.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(sequence);
    }

    /** Whether an append of {@code sequence} of {@code runId} through this instance failed. */
    private boolean failedHere(String runId, long sequence) {
        Set<Long> sequences = failed.get(runId);
        return sequences != null && sequences.contains(sequence);
    }

    /**
     * Waits until another append of this instance ended (or {@code nanos} passed: the predecessor may
     * come from another instance). Returns whether the thread was interrupted; the wait goes on
     * regardless, like FileJournal's, because a record the caller announced must not be dropped halfway.
     */
    private boolean awaitProgress(long seen, long nanos) {
        synchronized (progress) {
            if (progress.get() != seen) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(progress, Math.max(1, nanos));
                return false;
            } catch (InterruptedException e) {
                return true;
            }
        }
    }

    /**
     * Closes without throwing: once the commit's answer was read, a connection that breaks while it is
     * closed must not turn a written record into a failure.
     */
    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // the server has the record (or the failure was already reported); nothing to undo
            }
        }
    }

    private static boolean pause(long nanos) {
        try {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, nanos));
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private static long backoffNanos(int failures) {
        return Math.min(MAX_BACKOFF_NANOS, FIRST_BACKOFF_NANOS << Math.min(10, failures - 1));
    }

    /**
     * A broken or refused connection, or a server shutting down or starting up: class 08, 57P01-57P03.
     * Anything else (a refused record, a constraint, a permission) is not retried.
     */
    private static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P");
    }

    @Override
    public List<JournalRecord> records(String runId) {
        Objects.requireNonNull(runId, "runId");
        Scan scan = scan(runId, "reading run " + runId);
        JournalVerification verdict = scan.verification();
        if (!verdict.verified() && verdict.finding() != JournalVerification.Finding.NO_SUCH_RUN) {
            throw tampered(
                    runId, verdict.firstBadSequence().orElse(scan.records().size()), verdict.detail());
        }
        return scan.records();
    }

    /**
     * Verifies the chain of {@code runId}: every row's hash over its content and the hash before it, that
     * the sequence has no hole, every row's MAC when a {@link Builder#hmacKey(byte[]) key} is set, and the
     * run's anchor (its record count and head, written in every append's transaction, MAC'd with the key).
     * It finds an edited row ({@code ALTERED}, naming it), rows deleted from the middle ({@code REMOVED}),
     * rows cut from the end ({@code TRUNCATED}), a chain rebuilt with recomputed hashes ({@code REBUILT}:
     * its head no longer matches the anchor; with a key, also when the anchor was rewritten to match, since
     * neither the rows' nor the anchor's MACs can be recomputed without the key), a deleted anchor
     * ({@code ANCHOR_MISSING}). Not detected: without a key, someone who can write both tables can rebuild a
     * run and its anchor consistently; with a key, roll a run and its anchor back to an earlier authentic
     * state together. Keep the head hash the report states elsewhere to catch those.
     *
     * @return the verdict; never empty
     * @throws RollbackException {@code JOURNAL_FAILURE} if the store cannot be read
     */
    @Override
    public Optional<JournalVerification> verify(String runId) {
        Objects.requireNonNull(runId, "runId");
        return Optional.of(scan(runId, "verifying run " + runId).verification());
    }

    /** Reads and checks the rows of {@code runId} up to the first bad one. */
    private Scan scan(String runId, String what) {
        return read(what, c -> {
            List<JournalRecord> records = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT sequence, type, at, step_id, fencing_token, data_keys,"
                            + " data_values, prev_hash, hash, mac FROM " + table
                            + " WHERE run_id = ? ORDER BY sequence")) {
                ps.setString(1, runId);
                String prev = GENESIS;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long sequence = rs.getLong(1);
                        long expected = records.size();
                        if (sequence != expected) {
                            return scanned(
                                    runId,
                                    records,
                                    prev,
                                    JournalVerification.Finding.REMOVED,
                                    expected,
                                    (sequence - 1 == expected
                                                    ? "record " + expected + " is"
                                                    : "records " + expected + " to " + (sequence - 1) + " are")
                                            + " missing");
                        }
                        Map<String, String> data = new LinkedHashMap<>();
                        String[] keys = strings(rs.getArray(6));
                        String[] values = strings(rs.getArray(7));
                        for (int i = 0; i < keys.length; i++) {
                            data.put(keys[i], i < values.length ? values[i] : "");
                        }
                        JournalRecord record;
                        try {
                            record = new JournalRecord(
                                    runId,
                                    sequence,
                                    JournalRecord.Type.valueOf(rs.getString(2)),
                                    rs.getTimestamp(3).toInstant(),
                                    Optional.ofNullable(rs.getString(4)),
                                    rs.getLong(5),
                                    data);
                        } catch (IllegalArgumentException | NullPointerException e) {
                            return scanned(
                                    runId,
                                    records,
                                    prev,
                                    JournalVerification.Finding.ALTERED,
                                    sequence,
                                    "it cannot be read (" + e.getMessage() + ")");
                        }
                        if (!prev.equals(rs.getString(8))) {
                            return scanned(
                                    runId,
                                    records,
                                    prev,
                                    JournalVerification.Finding.ALTERED,
                                    sequence,
                                    "its hash chain does not verify: it does not point back to "
                                            + (sequence == 0 ? "the run's genesis" : "record " + (sequence - 1))
                                            + " (one of them was edited, or the chain rebuilt)");
                        }
                        if (!hash(prev, record).equals(rs.getString(9))) {
                            return scanned(
                                    runId,
                                    records,
                                    prev,
                                    JournalVerification.Finding.ALTERED,
                                    sequence,
                                    "its hash chain does not verify: its content does not match its hash (edited)");
                        }
                        if (macKey.isPresent() && !macMatches(rs.getString(9), rs.getString(10))) {
                            return scanned(
                                    runId,
                                    records,
                                    prev,
                                    JournalVerification.Finding.REBUILT,
                                    sequence,
                                    "its MAC " + (rs.getString(10) == null ? "is missing" : "does not verify")
                                            + " with the journal's key: the chain was rebuilt (or written) by someone"
                                            + " without the key");
                        }
                        prev = rs.getString(9);
                        records.add(record);
                    }
                }
                return againstAnchor(runId, records, prev, anchor(c, runId));
            }
        });
    }

    /**
     * The verdict on a chain that verified row by row, against the run's anchor (written in the same
     * transaction as every append): rows cut from the end ({@code TRUNCATED}), a chain rebuilt or extended
     * behind the journal's back ({@code REBUILT}: the head or count differs, or, with a key, the anchor's MAC
     * does not verify), every row deleted ({@code REMOVED}), an anchor deleted ({@code ANCHOR_MISSING}).
     */
    private Scan againstAnchor(String runId, List<JournalRecord> records, String head, Optional<Anchor> anchor) {
        long count = records.size();
        if (anchor.isEmpty()) {
            return count == 0
                    ? scanned(
                            runId,
                            records,
                            head,
                            JournalVerification.Finding.NO_SUCH_RUN,
                            -1,
                            "the journal holds no record of this run")
                    : scanned(
                            runId,
                            records,
                            head,
                            JournalVerification.Finding.ANCHOR_MISSING,
                            -1,
                            "the run's anchor is missing (deleted), so a cut or rebuilt history cannot be excluded");
        }
        Anchor a = anchor.get();
        if (macKey.isPresent() && !macMatches(anchorText(runId, a.count, a.head), a.mac)) {
            return scanned(
                    runId,
                    records,
                    head,
                    JournalVerification.Finding.REBUILT,
                    Math.min(count, a.count),
                    "the run's anchor " + (a.mac == null ? "has no MAC" : "has a MAC that does not verify")
                            + " with the journal's key: it was rewritten by someone without the key");
        }
        if (count == 0) {
            return scanned(
                    runId,
                    records,
                    head,
                    JournalVerification.Finding.REMOVED,
                    0,
                    "every record of the run was deleted; its anchor says " + a.count);
        }
        if (a.count > count) {
            return scanned(
                    runId,
                    records,
                    head,
                    JournalVerification.Finding.TRUNCATED,
                    count,
                    "records " + count + " to " + (a.count - 1) + " were cut from the end: the anchor says " + a.count
                            + " records, the table holds " + count);
        }
        if (a.count < count || !a.head.equals(head)) {
            return scanned(
                    runId,
                    records,
                    head,
                    JournalVerification.Finding.REBUILT,
                    a.count - 1,
                    "the chain was rebuilt: the anchor says " + a.count + " records ending in " + a.head
                            + ", the table holds " + count + " ending in " + head);
        }
        return scanned(
                runId,
                records,
                head,
                JournalVerification.Finding.VERIFIED,
                -1,
                "the chain verified against its anchor" + (macKey.isPresent() ? ", authenticated" : ""));
    }

    private Scan scanned(
            String runId,
            List<JournalRecord> records,
            String head,
            JournalVerification.Finding finding,
            long firstBad,
            String detail) {
        return new Scan(
                List.copyOf(records),
                new JournalVerification(
                        runId,
                        table + " on " + endpoint.describe(),
                        finding,
                        records.size(),
                        head,
                        firstBad < 0 ? OptionalLong.empty() : OptionalLong.of(firstBad),
                        OptionalLong.empty(),
                        detail,
                        finding == JournalVerification.Finding.VERIFIED && macKey.isPresent()));
    }

    /** The rows of a run that verified, and the verdict. */
    private record Scan(List<JournalRecord> records, JournalVerification verification) {}

    @Override
    public List<String> unfinishedRuns() {
        List<String> candidates = read("listing unfinished runs", c -> {
            List<String> runs = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                            "SELECT run_id FROM " + table + " GROUP BY run_id"
                                    + " HAVING bool_or(type = 'RUN_STARTED') AND NOT bool_or(type = 'RUN_FINISHED') ORDER BY min(at)");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(rs.getString(1));
                }
            }
            return List.copyOf(runs);
        });
        // A run whose history does not verify (cut, edited, rebuilt) is never offered for resume, and
        // blocks no other run: it is named in the log, and records(runId) names its first bad record.
        List<String> resumable = new ArrayList<>();
        for (String runId : candidates) {
            JournalVerification verdict = scan(runId, "verifying run " + runId).verification();
            if (verdict.verified()) {
                resumable.add(runId);
            } else {
                LOG.warn(
                        "run {} is not offered for resume: its journal in {} is damaged ({}): {}",
                        runId,
                        verdict.location(),
                        verdict.finding(),
                        verdict.detail());
            }
        }
        return List.copyOf(resumable);
    }

    /** A read of the journal, with the what of its error message. */
    private <T> T read(String what, Attempt<T> read) {
        return reconnecting(
                Retrying.READ,
                (attempts, connectionLost) ->
                        what + (attempts == 1 ? "" : " (" + attempts + " attempts, retried for " + retryFor + ")"),
                read);
    }

    /** One attempt of a call on a new connection. */
    private interface Attempt<T> {
        T on(Connection c) throws SQLException;
    }

    /** The words of a call's final failure, given its attempts and whether the last one lost its connection. */
    private interface Failure {
        String describe(int attempts, boolean connectionLost);
    }

    /** What differs, on purpose, between reconnecting an append and a read. */
    private enum Retrying {
        /**
         * An append: its record may be durable already (a lost reply to COMMIT), so an interrupt does not
         * stop its retries, and a connection that breaks while it is closed after the commit's answer
         * was read does not turn a written record into a failure.
         */
        APPEND(true, true),
        /**
         * A read: it changes nothing, so an interrupt stops it at its next failure, and a connection
         * whose close fails counts as a failed attempt, tried again.
         */
        READ(false, false);

        final boolean throughInterrupts;
        final boolean ignoresCloseFailure;

        Retrying(boolean throughInterrupts, boolean ignoresCloseFailure) {
            this.throughInterrupts = throughInterrupts;
            this.ignoresCloseFailure = ignoresCloseFailure;
        }
    }

    /**
     * Runs {@code attempt} on a new connection, and again on another after connection loss (class 08, a
     * server shutting down or starting up) for {@link Builder#retryFor(Duration)} counted from the
     * first failure, with a growing backoff, so that a call made while the store comes back waits for
     * it instead of failing. Any other failure ends it at once. Restores the thread's interrupt flag
     * if a backoff was interrupted.
     *
     * @throws RollbackException {@code JOURNAL_FAILURE} naming the store and {@code failure}'s words
     */
    private <T> T reconnecting(Retrying mode, Failure failure, Attempt<T> attempt) {
        long retryDeadline = 0;
        int failures = 0;
        boolean interrupted = false;
        try {
            while (true) {
                Connection c = null;
                SQLException e;
                try {
                    c = CoordinationSchema.connect(endpoint, readTimeout);
                    T result = attempt.on(c);
                    Connection used = c;
                    c = null;
                    if (mode.ignoresCloseFailure) {
                        closeQuietly(used);
                    } else {
                        used.close();
                    }
                    return result;
                } catch (SQLException thrown) {
                    e = thrown;
                } finally {
                    closeQuietly(c);
                }
                long now = System.nanoTime();
                if (retryDeadline == 0) {
                    retryDeadline = now + retryFor.toNanos();
                }
                failures++;
                boolean connectionLost = isConnectionLoss(e);
                if (!connectionLost || now >= retryDeadline || (interrupted && !mode.throughInterrupts)) {
                    throw CoordinationSchema.unreachable(
                            ErrorCode.JOURNAL_FAILURE, failure.describe(failures, connectionLost), endpoint, e);
                }
                // For an append the record may or may not be committed (a lost reply to COMMIT); appending
                // it again is safe: an identical record at its sequence is accepted as written.
                interrupted |= pause(Math.min(retryDeadline - now, backoffNanos(failures)));
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
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
                return rs.next()
                        ? Optional.of(new Stored(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    private Stored at(Connection c, String runId, long sequence) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sequence, prev_hash, hash FROM " + table + " WHERE run_id = ? AND sequence = ?")) {
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
        try (PreparedStatement ps =
                c.prepareStatement("SELECT coalesce(max(fencing_token), 0) FROM " + table + " WHERE run_id = ?")) {
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
        List<String> fields = new ArrayList<>(List.of(
                prev,
                r.runId(),
                Long.toString(r.sequence()),
                r.type().name(),
                Long.toString(r.at().toEpochMilli() * 1000 + r.at().getNano() / 1000 % 1000),
                r.stepId().orElse("\0"),
                Long.toString(r.fencingToken())));
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
        return refuse(ErrorCode.JOURNAL_FAILURE, r, why);
    }

    private static RollbackException refuse(ErrorCode code, JournalRecord r, String why) {
        return new RollbackException(
                code, "refused " + r.type() + " #" + r.sequence() + " of run " + r.runId() + ": " + why);
    }

    private static RollbackException tampered(String runId, long sequence, String why) {
        return new RollbackException(
                ErrorCode.JOURNAL_FAILURE,
                "the journal of run " + runId + " is damaged at record #" + sequence + ": " + why);
    }

    /** Settings of a {@link PostgresJournal}; {@link #build()} opens it. */
    public static final class Builder {
        private final PostgresEndpoint endpoint;
        private String schema = "rollback";
        private Duration retryFor = Duration.ofSeconds(10);
        private Duration sequenceGapTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = CoordinationSchema.READ_TIMEOUT;
        private byte[] hmacKey;

        private Builder(PostgresEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        /** The schema of the tables (letters, digits, '_', '$', '-'). Default: {@code rollback}. */
        public Builder schema(String schema) {
            this.schema = ToolArguments.requireName(schema, "schema");
            return this;
        }

        /**
         * How long an append or a read ({@link #records}, {@link #unfinishedRuns}) keeps reconnecting
         * after its connection broke or was refused (class 08, a server shutting down or starting
         * up), counted from the first failure; zero for no retry. An
         * append whose outcome was unknown (a lost reply to COMMIT) is safe to retry: the identical
         * record at its sequence is accepted as written. Default: 10 seconds.
         */
        public Builder retryFor(Duration retryFor) {
            Objects.requireNonNull(retryFor, "retryFor");
            if (retryFor.isNegative()) {
                throw new IllegalArgumentException("retryFor must not be negative, but was " + retryFor);
            }
            this.retryFor = retryFor;
            return this;
        }

        /**
         * How long a record waits for the record before it (appended by another thread) before it is
         * refused as a gap. Default: 10 seconds; positive.
         */
        public Builder sequenceGapTimeout(Duration sequenceGapTimeout) {
            this.sequenceGapTimeout = Arguments.requirePositive(sequenceGapTimeout, "sequenceGapTimeout");
            return this;
        }

        /**
         * How long one call waits for the store's reply before its connection counts as broken (and
         * the append reconnects, as for a reset, within {@link #retryFor(Duration)}): a store that
         * stops answering fails the append instead of hanging the run. Default: 30 seconds; positive.
         */
        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = Arguments.requirePositive(readTimeout, "readTimeout");
            return this;
        }

        /**
         * A secret key, at least 16 bytes, kept outside the database (a secret store, the application's
         * configuration), with which every record's hash and every run's anchor are authenticated
         * (HMAC-SHA256): a history rebuilt by someone who can write the tables but has no key is detected,
         * and its first record named. Default: none. The key is copied, never written to the database,
         * logged or shown by {@code toString}. A journal with a key rejects records and anchors without a
         * MAC: set it from the first run on.
         */
        public Builder hmacKey(byte[] hmacKey) {
            Objects.requireNonNull(hmacKey, "hmacKey");
            if (hmacKey.length < 16) {
                throw new IllegalArgumentException(
                        "hmacKey must be at least 16 bytes, but was " + hmacKey.length + " bytes");
            }
            this.hmacKey = hmacKey.clone();
            return this;
        }

        /**
         * Opens the journal, creating or upgrading its tables.
         *
         * @throws RollbackException {@code JOURNAL_FAILURE} if the store is unreachable
         */
        public PostgresJournal build() {
            CoordinationSchema.migrate(endpoint, schema);
            return new PostgresJournal(this);
        }
    }

    /** The chain fields of a stored row. */
    private record Stored(long sequence, String prevHash, String hash) {}

    /** A run's anchor: how many records it has and the hash of the last, with their MAC if a key is set. */
    private record Anchor(long count, String head, String mac) {}

    private Optional<Anchor> anchor(Connection c, String runId) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT record_count, head_hash, mac FROM " + anchors + " WHERE run_id = ?")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(new Anchor(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /** What an anchor's MAC covers: the run, its record count and its head. */
    private static String anchorText(String runId, long count, String head) {
        return "dev.rollback.journal-anchor/v1\n" + runId + "\n" + count + "\n" + head;
    }

    /** HMAC-SHA256 of {@code text} under the configured key, in hex; empty without a key. */
    private Optional<String> mac(String text) {
        if (macKey.isEmpty()) {
            return Optional.empty();
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(macKey.get());
            return Optional.of(HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8))));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    /** Whether {@code stored} is the MAC of {@code text} (constant time); false when it is absent. */
    private boolean macMatches(String text, String stored) {
        return stored != null
                && MessageDigest.isEqual(
                        mac(text).orElseThrow().getBytes(StandardCharsets.US_ASCII),
                        stored.getBytes(StandardCharsets.US_ASCII));
    }
}
