package dev.rollback.postgres.coordination;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.RunHistory;
import dev.rollback.core.journal.StepHistory;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.fault.FaultProxy;
import dev.rollback.testkit.fault.InvariantChecker;
import dev.rollback.testkit.fault.SideEffectLedger;
import dev.rollback.testkit.postgres.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * FAULTS, PostgreSQL: "{@code pg_ctl restart -m immediate} during a run". The run's journal, its run
 * lock and its steps' effects all live in one PostgreSQL database, on a server of its own (this test
 * crashes it). A step holds its transaction open on a latch while the server is crashed and restarted;
 * the run lock's session dies with the server, so the node no longer holds the lock and must not start
 * another effect (FAULTS, coordination: "the lock holder's database session killed: it notices and
 * stops"). A resume completes the run under a higher fencing token; no effect happens twice.
 */
class ServerRestartDuringRunIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();

    private static final RecoveryObjectives OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1));

    @TempDir
    Path tmp;

    @Test
    void aCrashAndRestartMidStepStopsTheRunBeforeItsNextEffectAndAResumeCompletesItWithEachEffectOnce()
            throws Exception {
        PostgresEndpoint db = database("restart_mid_step");
        EffectStep.createTable(db);
        SideEffectLedger ledger = SideEffectLedger.at(tmp.resolve("ledger"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);

        RollbackReport first;
        String runId;
        try (RollbackExecutor node1 = RollbackExecutor.builder()
                .journal(PostgresJournal.open(db))
                .runLock(PostgresRunLock.open(db))
                .leaseCheck(Duration.ofMinutes(1)) // the check before each attempt finds the loss, not the watchdog
                .build()) {
            RollbackRun run =
                    node1.start(plan(db, ledger, "node1", entered, release, false), RunRequest.drill("node1"));
            runId = run.runId();
            assertThat(entered.await(60, TimeUnit.SECONDS))
                    .as("step hold has its transaction open")
                    .isTrue();

            POSTGRES.server().crashAndRestart();
            release.countDown();
            first = run.await(Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("the run did not end"));
        }

        // The open transaction died with the server: hold's first attempt had no effect. Its retry found
        // the run lock gone (its session died too) and did not start; nothing was journaled after that.
        PostgresJournal journal = PostgresJournal.open(db);
        RunHistory dead = RunHistory.replay(journal, runId);
        long deadToken = dead.highestFencingToken();
        assertThat(first.outcome()).as("backup succeeded, the rest did not").isEqualTo(RunOutcome.PARTIAL);
        assertThat(first.step("hold").orElseThrow().reason().orElseThrow())
                .isEqualTo("it did not start:"
                        + " RollbackException: run '" + runId + "' lost its run lock 'pg-restart' (fencing token "
                        + deadToken
                        + "), so it starts and journals nothing more; resume it: the next holder gets a higher token");
        assertThat(first.step("hold").orElseThrow().attempts())
                .as("only the attempt cut by the crash")
                .hasSize(1);
        assertThat(first).skipped("after", "depends on 'hold'");
        assertThat(dead.finished())
                .as("a run that lost its lock leaves it to the next holder")
                .isFalse();
        assertThat(dead.endedSteps()).extracting(StepHistory::stepId).containsExactly("backup");
        assertThat(dead.inDoubt()).extracting(StepHistory::stepId).containsExactly("hold");
        assertThat(journal.records(runId)).noneMatch(r -> r.stepId().equals(Optional.of("after")));
        assertThat(EffectStep.effects(db, runId)).containsExactly("backup " + deadToken + " node1");
        assertThat(lockToken(db))
                .as("the token sequence survived the crash (after a crash it may skip ahead, never back)")
                .isGreaterThanOrEqualTo(deadToken);

        RollbackReport resumed;
        try (RollbackExecutor node2 = RollbackExecutor.builder()
                .journal(journal)
                .runLock(PostgresRunLock.open(db))
                .lockWait(Duration.ofSeconds(30))
                .build()) {
            resumed = node2.resume(plan(db, ledger, "node2", null, null, false), runId)
                    .await();
        }

        assertThat(resumed).succeeded();
        assertThat(resumed.steps()).allSatisfy(s -> assertThat(s.outcome()).isEqualTo(StepOutcome.SUCCEEDED));
        long token = RunHistory.replay(journal, runId).highestFencingToken();
        assertThat(token).isGreaterThan(deadToken).isEqualTo(lockToken(db));
        assertThat(EffectStep.effects(db, runId))
                .containsExactly(
                        "backup " + deadToken + " node1", "hold " + token + " node2", "after " + token + " node2");
        List<JournalRecord> records = journal.records(runId);
        JournalConnectionDropIT.assertNoGapNoDuplicate(records);
        assertThat(records).extracting(JournalRecord::fencingToken).isSorted();
        assertThat(records.get(records.size() - 1).type()).isEqualTo(JournalRecord.Type.RUN_FINISHED);
        InvariantChecker.of(ledger.entries()).assertHolds();
    }

    /**
     * The crash hits the journal instead: step hold has committed its effect and the append of its end
     * record is in flight (held by a frozen proxy, so it is surely under way) when the server is
     * crashed and restarted. The journal reconnects and stores the record once; the run then finds
     * its lock gone and stops before step after; a resume runs after once.
     */
    @Test
    void aCrashAndRestartDuringAJournalAppendKeepsTheRecordOnceAndAResumeCompletesTheRun() throws Exception {
        PostgresEndpoint db = database("restart_mid_append");
        EffectStep.createTable(db);
        SideEffectLedger ledger = SideEffectLedger.at(tmp.resolve("ledger"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);

        RollbackReport first;
        String runId;
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
                RollbackExecutor node1 = RollbackExecutor.builder()
                        .journal(PostgresJournal.open(
                                db.toBuilder().port(proxy.port()).build()))
                        .runLock(PostgresRunLock.open(db))
                        .leaseCheck(Duration.ofMinutes(1)) // the check before the next attempt finds the loss
                        .build()) {
            RollbackRun run = node1.start(plan(db, ledger, "node1", entered, release, true), RunRequest.drill("node1"));
            runId = run.runId();
            assertThat(entered.await(60, TimeUnit.SECONDS))
                    .as("step hold committed its effect")
                    .isTrue();
            JournalConnectionDropIT.awaitCondition(() -> proxy.openSockets() == 0, "the earlier appends to close");
            proxy.freeze();
            release.countDown();
            JournalConnectionDropIT.awaitCondition(
                    () -> proxy.openSockets() > 0, "the end record of hold to be in flight");

            POSTGRES.server().crashAndRestart();
            proxy.heal();
            first = run.await(Duration.ofSeconds(60)).orElseThrow(() -> new AssertionError("the run did not end"));
        }

        PostgresJournal journal = PostgresJournal.open(db);
        RunHistory dead = RunHistory.replay(journal, runId);
        long deadToken = dead.highestFencingToken();
        assertThat(first.step("hold").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(first.step("after").orElseThrow().reason().orElseThrow())
                .startsWith("it did not start: ")
                .contains("lost its run lock 'pg-restart'");
        assertThat(dead.endedSteps()).extracting(StepHistory::stepId).containsExactly("backup", "hold");
        assertThat(dead.inDoubt()).isEmpty();
        assertThat(dead.finished()).isFalse();
        assertThat(journal.records(runId))
                .filteredOn(r -> r.type() == JournalRecord.Type.STEP_FINISHED)
                .extracting(r -> r.stepId().orElseThrow())
                .containsExactly("backup", "hold");

        RollbackReport resumed;
        try (RollbackExecutor node2 = RollbackExecutor.builder()
                .journal(journal)
                .runLock(PostgresRunLock.open(db))
                .lockWait(Duration.ofSeconds(30))
                .build()) {
            resumed = node2.resume(plan(db, ledger, "node2", null, null, false), runId)
                    .await();
        }
        assertThat(resumed).succeeded().ranExactlyOnce("after");
        long token = RunHistory.replay(journal, runId).highestFencingToken();
        assertThat(token).isGreaterThan(deadToken).isEqualTo(lockToken(db));
        assertThat(EffectStep.effects(db, runId))
                .containsExactly(
                        "backup " + deadToken + " node1", "hold " + deadToken + " node1", "after " + token + " node2");
        List<JournalRecord> records = journal.records(runId);
        JournalConnectionDropIT.assertNoGapNoDuplicate(records);
        assertThat(records).extracting(JournalRecord::fencingToken).isSorted();
        InvariantChecker.of(ledger.entries()).assertHolds();
    }

    /**
     * backup, then hold (on the latches, if given: inside its transaction, or after its commit), then
     * after; each an {@link EffectStep} of {@code node}.
     */
    private static RollbackPlan plan(
            PostgresEndpoint db,
            SideEffectLedger ledger,
            String node,
            CountDownLatch entered,
            CountDownLatch release,
            boolean holdAfterCommit) {
        EffectStep hold = EffectStep.of("hold", db, ledger, node);
        if (entered != null) {
            hold = holdAfterCommit ? hold.holdingAfterCommit(entered, release) : hold.holding(entered, release);
        }
        return RollbackPlan.builder("pg-restart", OBJECTIVES)
                .step(EffectStep.of("backup", db, ledger, node))
                .step(hold, s -> s.dependsOn("backup"))
                .step(EffectStep.of("after", db, ledger, node), s -> s.dependsOn("hold"))
                .build();
    }

    /**
     * A node that resumes while the server is still coming back (down, then starting) waits for it:
     * the journal's reads reconnect for {@code retryFor} as its appends do, instead of failing the
     * resume at the first refused connection.
     */
    @Test
    void aJournalReadWhileTheServerRestartsWaitsForItInsteadOfFailing() throws Exception {
        PostgresEndpoint db = database("restart_read");
        PostgresJournal journal =
                PostgresJournal.builder(db).retryFor(Duration.ofSeconds(60)).build();
        String run = "run-" + UUID.randomUUID();
        JournalRecord started = new JournalRecord(
                run,
                0,
                JournalRecord.Type.RUN_STARTED,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                Optional.empty(),
                1,
                Map.of());
        journal.append(started);

        PostgresServer server = POSTGRES.server();
        server.crash();
        Thread restarter = new Thread(() -> {
            try {
                Thread.sleep(500); // the reads below meet a refused connection first
                server.start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        restarter.start();
        try {
            assertThat(journal.records(run)).containsExactly(started);
            assertThat(journal.unfinishedRuns()).contains(run);
        } finally {
            restarter.join();
        }
        assertThat(server.isRunning()).isTrue();
    }

    private static PostgresEndpoint database(String name) throws SQLException {
        PostgresServer server = POSTGRES.server();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database(name)
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
    }

    private static long lockToken(PostgresEndpoint db) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                var rs = s.executeQuery("SELECT last_value FROM rollback.lock_token_seq")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
