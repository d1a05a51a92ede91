package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.FakeStep;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PostgresJournalIT {
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("journal");
    }

    private static JournalRecord record(String run, long seq, JournalRecord.Type type, long token) {
        return new JournalRecord(
                run,
                seq,
                type,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                seq == 0 ? Optional.empty() : Optional.of("step-" + seq),
                token,
                Map.of("outcome", "ok", "note", "it's \"quoted\""));
    }

    @Test
    void createsItsTablesOnceWithAVersionAndReadsBackWhatWasAppended() throws Exception {
        PostgresJournal journal = PostgresJournal.open(store);
        PostgresJournal.open(store);
        assertThat(TestDatabases.queryLong(store, "SELECT count(*) FROM rollback.schema_version"))
                .as("each version applied once")
                .isEqualTo(journal.schemaVersion());
        assertThat(TestDatabases.queryLong(store, "SELECT max(version) FROM rollback.schema_version"))
                .isEqualTo(journal.schemaVersion());

        String run = "run-" + UUID.randomUUID();
        JournalRecord started = record(run, 0, JournalRecord.Type.RUN_STARTED, 3);
        JournalRecord step = record(run, 1, JournalRecord.Type.STEP_STARTED, 3);
        journal.append(started);
        journal.append(step);

        assertThat(journal.records(run)).containsExactly(started, step);
        assertThat(journal.unfinishedRuns()).contains(run);
        journal.append(record(run, 2, JournalRecord.Type.RUN_FINISHED, 3));
        assertThat(journal.unfinishedRuns()).doesNotContain(run);
        assertThat(journal.records("unknown")).isEmpty();
    }

    @Test
    void aRetriedIdenticalAppendIsKeptOnceAndADifferentOneAtTheSameSequenceIsRefused() {
        PostgresJournal journal = PostgresJournal.open(store);
        String run = "run-" + UUID.randomUUID();
        JournalRecord first = record(run, 0, JournalRecord.Type.RUN_STARTED, 1);
        journal.append(first);
        journal.append(first);
        assertThat(journal.records(run)).hasSize(1);

        assertThatThrownBy(() -> journal.append(record(run, 0, JournalRecord.Type.RUN_ABORTED, 1)))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("a different record already holds sequence 0");
        PostgresJournal impatient = PostgresJournal.builder(store)
                .sequenceGapTimeout(Duration.ofMillis(200))
                .build();
        assertThatThrownBy(() -> impatient.append(record(run, 5, JournalRecord.Type.STEP_STARTED, 1)))
                .hasMessageContaining(
                        "it would leave a gap: the next sequence is 1, and record 1 did not come within PT0.2S");
        // Nothing waits for record 1 any longer in that instance: the next gap is refused at once.
        assertThatThrownBy(() -> impatient.append(record(run, 6, JournalRecord.Type.STEP_STARTED, 1)))
                .hasMessageContaining("the next sequence is 1, and appending record 1 failed");
    }

    @Test
    void aRecordThatArrivesBeforeItsPredecessorWaitsForIt() throws Exception {
        // The executor draws sequence numbers before appending, from several threads: 2 may come before 1.
        PostgresJournal journal = PostgresJournal.open(store);
        String run = "run-" + UUID.randomUUID();
        journal.append(record(run, 0, JournalRecord.Type.RUN_STARTED, 1));
        JournalRecord early = record(run, 2, JournalRecord.Type.STEP_STARTED, 1);
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> journal.append(early));
        assertThatThrownBy(() -> waiting.get(300, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        JournalRecord late = record(run, 1, JournalRecord.Type.STEP_STARTED, 1);
        journal.append(late);
        waiting.get(10, TimeUnit.SECONDS);
        assertThat(journal.records(run)).extracting(JournalRecord::sequence).containsExactly(0L, 1L, 2L);
    }

    @Test
    void aRecordFromAStaleLockHolderIsRefused() {
        PostgresJournal journal = PostgresJournal.open(store);
        String run = "run-" + UUID.randomUUID();
        journal.append(record(run, 0, JournalRecord.Type.RUN_STARTED, 7));
        assertThatThrownBy(() -> journal.append(record(run, 1, JournalRecord.Type.STEP_STARTED, 6)))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE))
                .hasMessageContaining("its fencing token 6 is older than 7");
        journal.append(record(run, 1, JournalRecord.Type.STEP_STARTED, 8));
        assertThat(journal.records(run)).hasSize(2);
    }

    @Test
    void anEditedOrDeletedRowIsDetectedAndTheFirstBadRecordNamed() throws Exception {
        PostgresJournal journal = PostgresJournal.open(store);
        String run = "run-" + UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            journal.append(
                    record(run, i, i == 0 ? JournalRecord.Type.RUN_STARTED : JournalRecord.Type.STEP_STARTED, 1));
        }
        TestDatabases.sql(
                store,
                "UPDATE rollback.journal SET data_values = ARRAY['failed', 'x'] WHERE run_id = '" + run
                        + "' AND sequence = 2");
        assertThatThrownBy(() -> journal.records(run))
                .hasMessageContaining("the journal of run " + run + " is damaged at record #2");

        String other = "run-" + UUID.randomUUID();
        for (int i = 0; i < 3; i++) {
            journal.append(record(other, i, JournalRecord.Type.STEP_STARTED, 1));
        }
        TestDatabases.sql(store, "DELETE FROM rollback.journal WHERE run_id = '" + other + "' AND sequence = 1");
        assertThatThrownBy(() -> journal.records(other))
                .as("the first bad record is the first missing one")
                .hasMessageContaining("damaged at record #1: record 1 is missing");
        assertThat(journal.verify(other).orElseThrow())
                .satisfies(v -> assertThat(v.finding()).isEqualTo(JournalVerification.Finding.REMOVED))
                .satisfies(v -> assertThat(v.firstBadSequence()).hasValue(1))
                .satisfies(v -> assertThat(v.recordCount()).isEqualTo(1));
        assertThat(journal.verify(run).orElseThrow())
                .satisfies(v -> assertThat(v.finding()).isEqualTo(JournalVerification.Finding.ALTERED))
                .satisfies(v -> assertThat(v.firstBadSequence()).hasValue(2))
                .satisfies(v -> assertThat(v.describe()).contains("\"rollback\".journal on 127.0.0.1:"));
        assertThat(journal.verify("never-ran").orElseThrow().finding())
                .isEqualTo(JournalVerification.Finding.NO_SUCH_RUN);
    }

    @Test
    void theReportOfARunJournaledHereStatesItsVerifiedChain() {
        PostgresJournal journal = PostgresJournal.open(store);
        RollbackPlan plan = RollbackPlan.builder(
                        "chain-in-report", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .step(FakeStep.succeeding("only", "app"))
                .build();
        RollbackReport report;
        try (RollbackExecutor executor =
                RollbackExecutor.builder().journal(journal).build()) {
            report = executor.run(plan, RunRequest.drill("test"));
        }
        long records = journal.records(report.runId()).size();
        assertThat(report.notes())
                .anySatisfy(n -> assertThat(n)
                        .contains("\"rollback\".journal on " + store.describe())
                        .contains("of run '" + report.runId() + "': VERIFIED")
                        .contains(records + " records, head "));
        assertThat(String.join("\n", report.notes()))
                .doesNotContain(store.password().reveal());
    }

    @Test
    void aRecordStampedInNanosecondsReadsBackWithAVerifiedChain() {
        PostgresJournal journal = PostgresJournal.open(store);
        String run = "run-" + UUID.randomUUID();
        journal.append(new JournalRecord(
                run,
                0,
                JournalRecord.Type.RUN_STARTED,
                Instant.parse("2026-01-01T00:00:00.123456789Z"),
                Optional.empty(),
                1,
                Map.of()));
        journal.append(new JournalRecord(
                run,
                1,
                JournalRecord.Type.STEP_STARTED,
                Instant.parse("2026-01-01T00:00:00.999999999Z"),
                Optional.of("a"),
                1,
                Map.of()));
        assertThat(journal.records(run))
                .extracting(JournalRecord::at)
                .containsExactly(
                        Instant.parse("2026-01-01T00:00:00.123456Z"), Instant.parse("2026-01-01T00:00:00.999999Z"));
    }
}
