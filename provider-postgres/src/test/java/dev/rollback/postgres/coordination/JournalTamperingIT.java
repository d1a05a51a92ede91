package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.api.spi.JournalVerification.Finding;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fault: someone who can write the journal's tables (but holds no key) cuts a run's history from the end,
 * or rebuilds it with a recomputed hash chain. Invariants: both are detected and the first bad record
 * named; the damaged run is never offered for resume ({@code unfinishedRuns}), reading it fails with
 * {@code JOURNAL_FAILURE}, and it hides no other unfinished run.
 */
class JournalTamperingIT {
    private static final byte[] KEY = "a key kept outside the database".getBytes(StandardCharsets.UTF_8);
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("tampering");
    }

    private static PostgresJournal journal(boolean keyed) {
        PostgresJournal.Builder b = PostgresJournal.builder(store);
        return (keyed ? b.hmacKey(KEY) : b).build();
    }

    /** A run of five records: started, two steps, finished (if asked), on sequences 0.. */
    private static String run(PostgresJournal journal, boolean finished) {
        String runId = "run-" + UUID.randomUUID();
        List<JournalRecord.Type> types = finished
                ? List.of(
                        JournalRecord.Type.RUN_STARTED,
                        JournalRecord.Type.STEP_STARTED,
                        JournalRecord.Type.STEP_FINISHED,
                        JournalRecord.Type.STEP_STARTED,
                        JournalRecord.Type.RUN_FINISHED)
                : List.of(JournalRecord.Type.RUN_STARTED, JournalRecord.Type.STEP_STARTED);
        for (int i = 0; i < types.size(); i++) {
            journal.append(new JournalRecord(
                    runId,
                    i,
                    types.get(i),
                    Instant.parse("2026-11-25T12:00:00Z").plusSeconds(i),
                    types.get(i).name().startsWith("STEP") ? Optional.of("restore") : Optional.empty(),
                    1,
                    Map.of("outcome", "SUCCEEDED")));
        }
        return runId;
    }

    @Test
    void aJournalCutFromTheEndIsDetectedNamingTheFirstMissingRecordAndNeverOfferedForResume() throws Exception {
        for (boolean keyed : new boolean[] {false, true}) {
            PostgresJournal journal = journal(keyed);
            String healthy = run(journal, false);
            String cut = run(journal, true);
            // the RUN_FINISHED record and the one before it are deleted: the run looks unfinished
            TestDatabases.sql(store, "DELETE FROM rollback.journal WHERE run_id = '" + cut + "' AND sequence >= 3");

            JournalVerification verdict = journal.verify(cut).orElseThrow();
            assertThat(verdict.finding()).isEqualTo(Finding.TRUNCATED);
            assertThat(verdict.firstBadSequence()).hasValue(3);
            assertThatThrownBy(() -> journal.records(cut))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining("record #3")
                    .hasMessageContaining("cut from the end");
            assertThat(journal.unfinishedRuns()).contains(healthy).doesNotContain(cut);
            assertThatThrownBy(() -> journal.append(new JournalRecord(
                            cut, 3, JournalRecord.Type.STEP_FINISHED, Instant.now(), Optional.of("x"), 2, Map.of())))
                    .as("nothing is appended to a cut history")
                    .isInstanceOf(RollbackException.class)
                    .hasMessageContaining("its anchor says 5 records");
        }
    }

    @Test
    void aChainRebuiltWithRecomputedHashesIsDetectedWithTheAnchorAndWithTheKey() throws Exception {
        // Without a key, the anchor still holds the old head: a rebuilt chain no longer ends there.
        PostgresJournal plain = journal(false);
        String rebuilt = run(plain, true);
        rebuild(rebuilt, false);
        JournalVerification verdict = plain.verify(rebuilt).orElseThrow();
        assertThat(verdict.finding()).isEqualTo(Finding.REBUILT);
        assertThat(verdict.detail()).contains("the anchor says 5 records");
        assertThatThrownBy(() -> plain.records(rebuilt)).isInstanceOf(RollbackException.class);

        // With a key, even a forger who rewrites the anchor to the new head is caught: no MAC can be made.
        PostgresJournal keyed = journal(true);
        String forged = run(keyed, false);
        String forgedFinished = run(keyed, true);
        rebuild(forgedFinished, true);
        rebuild(forged, true);
        JournalVerification keyedVerdict = keyed.verify(forgedFinished).orElseThrow();
        assertThat(keyedVerdict.finding()).isEqualTo(Finding.REBUILT);
        assertThat(keyedVerdict.firstBadSequence()).hasValue(1);
        assertThat(keyedVerdict.detail()).contains("MAC does not verify");
        assertThat(keyed.unfinishedRuns()).doesNotContain(forged, forgedFinished);
        assertThat(plain.verify(run(keyed, true)).orElseThrow().verified())
                .as("an untouched run verifies (without the key too)")
                .isTrue();
        String untouched = run(keyed, true);
        assertThat(keyed.verify(untouched).orElseThrow().authenticated()).isTrue();
    }

    /**
     * Edits record 1 of {@code runId} and recomputes the hash chain from there on, as someone who knows the
     * format (but not the key) would; with {@code anchorToo}, also moves the anchor to the new head.
     */
    private static void rebuild(String runId, boolean anchorToo) throws Exception {
        PostgresJournal reader = journal(false);
        List<JournalRecord> records = new ArrayList<>();
        // read past the verification: the rows as they are
        try (Connection c = store.connect();
                var ps = c.prepareStatement("SELECT sequence, type, at, step_id, fencing_token, data_keys,"
                        + " data_values FROM rollback.journal WHERE run_id = ? ORDER BY sequence")) {
            ps.setString(1, runId);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] keys = (String[]) rs.getArray(6).getArray();
                    String[] values = (String[]) rs.getArray(7).getArray();
                    Map<String, String> data = new LinkedHashMap<>();
                    for (int i = 0; i < keys.length; i++) {
                        data.put(keys[i], rs.getLong(1) == 1 ? "FORGED" : values[i]);
                    }
                    records.add(new JournalRecord(
                            runId,
                            rs.getLong(1),
                            JournalRecord.Type.valueOf(rs.getString(2)),
                            rs.getTimestamp(3).toInstant(),
                            Optional.ofNullable(rs.getString(4)),
                            rs.getLong(5),
                            data));
                }
            }
        }
        assertThat(reader).isNotNull();
        String prev = "0".repeat(64);
        try (Connection c = store.connect()) {
            for (JournalRecord r : records) {
                String hash = PostgresJournal.hash(prev, r);
                try (PreparedStatement ps = c.prepareStatement("UPDATE rollback.journal SET data_values = ?,"
                        + " prev_hash = ?, hash = ? WHERE run_id = ? AND sequence = ?")) {
                    ps.setArray(1, c.createArrayOf("text", r.data().values().toArray()));
                    ps.setString(2, prev);
                    ps.setString(3, hash);
                    ps.setString(4, runId);
                    ps.setLong(5, r.sequence());
                    ps.executeUpdate();
                }
                prev = hash;
            }
            if (anchorToo) {
                try (PreparedStatement ps =
                        c.prepareStatement("UPDATE rollback.journal_anchors SET head_hash = ? WHERE run_id = ?")) {
                    ps.setString(1, prev);
                    ps.setString(2, runId);
                    ps.executeUpdate();
                }
            }
        }
    }
}
