package dev.rollback.postgres.coordination;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.RunHistory;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.fault.FaultProxy;
import dev.rollback.testkit.fault.InvariantChecker;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FAULTS, PostgreSQL: "connection dropped during a journal append (no duplicate, no gap)". The journal
 * talks to the real server through a proxy that cuts its connection while appends are in flight; the
 * journal read back must have every record once, no gap, a verifying hash chain, and a resumed run
 * must not run an ended step again.
 */
class JournalConnectionDropIT {
    private static final RecoveryObjectives OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1));

    private static PostgresEndpoint store;

    @TempDir
    Path tmp;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("journaldrop");
        EffectStep.createTable(store);
    }

    private static PostgresEndpoint via(int port) {
        return store.toBuilder().host("127.0.0.1").port(port).build();
    }

    private static JournalRecord record(String run, long seq, JournalRecord.Type type) {
        return new JournalRecord(
                run,
                seq,
                type,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                seq == 0 ? Optional.empty() : Optional.of("step-" + seq),
                1,
                Map.of("n", Long.toString(seq)));
    }

    /**
     * The server commits and the reply is lost: the client sees a broken connection. The append must
     * not report a failure for a record that is durable, and its retry must not store it twice.
     */
    @Test
    void anAppendWhoseCommitReplyIsLostIsStoredExactlyOnceAndReportedAsWritten() throws Exception {
        try (CommitReplyCutter cutter = CommitReplyCutter.to(store.host(), store.port())) {
            PostgresJournal journal = PostgresJournal.open(via(cutter.port()));
            String run = "run-" + UUID.randomUUID();
            JournalRecord started = record(run, 0, JournalRecord.Type.RUN_STARTED);
            JournalRecord step = record(run, 1, JournalRecord.Type.STEP_STARTED);
            journal.append(started);

            cutter.arm();
            journal.append(step);

            assertThat(cutter.cuts())
                    .as("the reply to the COMMIT of record 1 was cut")
                    .isEqualTo(1);
            assertThat(TestDatabases.queryLong(
                            store, "SELECT count(*) FROM rollback.journal WHERE run_id = '" + run + "'"))
                    .isEqualTo(2);
            assertThat(journal.records(run)).containsExactly(started, step);
            JournalRecord next = record(run, 2, JournalRecord.Type.STEP_FINISHED);
            journal.append(next);
            assertThat(journal.records(run)).containsExactly(started, step, next);
            // What makes the retry safe: a different record at a stored sequence is still refused.
            assertThatThrownBy(() -> journal.append(record(run, 1, JournalRecord.Type.STEP_SKIPPED)))
                    .hasMessageContaining("a different record already holds sequence 1");
        }
    }

    /**
     * A store that stops answering altogether (every byte dropped, connections left open): the
     * append must fail with a clear error within its read timeout and retry window, not hang the run.
     */
    @Test
    void anAppendToAStoreThatStopsAnsweringFailsWithinItsReadTimeoutInsteadOfHanging() {
        try (FaultProxy proxy = FaultProxy.start(store.host(), store.port())) {
            PostgresEndpoint viaProxy = store.toBuilder()
                    .host("127.0.0.1")
                    .port(proxy.port())
                    .connectTimeout(Duration.ofSeconds(1))
                    .build();
            PostgresJournal journal = PostgresJournal.builder(viaProxy)
                    .readTimeout(Duration.ofSeconds(1))
                    .retryFor(Duration.ofSeconds(2))
                    .build();
            String run = "run-" + UUID.randomUUID();
            journal.append(record(run, 0, JournalRecord.Type.RUN_STARTED));

            proxy.blackhole();
            long start = System.nanoTime();
            assertThatThrownBy(() -> journal.append(record(run, 1, JournalRecord.Type.STEP_STARTED)))
                    .hasMessageContaining("127.0.0.1:" + proxy.port() + "/" + store.database())
                    .hasMessageContaining("may have been written")
                    .hasMessageNotContaining(store.password().reveal());
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            // read timeout (1 s) + retries for 2 s, each reconnect cut off by the 1 s connect timeout
            assertThat(took)
                    .as("the append gave up instead of waiting for a reply forever")
                    .isBetween(Duration.ofSeconds(1), Duration.ofSeconds(20));
            proxy.heal();
            assertThat(PostgresJournal.open(store).records(run)).hasSize(1);
        }
    }

    /**
     * The same cut inside a run: the reply to the COMMIT of the first step's end record is lost. The
     * run goes on as if nothing happened (the record is durable), and nothing runs twice.
     */
    @Test
    void aRunWhoseEndRecordLostItsCommitReplyFinishesWithEveryStepOnce() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(tmp.resolve("ledger"));
        try (CommitReplyCutter cutter = CommitReplyCutter.to(store.host(), store.port())) {
            EffectStep first = EffectStep.of("first", store, ledger, "node1");
            RollbackPlan plan = RollbackPlan.builder("lost-commit-reply", OBJECTIVES)
                    .step(RollbackStep.builder("first", "app")
                            .action(c -> {
                                first.execute(c);
                                // The next commit through the proxy is this step's end record.
                                cutter.arm();
                            })
                            .build())
                    .step(EffectStep.of("second", store, ledger, "node1"), s -> s.dependsOn("first"))
                    .build();
            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder()
                    .journal(PostgresJournal.open(via(cutter.port())))
                    .runLock(PostgresRunLock.open(store))
                    .build()) {
                report = executor.run(plan, RunRequest.drill("test"));
            }

            assertThat(cutter.cuts()).isEqualTo(1);
            assertThat(report).succeeded().ranExactlyOnce("first").ranExactlyOnce("second");
            assertThat(EffectStep.effects(store, report.runId()))
                    .extracting(e -> e.split(" ")[0])
                    .containsExactly("first", "second");
            List<JournalRecord> records = PostgresJournal.open(store).records(report.runId());
            assertNoGapNoDuplicate(records);
            assertThat(RunHistory.of(report.runId(), records).finished()).isTrue();
            InvariantChecker.of(ledger.entries()).assertHolds();
        }
    }

    /**
     * Parallel steps append from several threads while the proxy resets every connection again and
     * again, at random moments (seeded; the seed is in the failure message).
     */
    @Test
    void connectionsResetWhileParallelStepsAppendLeaveNoDuplicateAndNoGap() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
        RollbackPlan.Builder builder =
                RollbackPlan.builder("reset-while-appending", OBJECTIVES).step(counting("root", executions));
        List<String> middle = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            middle.add("fan-" + i);
            builder.step(counting("fan-" + i, executions), s -> s.dependsOn("root"));
        }
        builder.step(counting("join", executions), s -> s.dependsOn(middle.toArray(String[]::new)));
        RollbackPlan plan = builder.build();

        try (FaultProxy proxy = FaultProxy.start(store.host(), store.port())) {
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger hits = new AtomicInteger();
            Thread chaos = new Thread(
                    () -> {
                        // Reset only after the journal grew since the last reset: every reset then cuts appends
                        // in flight, yet the run always progresses (a reset per few ms would starve it, since a
                        // connection takes tens of ms to authenticate here).
                        try (Connection watch = store.connect();
                                PreparedStatement rows =
                                        watch.prepareStatement("SELECT count(*) FROM rollback.journal")) {
                            long seen = count(rows);
                            while (!done.get()) {
                                long now = count(rows);
                                if (now == seen) {
                                    Thread.sleep(5);
                                    continue;
                                }
                                seen = now;
                                Thread.sleep(random.nextInt(10));
                                if (proxy.openSockets() > 0) {
                                    hits.incrementAndGet();
                                    proxy.resetConnections();
                                }
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (SQLException e) {
                            throw new IllegalStateException("the chaos thread cannot watch the journal", e);
                        }
                    },
                    "chaos");
            chaos.setDaemon(true);
            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder()
                    .parallelism(4)
                    .journal(PostgresJournal.open(via(proxy.port())))
                    .runLock(PostgresRunLock.open(store))
                    .build()) {
                chaos.start();
                report = executor.run(plan, RunRequest.drill("test"));
            } finally {
                done.set(true);
                chaos.join();
            }

            assertThat(hits.get())
                    .as("resets that cut a live connection (seed %d)", seed)
                    .isPositive();
            assertThat(report).as("seed %d", seed).succeeded();
            assertThat(executions)
                    .as("seed %d", seed)
                    .hasSize(10)
                    .allSatisfy(
                            (step, count) -> assertThat(count.get()).as(step).isEqualTo(1));
            List<JournalRecord> records = PostgresJournal.open(store).records(report.runId());
            assertNoGapNoDuplicate(records);
            assertThat(records)
                    .filteredOn(r -> r.type() == JournalRecord.Type.STEP_FINISHED)
                    .hasSize(10);
        }
    }

    /**
     * The connection is cut while the end record of step b is in flight, and the store stays
     * unreachable for this node: the append fails after its retries with an error naming the store,
     * the run stops before its next step and is not marked finished. Another node resumes it over a
     * working connection: a and b (ended or settled by b's own check) do not run again, c runs once.
     */
    @Test
    @SuppressWarnings("try") // the proxy is closed inside its try on purpose: the store goes away mid-append
    void anAppendCutInFlightFailsTheRunClearlyAndAResumeFinishesItWithoutRunningAnEndedStepTwice() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(tmp.resolve("ledger"));
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        String runId;
        RollbackReport first;
        int proxyPort;
        try (FaultProxy proxy = FaultProxy.start(store.host(), store.port())) {
            proxyPort = proxy.port();
            PostgresEndpoint viaProxy = via(proxyPort);
            try (RollbackExecutor node1 = RollbackExecutor.builder()
                    .journal(PostgresJournal.builder(viaProxy)
                            .retryFor(Duration.ofSeconds(1))
                            .build())
                    .runLock(PostgresRunLock.open(store))
                    .build()) {
                RollbackRun run = node1.start(abc("node1", ledger, entered, release), RunRequest.drill("node1"));
                runId = run.runId();
                assertThat(entered.await(30, TimeUnit.SECONDS))
                        .as("step b started")
                        .isTrue();

                // Only the journal goes through the proxy, one connection per append: once the earlier
                // ones are closed, hold every byte, let b end, and wait until its end record connects.
                awaitCondition(() -> proxy.openSockets() == 0, "the earlier appends to close");
                proxy.freeze();
                release.countDown();
                awaitCondition(() -> proxy.openSockets() > 0, "the end record of b to be in flight");
                proxy.close();

                first = run.await(Duration.ofSeconds(60)).orElseThrow();
            }
        }

        assertThat(first.outcome()).isNotEqualTo(RunOutcome.SUCCEEDED);
        assertThat(first).skipped("c", "the journal failed, so no further step may start");
        assertThat(first.notes())
                .anySatisfy(n -> assertThat(n)
                        .contains("the journal could not record the end of the run")
                        .contains("127.0.0.1:" + proxyPort + "/" + store.database())
                        .contains("the record may have been written"));
        assertThat(String.join("\n", first.notes()))
                .doesNotContain(store.password().reveal());
        PostgresJournal journal = PostgresJournal.open(store);
        RunHistory dead = RunHistory.replay(journal, runId);
        assertThat(dead.finished())
                .as("a run whose journal failed is not marked finished")
                .isFalse();
        assertThat(dead.inDoubt()).extracting(h -> h.stepId()).containsExactly("b");
        assertThat(journal.unfinishedRuns()).contains(runId);
        assertThat(EffectStep.effects(store, runId))
                .containsExactly(
                        "a " + dead.highestFencingToken() + " node1", "b " + dead.highestFencingToken() + " node1");

        RollbackReport resumed;
        try (RollbackExecutor node2 = RollbackExecutor.builder()
                .journal(journal)
                .runLock(PostgresRunLock.open(store))
                .lockWait(Duration.ofSeconds(30))
                .build()) {
            resumed = node2.resume(abc("node2", ledger, null, null), runId).await();
        }
        assertThat(resumed).succeeded();
        assertThat(resumed.steps()).allSatisfy(st -> assertThat(st.outcome()).isEqualTo(StepOutcome.SUCCEEDED));
        assertThat(EffectStep.effects(store, runId))
                .extracting(e -> e.split(" ")[0] + " " + e.split(" ")[2])
                .containsExactly("a node1", "b node1", "c node2");
        List<JournalRecord> records = journal.records(runId);
        assertNoGapNoDuplicate(records);
        assertThat(records.get(records.size() - 1).type()).isEqualTo(JournalRecord.Type.RUN_FINISHED);
        assertThat(records)
                .filteredOn(r -> r.sequence() >= dead.nextSequence())
                .allSatisfy(r -> assertThat(r.fencingToken()).isGreaterThan(dead.highestFencingToken()));
        InvariantChecker.of(ledger.entries()).assertHolds();
    }

    /** a, then b (held on the latches when given), then c: each an {@link EffectStep} of {@code node}. */
    private static RollbackPlan abc(
            String node, SideEffectLedger ledger, CountDownLatch entered, CountDownLatch release) {
        EffectStep b = EffectStep.of("b", store, ledger, node);
        return RollbackPlan.builder("journal-cut-in-flight", OBJECTIVES)
                .step(EffectStep.of("a", store, ledger, node))
                .step(entered == null ? b : b.holding(entered, release), s -> s.dependsOn("a"))
                .step(EffectStep.of("c", store, ledger, node), s -> s.dependsOn("b"))
                .build();
    }

    /** Polls a condition no event announces (a connection accepted by the proxy), up to 30 s. */
    static void awaitCondition(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    private static long count(PreparedStatement query) throws SQLException {
        try (ResultSet rs = query.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static RollbackStep counting(String id, Map<String, AtomicInteger> executions) {
        return RollbackStep.builder(id, "app")
                .action(c ->
                        executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet())
                .build();
    }

    /**
     * Sequences 0..n-1, and no record twice under another sequence (the duplicate a blind retry makes);
     * {@link PostgresJournal#records} has checked the hash chain while reading them.
     */
    static void assertNoGapNoDuplicate(List<JournalRecord> records) {
        for (int i = 0; i < records.size(); i++) {
            assertThat(records.get(i).sequence()).as("sequence of record %d", i).isEqualTo(i);
        }
        Set<String> seen = new HashSet<>();
        for (JournalRecord r : records) {
            // A resumed run starts a re-run step at attempt 1 again, under its own (higher) token.
            String identity =
                    r.type() + " " + r.stepId().orElse("-") + " " + r.data().getOrDefault("attempt", "") + " "
                            + r.data().getOrDefault("verifier", "") + " token " + r.fencingToken();
            assertThat(seen.add(identity))
                    .as("record %s appears once", identity)
                    .isTrue();
        }
    }
}
