package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.RunHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run whose lease stops being held (a database lock whose session died with a server restart)
 * starts no further step and journals nothing more, so that the next holder can resume it; the
 * PostgreSQL provider's {@code ServerRestartDuringRunIT} does the same with a real server crash.
 */
class LostRunLockTest {
    @TempDir
    Path dir;

    private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();

    /** A lock whose leases report what {@code held} says, with tokens that grow across leases. */
    private static final class FlakyLock implements RunLock {
        final AtomicBoolean held = new AtomicBoolean(true);
        private final AtomicLong tokens = new AtomicLong();

        @Override
        public Optional<RunLease> tryAcquire(String key, Duration wait) {
            long token = tokens.incrementAndGet();
            held.set(true);
            return Optional.of(new RunLease() {
                @Override
                public String key() {
                    return key;
                }

                @Override
                public long fencingToken() {
                    return token;
                }

                @Override
                public boolean isHeld() {
                    return held.get();
                }

                @Override
                public void close() {}
            });
        }
    }

    private RollbackStep step(String id, Runnable effect) {
        return RollbackStep.builder(id, "db")
                .action(c -> {
                    executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                    effect.run();
                })
                .build();
    }

    @Test
    void aRunThatLostItsLockStartsAndJournalsNothingMoreAndAResumeFinishesIt() throws Exception {
        FlakyLock lock = new FlakyLock();
        RollbackPlan plan = RollbackPlan.builder(
                        "lost-lock", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .step(step("first", () -> lock.held.set(false)))
                .step(step("second", () -> {}), s -> s.dependsOn("first"))
                .step(step("third", () -> {}), s -> s.dependsOn("second"))
                .build();
        try (FileJournal journal = FileJournal.of(dir)) {
            RollbackReport report;
            // the check before each attempt finds the loss here, not the watchdog
            try (RollbackExecutor executor = RollbackExecutor.builder()
                    .journal(journal)
                    .runLock(lock)
                    .leaseCheck(Duration.ofMinutes(1))
                    .build()) {
                report = executor.run(plan, RunRequest.drill("test"));
            }

            assertThat(report.outcome()).isEqualTo(RunOutcome.PARTIAL);
            assertThat(report.step("first").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
            assertThat(report.step("second").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(report.step("second").orElseThrow().reason().orElseThrow())
                    .startsWith("it did not start: ")
                    .contains("lost its run lock 'lost-lock' (fencing token 1)");
            assertThat(report.step("second").orElseThrow().attempts()).isEmpty();
            assertThat(report.step("third").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
            assertThat(report.notes())
                    .anySatisfy(n -> assertThat(n)
                            .contains("could not record the end of the run")
                            .contains("lost its run lock"));
            assertThat(executions).containsOnlyKeys("first");
            // Nothing after the loss: no start of second, no skipped third, no RUN_FINISHED.
            List<JournalRecord> records = journal.records(report.runId());
            assertThat(records)
                    .extracting(r -> r.type() + " " + r.stepId().orElse("-"))
                    .containsExactly("RUN_STARTED -", "STEP_STARTED first", "STEP_FINISHED first");
            assertThat(journal.unfinishedRuns()).contains(report.runId());

            RollbackReport resumed;
            try (RollbackExecutor executor =
                    RollbackExecutor.builder().journal(journal).runLock(lock).build()) {
                resumed = executor.resume(plan, report.runId()).await();
            }
            assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(executions.get("first")).hasValue(1);
            assertThat(executions.get("second")).hasValue(1);
            assertThat(executions.get("third")).hasValue(1);
            assertThat(RunHistory.replay(journal, report.runId()).highestFencingToken())
                    .isEqualTo(2);
            assertThat(journal.verify(report.runId()).orElseThrow().verified()).isTrue();
        }
    }

    /**
     * Fault: the lease is lost while a step runs (its store freed the key: a dead session, an expired
     * lease). Invariants: the watchdog interrupts the running step within 5 s, the run journals nothing
     * after the loss (the step stays in doubt, the run unfinished), and the next holder resumes it,
     * running the in-doubt step once more and the rest once.
     */
    @Test
    void aLeaseLostWhileAStepRunsInterruptsTheStepWithinSecondsAndTheNextHolderResumesOnce() throws Exception {
        FlakyLock lock = new FlakyLock();
        CountDownLatch running = new CountDownLatch(1);
        AtomicLong interruptedAt = new AtomicLong();
        CountDownLatch interrupted = new CountDownLatch(1);
        AtomicBoolean firstAttempt = new AtomicBoolean(true);
        RollbackPlan plan = RollbackPlan.builder(
                        "lost-mid-step", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("long", "db")
                        .idempotent(true)
                        .action(c -> {
                            executions
                                    .computeIfAbsent("long", k -> new AtomicInteger())
                                    .incrementAndGet();
                            if (firstAttempt.getAndSet(false)) {
                                running.countDown();
                                try {
                                    Thread.sleep(60_000);
                                } catch (InterruptedException e) {
                                    interruptedAt.set(System.nanoTime());
                                    interrupted.countDown();
                                    throw e;
                                }
                            }
                        })
                        .build())
                .step(step("after", () -> {}), s -> s.dependsOn("long"))
                .build();
        try (FileJournal journal = FileJournal.of(dir)) {
            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder()
                    .journal(journal)
                    .runLock(lock)
                    .leaseCheck(Duration.ofMillis(200))
                    .build()) {
                RollbackRun run = executor.start(plan, RunRequest.drill("test"));
                assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();
                long lostAt = System.nanoTime();
                lock.held.set(false);
                report = run.await(Duration.ofSeconds(30)).orElseThrow();
                assertThat(interrupted.await(30, TimeUnit.SECONDS))
                        .as("the running step was interrupted")
                        .isTrue();
                assertThat(Duration.ofNanos(interruptedAt.get() - lostAt)).isLessThan(Duration.ofSeconds(5));
            }
            assertThat(report.step("long").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(report.step("long").orElseThrow().reason().orElseThrow())
                    .contains("lost its run lock while the step ran");
            assertThat(report.step("after").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
            assertThat(journal.records(report.runId()))
                    .as("nothing journaled after the loss")
                    .extracting(r -> r.type() + " " + r.stepId().orElse("-"))
                    .containsExactly("RUN_STARTED -", "STEP_STARTED long");
            assertThat(journal.unfinishedRuns()).contains(report.runId());

            RollbackReport resumed;
            try (RollbackExecutor executor =
                    RollbackExecutor.builder().journal(journal).runLock(lock).build()) {
                resumed = executor.resume(plan, report.runId()).await();
            }
            assertThat(resumed.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(executions.get("long"))
                    .as("interrupted once, then run once by the resumer")
                    .hasValue(2);
            assertThat(executions.get("after")).hasValue(1);
            assertThat(journal.unfinishedRuns()).doesNotContain(report.runId());
        }
    }
}
