package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.internal.RunRecords;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run cannot be turned into another one: RUN_STARTED records the plan's digest, a resume with a plan
 * whose digest changed is refused naming both (nothing runs), and an automatic run is pre-authorized only
 * for a ROLLBACK decision whose action the plan carries out (a manual-review decision is refused and
 * journaled).
 */
class PlanIdentityTest {
    private static final RecoveryObjectives OBJECTIVES = RecoveryObjectives.of(Duration.ofMinutes(10), Duration.ZERO);
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    private final Map<String, AtomicInteger> effects = new ConcurrentHashMap<>();

    private RollbackStep step(String id, String target) {
        return RollbackStep.builder(id, "db")
                .actsOn(target)
                .action(c ->
                        effects.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet())
                .build();
    }

    private RollbackPlan plan(String restoreTarget, boolean restoreDependsOnBackup) {
        return RollbackPlan.builder("db-restore", OBJECTIVES)
                .carriesOut("point-in-time-recovery")
                .step(step("backup", "db-1"))
                .step(step("restore", restoreTarget), s -> {
                    if (restoreDependsOnBackup) {
                        s.dependsOn("backup");
                    }
                })
                .build();
    }

    private static Decision decision(Decision.Kind kind, String action) {
        return new Decision(action, kind, Severity.SEV1, "data-corruption", 1, 0, "count", "orphaned rows", T0, T0);
    }

    @Test
    void theDigestChangesWithATargetADependencyOrAFlagAndOnlyThen() {
        String digest = plan("db-1", true).digest();
        assertThat(digest).matches("[0-9a-f]{64}").isEqualTo(plan("db-1", true).digest());
        assertThat(plan("db-2", true).digest()).as("another target").isNotEqualTo(digest);
        assertThat(plan("db-1", false).digest()).as("another dependency").isNotEqualTo(digest);
        RollbackPlan destructive = RollbackPlan.builder("db-restore", OBJECTIVES)
                .carriesOut("point-in-time-recovery")
                .step(RollbackStep.builder("backup", "db")
                        .actsOn("db-1")
                        .safeguard(true)
                        .build())
                .step(step("restore", "db-1"), s -> s.dependsOn("backup"))
                .build();
        assertThat(destructive.digest()).as("another flag").isNotEqualTo(digest);
    }

    @Test
    void aResumeWithAChangedPlanIsRefusedNamingBothDigestsAndNothingRuns() throws Exception {
        RollbackPlan original = RollbackPlan.builder("db-restore", OBJECTIVES)
                .carriesOut("point-in-time-recovery")
                .step(step("backup", "db-1"))
                .step(
                        RollbackStep.builder("restore", "db")
                                .actsOn("db-1")
                                .action(c -> {
                                    throw new IllegalStateException("the process dies here");
                                })
                                .build(),
                        s -> s.dependsOn("backup"))
                .build();
        String runId;
        try (FileJournal journal = FileJournal.of(dir.resolve("journal"))) {
            // A run that started and did not finish: its journal has RUN_STARTED and the first step only.
            CountDownLatch started = new CountDownLatch(1);
            RollbackPlan dying = RollbackPlan.builder("db-restore", OBJECTIVES)
                    .carriesOut("point-in-time-recovery")
                    .step(step("backup", "db-1"))
                    .step(
                            RollbackStep.builder("restore", "db")
                                    .actsOn("db-1")
                                    .action(c -> {
                                        started.countDown();
                                        Thread.sleep(60_000);
                                    })
                                    .build(),
                            s -> s.dependsOn("backup"))
                    .build();
            assertThat(dying.digest()).isEqualTo(original.digest());
            RollbackExecutor first = RollbackExecutor.builder()
                    .journal(journal)
                    .runLock(FileRunLock.of(dir.resolve("locks")))
                    .build();
            runId = first.start(dying, RunRequest.drill("test")).runId();
            started.await();
            assertThat(RunRecords.planDigest(journal.records(runId).get(0).data()))
                    .contains(original.digest());
            // the node dies: its lease stays with it; a second lock directory stands for the next holder
        }
        try (FileJournal journal = FileJournal.of(dir.resolve("journal"));
                RollbackExecutor next = RollbackExecutor.builder()
                        .journal(journal)
                        .runLock(FileRunLock.of(dir.resolve("locks2")))
                        .build()) {
            int recordsBefore = journal.records(runId).size();
            RollbackPlan changed = plan("db-2", true);
            assertThatThrownBy(() -> next.resume(changed, runId))
                    .isInstanceOfSatisfying(
                            RollbackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("the plan changed since the run started")
                    .hasMessageContaining(original.digest())
                    .hasMessageContaining(changed.digest());
            assertThat(journal.records(runId)).as("nothing journaled").hasSize(recordsBefore);
            assertThat(effects.get("restore")).as("nothing ran").isNull();
            assertThat(effects.get("backup")).hasValue(1);
        }
    }

    @Test
    void anAutomaticRunFromAManualReviewDecisionIsRefusedAndJournaled() {
        try (FileJournal journal = FileJournal.of(dir);
                RollbackExecutor executor =
                        RollbackExecutor.builder().journal(journal).build()) {
            RollbackPlan plan = plan("db-1", true);
            assertThatThrownBy(() -> executor.start(
                            plan, RunRequest.automatic(decision(Decision.Kind.MANUAL_REVIEW, "manual-review"))))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.APPROVAL_REQUIRED))
                    .hasMessageContaining("decided MANUAL_REVIEW")
                    .hasMessageContaining("pre-authorized only for a ROLLBACK decision");
            assertThatThrownBy(() -> executor.start(
                            plan, RunRequest.automatic(decision(Decision.Kind.ROLLBACK, "application-rollback"))))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.APPROVAL_REQUIRED))
                    .hasMessageContaining("'application-rollback', which the plan does not carry out");
            assertThat(effects).as("nothing ran").isEmpty();

            List<JournalRecord> refusals = journal.unfinishedRuns().isEmpty() ? refusedRecords(journal) : List.of();
            assertThat(refusals).hasSize(2);
            assertThat(refusals)
                    .allSatisfy(r -> assertThat(r.type()).isEqualTo(JournalRecord.Type.RUN_REFUSED))
                    .anySatisfy(r -> assertThat(r.data().get("reason")).contains("decided MANUAL_REVIEW"));

            assertThat(executor.run(
                                    plan,
                                    RunRequest.automatic(decision(Decision.Kind.ROLLBACK, "point-in-time-recovery")))
                            .authorization()
                            .preAuthorized())
                    .isTrue();
        }
    }

    private List<JournalRecord> refusedRecords(FileJournal journal) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".journal"))
                    .map(n -> n.substring(0, n.length() - ".journal".length()))
                    .flatMap(id -> journal.records(id).stream())
                    .filter(r -> r.type() == JournalRecord.Type.RUN_REFUSED)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
