package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.Severity;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.ApprovalPolicy;
import dev.rollback.api.governance.ApprovalRequiredException;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RollbackExecutorTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final RecoveryObjectives THIRTY_MINUTES =
            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5));

    private final ManualClock clock = new ManualClock(T0);
    private final RecordingListener events = new RecordingListener();
    private final List<RollbackExecutor> executors = new ArrayList<>();

    @AfterEach
    void closeExecutors() {
        executors.forEach(RollbackExecutor::close);
    }

    private RollbackExecutor executor(RollbackExecutor.Builder builder) {
        RollbackExecutor e = builder.build();
        executors.add(e);
        return e;
    }

    private RollbackExecutor executor() {
        return executor(RollbackExecutor.builder().clock(clock).listener(events).parallelism(8));
    }

    private static RunRequest drill() {
        return RunRequest.drill("test");
    }

    private static RollbackStep noop(String id) {
        return RollbackStep.builder(id, "app").idempotent(true).build();
    }

    /** A step that blocks until interrupted, and records that it was. */
    private static RollbackStep hang(String id, AtomicBoolean interrupted) {
        return RollbackStep.builder(id, "app")
                .action(ctx -> {
                    try {
                        new CountDownLatch(1).await();
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                })
                .build();
    }

    @Test
    void runsAPlanInDependencyOrderAndReportsSuccess() {
        List<String> order = new CopyOnWriteArrayList<>();
        RollbackPlan plan = RollbackPlan.builder("app-rollback", THIRTY_MINUTES)
                .step(RollbackStep.builder("route", "app")
                        .action(c -> order.add("route"))
                        .build())
                .step(
                        RollbackStep.builder("swap", "app")
                                .action(c -> order.add("swap"))
                                .build(),
                        s -> s.dependsOn("route"))
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(order).containsExactly("route", "swap");
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.steps()).extracting(StepReport::outcome).containsOnly(StepOutcome.SUCCEEDED);
        assertThat(report.steps()).allSatisfy(s -> assertThat(s.attempts()).hasSize(1));
        assertThat(events.events.get(0).getClass().getSimpleName()).isEqualTo("RunStarted");
        assertThat(events.events.get(events.events.size() - 1)).isInstanceOf(RunFinished.class);
    }

    @Test
    void independentBranchesReallyOverlap() {
        CountDownLatch bothStarted = new CountDownLatch(2);
        AtomicBoolean sawTheOther = new AtomicBoolean(true);
        RollbackStep.Action waitForTheOther = ctx -> {
            bothStarted.countDown();
            if (!bothStarted.await(5, TimeUnit.SECONDS)) {
                sawTheOther.set(false);
            }
        };
        RollbackPlan plan = RollbackPlan.builder("parallel", THIRTY_MINUTES)
                .step(RollbackStep.builder("redis", "cache")
                        .action(waitForTheOther)
                        .build())
                .step(RollbackStep.builder("storage", "blob")
                        .action(waitForTheOther)
                        .build())
                .build();
        RollbackReport report =
                executor(RollbackExecutor.builder().parallelism(2)).run(plan, drill());
        assertThat(sawTheOther).as("each branch saw the other one running").isTrue();
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
    }

    @Test
    void dependentsNeverStartBeforeTheirDependenciesEndOnRandomGraphs() {
        RollbackExecutor executor = executor(RollbackExecutor.builder().parallelism(8));
        for (long seed = 1; seed <= 12; seed++) {
            Random random = new Random(seed);
            AtomicLong tick = new AtomicLong();
            Map<String, long[]> spans = new ConcurrentHashMap<>();
            RollbackPlan.Builder b = RollbackPlan.builder("dag-" + seed, THIRTY_MINUTES);
            List<List<String>> deps = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                List<String> d = new ArrayList<>();
                for (int j = Math.max(0, i - 20); j < i; j++) {
                    if (random.nextInt(10) == 0) {
                        d.add("s" + j);
                    }
                }
                deps.add(d);
                String id = "s" + i;
                b.step(
                        RollbackStep.builder(id, "c" + (i % 3))
                                .action(ctx -> {
                                    long start = tick.incrementAndGet();
                                    Thread.onSpinWait();
                                    spans.put(id, new long[] {start, tick.incrementAndGet()});
                                })
                                .build(),
                        s -> s.dependsOn(d.toArray(String[]::new)));
            }
            RollbackReport report = executor.run(b.build(), drill());
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(spans).hasSize(200);
            for (int i = 0; i < 200; i++) {
                for (String d : deps.get(i)) {
                    assertThat(spans.get(d)[1])
                            .as("seed %d: %s ended before s%d started", seed, d, i)
                            .isLessThan(spans.get("s" + i)[0]);
                }
            }
        }
    }

    @Test
    void aStepThatOverrunsItsTimeoutIsInterruptedAndTheEventComesAtThatMoment() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        RollbackPlan plan = RollbackPlan.builder("slow", THIRTY_MINUTES)
                .step(hang("swap", interrupted), s -> s.timeout(Duration.ofMinutes(2)))
                .step(noop("after"), s -> s.dependsOn("swap"))
                .build();
        RollbackRun run = executor().start(plan, drill());
        events.awaitEvent(e -> e instanceof StepStarted);
        clock.advance(Duration.ofMinutes(2));
        events.awaitEvent(e -> e instanceof StepTimedOut);
        RollbackReport report = run.await();
        // The run ends at the deadline; the step's own thread handles its interrupt a moment later.
        assertThat(pollUntil(interrupted::get))
                .as("the step's thread was interrupted")
                .isTrue();
        StepReport swap = report.step("swap").orElseThrow();
        assertThat(swap.outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(swap.budget()).isEqualTo(Duration.ofMinutes(2));
        assertThat(swap.duration()).isEqualTo(Duration.ofMinutes(2));
        assertThat(swap.reason()).hasValueSatisfying(r -> assertThat(r).contains("passed its deadline"));
        assertThat(report.step("after").orElseThrow().reason()).contains("depends on 'swap', which timed out");
        StepTimedOut timedOut = events.of(StepTimedOut.class).get(0);
        assertThat(timedOut.at()).isEqualTo(T0.plus(Duration.ofMinutes(2)));
        assertThat(events.events.indexOf(timedOut))
                .isLessThan(events.events.indexOf(events.of(RunFinished.class).get(0)));
    }

    @Test
    void aStepsDeadlineIsItsComponentsRemainingBudgetWhenThatIsEarlier() {
        RollbackPlan plan = RollbackPlan.builder("budgets", THIRTY_MINUTES)
                .component("cache", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(RollbackStep.builder("warm", "cache")
                        .action(ctx -> clock.advance(Duration.ofSeconds(40)))
                        .build())
                .step(
                        RollbackStep.builder("verify", "cache")
                                .action(ctx -> {
                                    assertThat(ctx.remaining()).isEqualTo(Duration.ofSeconds(20));
                                    assertThat(ctx.deadline()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
                                })
                                .build(),
                        s -> s.dependsOn("warm").timeout(Duration.ofMinutes(1)))
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.step("verify").orElseThrow().budget()).isEqualTo(Duration.ofSeconds(20));
        assertThat(report.component("cache").orElseThrow().rto()).isEqualTo(TargetStatus.MET);
        assertThat(report.component("cache").orElseThrow().recoveryTime()).isEqualTo(Duration.ofSeconds(40));
    }

    @Test
    void aComponentThatRunsPastItsRtoIsReportedMissedAndItsBudgetEventFires() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        RollbackPlan plan = RollbackPlan.builder("rto", THIRTY_MINUTES)
                .component("app", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(hang("swap", interrupted))
                .build();
        RollbackRun run = executor().start(plan, drill());
        events.awaitEvent(e -> e instanceof StepStarted);
        clock.advance(Duration.ofMinutes(5));
        RollbackReport report = run.await();
        assertThat(report.step("swap").orElseThrow().outcome()).isEqualTo(StepOutcome.TIMED_OUT);
        assertThat(report.component("app").orElseThrow().rto()).isEqualTo(TargetStatus.MISSED);
        assertThat(events.of(BudgetExceeded.class))
                .extracting(BudgetExceeded::component)
                .containsExactly("app");
    }

    @Test
    void retriesTransientFailuresWithExponentialBackoffAndStopsAtTheDeadline() {
        AtomicInteger calls = new AtomicInteger();
        RollbackStep flaky = RollbackStep.builder("swap", "app")
                .action(ctx -> {
                    calls.incrementAndGet();
                    throw new TransientFailureException("503 Service Unavailable", null);
                })
                .build();
        RetrySettings retry = RetrySettings.custom()
                .maxAttempts(10)
                .initialBackoff(Duration.ofSeconds(1))
                .multiplier(2)
                .maxBackoff(Duration.ofMinutes(1))
                .jitter(0)
                .build();
        RollbackPlan plan = RollbackPlan.builder("retry", THIRTY_MINUTES)
                .step(flaky, s -> s.timeout(Duration.ofSeconds(10)).retry(retry))
                .build();
        RollbackReport report = executor().run(plan, drill());
        // Attempts at 0 s, 1 s, 3 s and 7 s; the next wait (8 s) would end past the 10 s deadline.
        assertThat(calls).hasValue(4);
        StepReport swap = report.step("swap").orElseThrow();
        assertThat(swap.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(swap.attempts())
                .extracting(a -> a.startedAt())
                .containsExactly(T0, T0.plusSeconds(1), T0.plusSeconds(3), T0.plusSeconds(7));
        assertThat(swap.reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("past the deadline").contains("503"));
        assertThat(events.of(StepRetrying.class))
                .extracting(StepRetrying::backoff)
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
    }

    @Test
    void waitsExactlyTheRetryAfterAFailureAsksFor() {
        AtomicInteger calls = new AtomicInteger();
        RollbackStep throttled = RollbackStep.builder("reboot", "cache")
                .action(ctx -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new TransientFailureException("429 Too Many Requests", Duration.ofSeconds(7), null);
                    }
                })
                .build();
        RollbackReport report = executor()
                .run(
                        RollbackPlan.builder("throttle", THIRTY_MINUTES)
                                .step(throttled)
                                .build(),
                        drill());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(events.of(StepRetrying.class))
                .singleElement()
                .extracting(StepRetrying::backoff)
                .isEqualTo(Duration.ofSeconds(7));
        assertThat(report.step("reboot").orElseThrow().attempts()).hasSize(2);
        assertThat(report.step("reboot").orElseThrow().attempts().get(1).startedAt())
                .isEqualTo(T0.plusSeconds(7));
    }

    @Test
    void neverRetriesAFailureTheStepDoesNotMarkTransientNorAnError() {
        AtomicInteger calls = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("permanent", THIRTY_MINUTES)
                .step(RollbackStep.builder("a", "app")
                        .action(ctx -> {
                            calls.incrementAndGet();
                            throw new IllegalStateException("401 Unauthorized");
                        })
                        .build())
                .step(RollbackStep.builder("b", "app")
                        .action(ctx -> {
                            calls.incrementAndGet();
                            throw new AssertionError("boom");
                        })
                        .build())
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(calls).hasValue(2);
        assertThat(report.step("a").orElseThrow().reason()).contains("IllegalStateException: 401 Unauthorized");
        assertThat(report.step("b").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("never retried"));
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
    }

    @Test
    void aFailedStepSkipsItsDependentsWhileIndependentBranchesGoOn() {
        RollbackPlan plan = RollbackPlan.builder("partial", THIRTY_MINUTES)
                .step(RollbackStep.builder("backup", "db")
                        .action(ctx -> {
                            throw new IllegalStateException("pg_dump: connection refused");
                        })
                        .build())
                .step(noop("restore"), s -> s.dependsOn("backup"))
                .step(noop("switch"), s -> s.dependsOn("restore"))
                .step(noop("redis-flush"))
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(report.outcome()).isEqualTo(RunOutcome.PARTIAL);
        assertThat(report.step("redis-flush").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(report.step("restore").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(report.step("restore").orElseThrow().reason()).contains("depends on 'backup', which failed");
        assertThat(report.step("switch").orElseThrow().reason()).contains("depends on 'restore', which was skipped");
    }

    @Test
    void aFailFastPlanStartsNothingAfterTheFirstFailure() {
        AtomicInteger ran = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("fail-fast", THIRTY_MINUTES)
                .failFast(true)
                .step(RollbackStep.builder("first", "app")
                        .action(ctx -> {
                            throw new IllegalStateException("no");
                        })
                        .build())
                .step(
                        RollbackStep.builder("later", "app")
                                .action(ctx -> ran.incrementAndGet())
                                .build(),
                        s -> s.dependsOn("gate"))
                .step(RollbackStep.builder("gate", "app")
                        .action(ctx -> {
                            Thread.sleep(50);
                            ran.incrementAndGet();
                        })
                        .build())
                .build();
        RollbackReport report =
                executor(RollbackExecutor.builder().parallelism(2)).run(plan, drill());
        assertThat(report.step("later").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(report.step("later").orElseThrow().reason()).contains("fail-fast: step 'first' failed");
        assertThat(ran).as("only the step already running finished").hasValue(1);
    }

    @Test
    void aFailedVerificationFailsItsStepAndKeepsItsEvidence() {
        Verifier health = Verifier.of(
                "health-endpoint",
                ctx -> Verification.failed("health-endpoint", "GET /api/health returns 200", "503")
                        .withDetail("body", "maintenance"));
        RollbackPlan plan = RollbackPlan.builder("verify", THIRTY_MINUTES)
                .step(noop("swap"), s -> s.verifier(health))
                .verifier(Verifier.of("error-rate", ctx -> Verification.passed("error-rate", "< 1%", "0.2%")))
                .build();
        RollbackReport report = executor().run(plan, drill());
        StepReport swap = report.step("swap").orElseThrow();
        assertThat(swap.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(swap.reason())
                .contains("verification 'health-endpoint' failed: expected GET /api/health returns 200, observed 503");
        assertThat(swap.verifications()).singleElement().satisfies(v -> {
            assertThat(v.passed()).isFalse();
            assertThat(v.details()).containsEntry("body", "maintenance");
        });
        assertThat(report.planVerifications())
                .singleElement()
                .satisfies(v -> assertThat(v.passed()).isTrue());
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
    }

    @Test
    void aVerifierThatThrowsFailsItsCheckWithTheErrorAsEvidence() {
        RollbackPlan plan = RollbackPlan.builder("verify-throws", THIRTY_MINUTES)
                .step(
                        noop("swap"),
                        s -> s.verifier(Verifier.of("db", ctx -> {
                            throw new SQLException("connection refused");
                        })))
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(report.step("swap").orElseThrow().verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.observed()).contains("SQLException: connection refused"));
    }

    @Test
    void abortStopsSchedulingInterruptsRunningStepsAndRecordsWhoAndWhy() throws Exception {
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicInteger laterRan = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("abort", THIRTY_MINUTES)
                .step(hang("restore", interrupted))
                .step(
                        RollbackStep.builder("switch", "app")
                                .action(c -> laterRan.incrementAndGet())
                                .build(),
                        s -> s.dependsOn("restore"))
                .build();
        RollbackRun run = executor().start(plan, drill());
        events.awaitEvent(e -> e instanceof StepStarted);
        run.abort("wrong restore point", "alice");
        RollbackReport report = run.await();
        assertThat(report.outcome()).isEqualTo(RunOutcome.ABORTED);
        assertThat(report.abort()).hasValueSatisfying(a -> {
            assertThat(a.who()).isEqualTo("alice");
            assertThat(a.reason()).isEqualTo("wrong restore point");
        });
        assertThat(report.step("restore").orElseThrow().outcome()).isEqualTo(StepOutcome.ABORTED);
        assertThat(report.step("switch").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(laterRan).hasValue(0);
        assertThat(events.of(RunAborted.class))
                .singleElement()
                .extracting(RunAborted::who)
                .isEqualTo("alice");
        assertThat(pollUntil(interrupted::get))
                .as("the running step was interrupted")
                .isTrue();
    }

    @Test
    void aListenerThatThrowsChangesNothing() {
        RollbackListener broken = new RollbackListener() {
            @Override
            public void onEvent(RollbackEvent event) {
                throw new IllegalStateException("listener bug");
            }
        };
        AtomicInteger ran = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("listeners", THIRTY_MINUTES)
                .step(RollbackStep.builder("a", "app")
                        .action(c -> ran.incrementAndGet())
                        .build())
                .step(
                        RollbackStep.builder("b", "app")
                                .action(c -> ran.incrementAndGet())
                                .build(),
                        s -> s.dependsOn("a"))
                .build();
        RollbackReport report = executor(
                        RollbackExecutor.builder().clock(clock).listener(broken).listener(events))
                .run(plan, drill());
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(ran).hasValue(2);
        assertThat(events.events)
                .as("the listener after the broken one still got every event")
                .hasSize(6);
    }

    @Test
    void aDryRunRunsOnlyReadOnlyChecksAndChangesNothing() {
        AtomicInteger effects = new AtomicInteger();
        AtomicInteger preflights = new AtomicInteger();
        AtomicInteger writingVerifier = new AtomicInteger();
        Verifier restoreTest = new Verifier() {
            @Override
            public String name() {
                return "restore-test";
            }

            @Override
            public Verification verify(StepContext context) {
                writingVerifier.incrementAndGet();
                return Verification.passed(name(), "restore works", "it did");
            }

            @Override
            public boolean readOnly() {
                return false;
            }
        };
        RollbackPlan plan = RollbackPlan.builder("dry", THIRTY_MINUTES)
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(
                        RollbackStep.builder("backup", "db")
                                .safeguard(true)
                                .preflight(c -> {
                                    assertThat(c.dryRun()).isTrue();
                                    preflights.incrementAndGet();
                                })
                                .action(c -> effects.incrementAndGet())
                                .build(),
                        s -> s.verifier(restoreTest))
                .step(
                        RollbackStep.builder("restore", "db")
                                .destructive(true)
                                .preflight(c -> {
                                    preflights.incrementAndGet();
                                    throw new IllegalArgumentException(
                                            "restore time 2026-11-26T00:00:00Z is in the future");
                                })
                                .action(c -> effects.incrementAndGet())
                                .build(),
                        s -> s.dependsOn("backup").timeout(Duration.ofMinutes(10)))
                .build();
        RollbackReport report = executor().dryRun(plan, drill());
        assertThat(effects).as("no action ran").hasValue(0);
        assertThat(writingVerifier).as("no writing verifier ran").hasValue(0);
        assertThat(preflights).hasValue(2);
        assertThat(report.dryRun()).isTrue();
        assertThat(report.step("backup").orElseThrow().outcome()).isEqualTo(StepOutcome.WOULD_RUN);
        assertThat(report.step("backup").orElseThrow().budget()).isEqualTo(Duration.ofMinutes(15));
        assertThat(report.step("restore").orElseThrow().outcome()).isEqualTo(StepOutcome.WOULD_FAIL);
        assertThat(report.step("restore").orElseThrow().budget()).isEqualTo(Duration.ofMinutes(10));
        assertThat(report.step("restore").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("in the future"));
        assertThat(report.notes()).contains("order: backup -> restore");
        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
    }

    @Test
    void aManualRunThatItsPolicyRefusesFailsBeforeAnySideEffectAndNamesTheMissingRoles() {
        AtomicInteger effects = new AtomicInteger();
        ApprovalPolicy needsLead = new ApprovalPolicy() {
            @Override
            public String name() {
                return "needs-lead";
            }

            @Override
            public Authorization authorize(
                    RollbackPlan plan, Initiator initiator, List<Approval> approvals, Instant now) {
                return new Authorization(
                        false,
                        false,
                        name(),
                        approvals,
                        List.of("technical-lead"),
                        "a planned rollback needs the Technical Lead",
                        now);
            }
        };
        RollbackPlan plan = RollbackPlan.builder("guarded", THIRTY_MINUTES)
                .step(RollbackStep.builder("swap", "app")
                        .action(c -> effects.incrementAndGet())
                        .build())
                .build();
        RollbackExecutor executor = executor(RollbackExecutor.builder()
                .clock(clock)
                .approvalPolicy(needsLead)
                .listener(events));
        assertThatThrownBy(() -> executor.run(plan, RunRequest.manual("bob")))
                .isInstanceOf(ApprovalRequiredException.class)
                .hasMessageContaining("plan 'guarded' cannot start")
                .hasMessageContaining("[technical-lead]");
        assertThat(effects).hasValue(0);
        assertThat(events.events).isEmpty();
    }

    @Test
    void anAutomaticRunIsReportedAsPreAuthorizedWithItsDecisionAndTimeToDetect() {
        Decision decision = new Decision(
                "application-rollback",
                Decision.Kind.ROLLBACK,
                Severity.SEV1,
                "error-rate",
                0.013,
                0.01,
                "ratio",
                "error rate 1.3% > 1% for 5m",
                T0.minusSeconds(330),
                T0.minusSeconds(30));
        RollbackPlan plan = RollbackPlan.builder("auto", THIRTY_MINUTES)
                .carriesOut("application-rollback")
                .step(noop("swap"))
                .build();
        RollbackReport report = executor().run(plan, RunRequest.automatic(decision));
        assertThat(report.authorization().preAuthorized()).isTrue();
        assertThat(report.notes().get(0)).startsWith("pre-authorized by policy 'none'");
        assertThat(report.metrics().timeToDetect()).contains(Duration.ofMinutes(5));
        assertThat(report.metrics().timeToDecide()).contains(Duration.ofSeconds(30));
        assertThat(report.metrics().totalRecovery()).contains(Duration.ofSeconds(330));
        assertThat(report.metrics().recordsLost())
                .as("nobody measured it: unknown, not zero")
                .isEmpty();
    }

    @Test
    void aSecondStartForARunningPlanJoinsIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger runs = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("join", THIRTY_MINUTES)
                .step(RollbackStep.builder("swap", "app")
                        .action(c -> {
                            runs.incrementAndGet();
                            release.await();
                        })
                        .build())
                .build();
        RollbackExecutor executor = executor();
        RollbackRun first = executor.start(plan, drill());
        RollbackRun second = executor.start(plan, RunRequest.manual("carol"));
        assertThat(second.joined()).isTrue();
        assertThat(second.runId()).isEqualTo(first.runId());
        release.countDown();
        assertThat(second.await().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(runs).hasValue(1);
        RollbackRun third = executor.start(plan, drill());
        assertThat(third.joined()).as("a finished run is not joined").isFalse();
        third.await();
    }

    @Test
    void stepsShareEvidenceAndSecretsNeverReachTheReport() {
        Secret password = Secret.of("pw-" + System.nanoTime());
        RollbackPlan plan = RollbackPlan.builder("evidence", THIRTY_MINUTES)
                .step(RollbackStep.builder("restore", "db")
                        .action(c -> c.evidence("server", "db-restored"))
                        .build())
                .step(
                        RollbackStep.builder("switch", "db")
                                .action(c -> {
                                    c.evidence(
                                            "target",
                                            c.evidenceOf("restore", "server").orElseThrow());
                                    c.evidence(
                                            "url", "postgresql://admin:" + password.reveal() + "@db-restored:5432/app");
                                    throw new IllegalStateException("login failed for password " + password.reveal());
                                })
                                .build(),
                        s -> s.dependsOn("restore"))
                .build();
        RollbackReport report = executor().run(plan, drill());
        StepReport sw = report.step("switch").orElseThrow();
        assertThat(sw.evidence()).containsEntry("target", "db-restored");
        String json = JsonReportRenderer.render(report);
        String markdown = MarkdownReportRenderer.render(report);
        assertThat(json).doesNotContain(password.reveal()).contains("login failed for password ***");
        assertThat(markdown).doesNotContain(password.reveal());
    }

    @Test
    void recordsLostAreSummedFromTheProvidersEvidence() {
        RollbackPlan plan = RollbackPlan.builder("rpo", THIRTY_MINUTES)
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("restore", "db")
                        .action(c -> {
                            c.evidence("rpo.recordsLost", "3");
                            c.evidence("rpo.dataLossWindow", "PT45S");
                        })
                        .build())
                .step(RollbackStep.builder("restore-2", "db")
                        .action(c -> c.evidence("rpo.recordsLost", "2"))
                        .build())
                .build();
        RollbackReport report = executor().run(plan, drill());
        assertThat(report.metrics().recordsLost()).hasValue(5);
        assertThat(report.component("db").orElseThrow().dataLossWindow()).contains(Duration.ofSeconds(45));
        assertThat(report.component("db").orElseThrow().rpo()).isEqualTo(TargetStatus.MET);
    }

    private static boolean pollUntil(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(5);
        }
        return condition.getAsBoolean();
    }
}
