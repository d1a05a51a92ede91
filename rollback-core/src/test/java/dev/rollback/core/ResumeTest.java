package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.InProcessRunLock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume from a journal that a dead run left behind. The journal is written here record by
 * record, exactly as the executor writes it, to stand for every crash point; the crash tests in
 * rollback-testkit kill a real child JVM instead.
 */
class ResumeTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final String RUN = "run-crashed";

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);
    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    private RollbackStep counted(
            String id, boolean idempotent, boolean destructive, boolean safeguard, Optional<Boolean> tookEffect) {
        return new RollbackStep() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String component() {
                return "db";
            }

            @Override
            public void execute(StepContext context) {
                executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                context.evidence("ran-at-attempt", Integer.toString(context.attempt()));
            }

            @Override
            public boolean idempotent() {
                return idempotent;
            }

            @Override
            public boolean destructive() {
                return destructive;
            }

            @Override
            public boolean safeguard() {
                return safeguard;
            }

            @Override
            public Optional<Boolean> tookEffect(StepContext context) {
                return tookEffect;
            }
        };
    }

    private RollbackPlan plan(Optional<Boolean> restoreTookEffect, boolean restoreIdempotent) {
        return RollbackPlan.builder("db-rollback", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(counted("backup", false, false, true, Optional.empty()))
                .step(counted("restore", restoreIdempotent, true, false, restoreTookEffect), s -> s.dependsOn("backup"))
                .step(counted("switch", true, false, false, Optional.empty()), s -> s.dependsOn("restore"))
                .build();
    }

    /** Journals a run that died after {@code restore}'s start record, before its end record. */
    private void journalACrashInRestore(FileJournal journal) {
        long seq = 0;
        Map<String, String> start = new LinkedHashMap<>();
        start.put("plan", "db-rollback");
        start.put("planKey", "db-rollback");
        start.put("initiator", "MANUAL:alice");
        start.put("authorization.policy", "runbook");
        start.put("authorization.preAuthorized", "false");
        journal.append(new JournalRecord(RUN, seq++, JournalRecord.Type.RUN_STARTED, T0, Optional.empty(), 1, start));
        journal.append(new JournalRecord(
                RUN,
                seq++,
                JournalRecord.Type.STEP_STARTED,
                T0,
                Optional.of("backup"),
                1,
                Map.of("attempt", "1", "idempotent", "false", "destructive", "false")));
        journal.append(new JournalRecord(
                RUN,
                seq++,
                JournalRecord.Type.STEP_FINISHED,
                T0.plusSeconds(60),
                Optional.of("backup"),
                1,
                Map.of("outcome", "SUCCEEDED", "attempts", "1", "evidence.path", "/backups/cpa-20261125T120000Z")));
        journal.append(new JournalRecord(
                RUN,
                seq,
                JournalRecord.Type.STEP_STARTED,
                T0.plusSeconds(61),
                Optional.of("restore"),
                1,
                Map.of("attempt", "1", "idempotent", "false", "destructive", "true")));
    }

    /** An executor whose lock already handed out the dead holder's token, as a durable lock would have. */
    private RollbackExecutor executor(FileJournal journal) throws InterruptedException {
        InProcessRunLock lock = new InProcessRunLock();
        lock.tryAcquire("db-rollback", Duration.ZERO).orElseThrow().close();
        return RollbackExecutor.builder()
                .clock(clock)
                .journal(journal)
                .runLock(lock)
                .build();
    }

    @Test
    void finishedStepsAreNotRunAgainAndTheirEvidenceIsKept() throws Exception {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            journalACrashInRestore(journal);
            clock.advance(Duration.ofMinutes(3)); // the run was dead for three minutes
            RollbackReport report =
                    executor.resume(plan(Optional.of(false), false), RUN).await();
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(executions.get("backup"))
                    .as("backup ended before the crash")
                    .isNull();
            assertThat(executions.get("restore"))
                    .as("its own check says it did not take effect")
                    .hasValue(1);
            assertThat(executions.get("switch")).hasValue(1);
            assertThat(report.step("backup").orElseThrow().evidence())
                    .containsEntry("path", "/backups/cpa-20261125T120000Z");
            assertThat(report.startedAt())
                    .as("the budget counts from the first start")
                    .isEqualTo(T0);
            assertThat(report.step("restore").orElseThrow().budget())
                    .as("15 min RTO minus the 3 min spent")
                    .isEqualTo(Duration.ofMinutes(12));
            assertThat(report.notes())
                    .anySatisfy(n ->
                            assertThat(n).contains("resumed from the journal").contains("[backup]"));
            List<JournalRecord> records = journal.records(RUN);
            assertThat(records)
                    .extracting(JournalRecord::type)
                    .contains(JournalRecord.Type.RUN_RESUMED)
                    .endsWith(JournalRecord.Type.RUN_FINISHED);
            assertThat(records.get(records.size() - 1).fencingToken()).isGreaterThan(0);
            assertThat(journal.verify(RUN).orElseThrow().verified()).isTrue();
        }
    }

    @Test
    void anInDoubtStepWhoseCheckSaysItTookEffectCountsAsDoneAndIsNotRunAgain() throws Exception {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            journalACrashInRestore(journal);
            RollbackReport report =
                    executor.resume(plan(Optional.of(true), false), RUN).await();
            assertThat(executions.get("restore")).isNull();
            assertThat(report.step("restore").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(executions.get("switch")).hasValue(1);
            assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("'restore' was in doubt"));
        }
    }

    @Test
    void aDestructiveInDoubtStepThatCannotTellStopsTheRunForAHumanBeforeAnyEffect() throws Exception {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            journalACrashInRestore(journal);
            // Even marked idempotent, a destructive step is not run twice on a guess.
            assertThatThrownBy(() -> executor.resume(plan(Optional.empty(), true), RUN))
                    .isInstanceOf(RollbackException.class)
                    .satisfies(e ->
                            assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.HUMAN_DECISION_REQUIRED))
                    .hasMessageContaining("step 'restore' started at 2026-11-25T12:01:01Z and has no end record")
                    .hasMessageContaining("destructive");
            assertThat(executions).isEmpty();
            assertThat(journal.records(RUN)).hasSize(4);
            assertThat(executor.activeRuns()).isEmpty();
        }
    }

    @Test
    void refusesToResumeWithALockWhoseTokenIsNotAboveTheDeadHolders() {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = RollbackExecutor.builder()
                        .clock(clock)
                        .journal(journal)
                        .runLock(new InProcessRunLock())
                        .build()) {
            journalACrashInRestore(journal); // journaled under token 1; a fresh in-process lock hands out 1 again
            assertThatThrownBy(() -> executor.resume(plan(Optional.of(false), false), RUN))
                    .isInstanceOf(RollbackException.class)
                    .hasMessageContaining("fencing token 1, not above the dead holder's 1");
            assertThat(executions).isEmpty();
            assertThat(executor.activeRuns()).isEmpty();
        }
    }

    @Test
    void refusesToResumeAFinishedRunAnUnknownRunOrAnotherPlansRun() throws Exception {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            journalACrashInRestore(journal);
            RollbackPlan plan = plan(Optional.of(false), false);
            executor.resume(plan, RUN).await();
            assertThatThrownBy(() -> executor.resume(plan, RUN)).hasMessageContaining("already finished (SUCCEEDED)");
            assertThatThrownBy(() -> executor.resume(plan, "run-nobody-knows"))
                    .hasMessageContaining("no RUN_STARTED record");
            RollbackPlan other = RollbackPlan.builder("other", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                    .step(RollbackStep.builder("x", "app").build())
                    .build();
            assertThatThrownBy(() -> executor.resume(other, RUN))
                    .hasMessageContaining("it is a run of plan 'db-rollback'");
        }
    }

    @Test
    void aRunStartedWithAJournalCanBeResumedOnlyAfterItDied() throws Exception {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            RollbackPlan plan = plan(Optional.of(false), false);
            RollbackReport report = executor.run(plan, RunRequest.manual("alice"));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            List<JournalRecord> records = journal.records(report.runId());
            assertThat(records)
                    .extracting(JournalRecord::type)
                    .containsExactly(
                            JournalRecord.Type.RUN_STARTED,
                            JournalRecord.Type.STEP_STARTED,
                            JournalRecord.Type.STEP_FINISHED,
                            JournalRecord.Type.STEP_STARTED,
                            JournalRecord.Type.STEP_FINISHED,
                            JournalRecord.Type.STEP_STARTED,
                            JournalRecord.Type.STEP_FINISHED,
                            JournalRecord.Type.RUN_FINISHED);
            assertThat(journal.unfinishedRuns()).doesNotContain(report.runId());
            assertThat(report.notes())
                    .anySatisfy(n -> assertThat(n).contains("VERIFIED").contains("8 records, head "));
            assertThatThrownBy(() -> executor.resume(plan, report.runId())).hasMessageContaining("already finished");
        }
    }

    @Test
    void aRunResumedAfterItsRtoRanOutStillGivesTheCheckOfAnInDoubtStepTimeToRead() throws Exception {
        AtomicReference<Duration> checkHad = new AtomicReference<>();
        RollbackStep restore = new RollbackStep() {
            @Override
            public String id() {
                return "restore";
            }

            @Override
            public String component() {
                return "db";
            }

            @Override
            public boolean destructive() {
                return true;
            }

            @Override
            public void execute(StepContext context) {
                executions.computeIfAbsent("restore", k -> new AtomicInteger()).incrementAndGet();
            }

            @Override
            public Optional<Boolean> tookEffect(StepContext context) {
                checkHad.set(context.remaining());
                return Optional.of(true);
            }
        };
        RollbackPlan plan = RollbackPlan.builder(
                        "db-rollback", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(counted("backup", false, false, true, Optional.empty()))
                .step(restore, s -> s.dependsOn("backup"))
                .step(counted("switch", true, false, false, Optional.empty()), s -> s.dependsOn("restore"))
                .build();
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor = executor(journal)) {
            journalACrashInRestore(journal);
            clock.advance(Duration.ofMinutes(45)); // dead past the plan's 30 minutes

            executor.resume(plan, RUN).await();

            assertThat(checkHad.get())
                    .as("a check gets a minute even past the RTO")
                    .isEqualTo(Duration.ofMinutes(1));
            assertThat(executions.get("restore")).isNull();
        }
    }
}
