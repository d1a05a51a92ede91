package dev.rollback.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackMetricsTest {
    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-11-25T12:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private RollbackMetrics metrics() {
        RollbackMetrics metrics = RollbackMetrics.custom().clock(clock).build();
        metrics.bindTo(registry);
        return metrics;
    }

    @Test
    void countsRunsByOutcomeAndTimesStepsByComponentAndOutcomeWithoutARunIdInAnyTag() {
        RollbackMetrics metrics = metrics();
        AtomicInteger swaps = new AtomicInteger();
        RollbackPlan plan = RollbackPlan.builder("app-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(10)))
                .component("app", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .defaultRetry(RetrySettings.custom()
                        .maxAttempts(2)
                        .initialBackoff(Duration.ofMillis(1))
                        .jitter(0)
                        .build())
                .step(RollbackStep.builder("swap", "app")
                        .idempotent(true)
                        .action(ctx -> {
                            clock.advance(Duration.ofSeconds(20));
                            if (swaps.incrementAndGet() == 1) {
                                throw new TransientFailureException("503", null);
                            }
                        })
                        .build())
                .step(
                        RollbackStep.builder("verify", "app")
                                .action(ctx -> {
                                    throw new IllegalStateException("health 503");
                                })
                                .build(),
                        s -> s.dependsOn("swap"))
                .build();
        RollbackReport report;
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).listener(metrics).build()) {
            report = executor.run(plan, RunRequest.drill("test"));
        }

        assertThat(registry.get("rollback.runs.started")
                        .tags("plan", "app-rollback", "initiator", "drill", "dry.run", "false")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.runs")
                        .tags(
                                "plan",
                                "app-rollback",
                                "outcome",
                                report.outcome().name())
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.run.duration").timer().count()).isEqualTo(1);
        var swapped = registry.get("rollback.step.duration")
                .tags("plan", "app-rollback", "component", "app", "outcome", "SUCCEEDED")
                .timer();
        assertThat(swapped.count()).isEqualTo(1);
        assertThat(swapped.totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(40);
        assertThat(registry.get("rollback.step.attempts")
                        .tags("component", "app", "outcome", "SUCCEEDED")
                        .summary()
                        .totalAmount())
                .isEqualTo(2);
        assertThat(registry.get("rollback.step.retries")
                        .tags("plan", "app-rollback", "component", "app")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.step.duration")
                        .tags("component", "app", "outcome", "FAILED")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.runs.active").gauge().value()).isZero();
        for (Meter meter : registry.getMeters()) {
            assertThat(meter.getId().getTags())
                    .extracting(Tag::getValue)
                    .as("tags of %s", meter.getId().getName())
                    .doesNotContain(report.runId());
        }
    }

    @Test
    void showsTheRtoBudgetLeftOfEachComponentWhileARunIsLiveAndNotAfter() throws Exception {
        RollbackMetrics metrics = metrics();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RollbackPlan plan = RollbackPlan.builder("db-recovery", RecoveryObjectives.stateless(Duration.ofMinutes(30)))
                .component("postgres", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("restore", "postgres")
                        .action(ctx -> {
                            running.countDown();
                            release.await();
                        })
                        .build())
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).listener(metrics).build()) {
            RollbackRun run = executor.start(plan, RunRequest.drill("test"));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofMinutes(4));

            assertThat(registry.get("rollback.rto.remaining")
                            .tags("plan", "db-recovery", "component", "postgres")
                            .gauge()
                            .value())
                    .isEqualTo(11 * 60);
            assertThat(registry.get("rollback.rto.remaining")
                            .tags("plan", "db-recovery", "component", "plan")
                            .gauge()
                            .value())
                    .isEqualTo(26 * 60);
            assertThat(registry.get("rollback.runs.active").gauge().value()).isEqualTo(1);

            release.countDown();
            run.await();
        }
        assertThat(registry.find("rollback.rto.remaining").gauges()).isEmpty();
        assertThat(registry.get("rollback.runs.active").gauge().value()).isZero();
    }

    @Test
    void aRegistryBoundDuringARunGetsItsBudgetGauges() {
        RollbackMetrics metrics = RollbackMetrics.custom().clock(clock).build();
        metrics.onRunStarted(new RunStarted(
                "run-1",
                clock.instant(),
                "app-rollback",
                Initiator.drill("test"),
                false,
                Map.of("plan", Duration.ofMinutes(5))));
        clock.advance(Duration.ofMinutes(1));

        metrics.bindTo(registry);

        assertThat(registry.get("rollback.rto.remaining")
                        .tags("plan", "app-rollback", "component", "plan")
                        .gauge()
                        .value())
                .isEqualTo(4 * 60);
    }

    @Test
    void countsDecisionsByRuleAndKindAndShowsEachRulesState() {
        TriggerEngine engine = TriggerEngine.builder()
                .clock(clock)
                .matrix(DecisionMatrix.custom()
                        .addRule(TriggerRule.custom()
                                .name("error-rate")
                                .signal(Signal.ERROR_RATE)
                                .above(0.01)
                                .minimumEvents(10)
                                .action("application-rollback")
                                .build())
                        .build())
                .build();
        RollbackMetrics.custom().clock(clock).triggers(engine).build().bindTo(registry);
        assertThat(registry.get("rollback.trigger.rule.state")
                        .tags("rule", "error-rate", "state", RuleState.INSUFFICIENT_DATA.name())
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("rollback.trigger.rule.observed")
                        .tags("rule", "error-rate", "unit", "ratio")
                        .gauge()
                        .value())
                .isNaN();

        for (int i = 0; i < 20; i++) {
            engine.recordRequest(10, TimeUnit.MILLISECONDS, i % 2 == 0);
        }
        engine.evaluate();

        assertThat(registry.get("rollback.decisions")
                        .tags(
                                "rule",
                                "error-rate",
                                "kind",
                                "ROLLBACK",
                                "action",
                                "application-rollback",
                                "severity",
                                "SEV1")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.trigger.rule.state")
                        .tags("rule", "error-rate", "state", RuleState.FIRING.name())
                        .gauge()
                        .value())
                .isEqualTo(1);
        assertThat(registry.get("rollback.trigger.rule.state")
                        .tags("rule", "error-rate", "state", RuleState.INSUFFICIENT_DATA.name())
                        .gauge()
                        .value())
                .isZero();
        assertThat(registry.get("rollback.trigger.rule.observed")
                        .tags("rule", "error-rate")
                        .gauge()
                        .value())
                .isEqualTo(0.5);
    }

    @Test
    void timesJournalAppendsByTypeAndNamesWhatAFailedAppendThrew(@TempDir Path directory) {
        FileJournal file = FileJournal.of(directory);
        Journal journal = JournalMetrics.monitor(registry, file);
        JournalRecord start = new JournalRecord(
                "run-1", 0, JournalRecord.Type.RUN_STARTED, clock.instant(), Optional.empty(), 0, Map.of());

        journal.append(start);
        assertThat(journal.records("run-1")).containsExactly(start);
        assertThat(journal.verify("run-1")).get().matches(v -> v.verified());
        file.close();
        JournalRecord next = new JournalRecord(
                "run-1", 1, JournalRecord.Type.RUN_FINISHED, clock.instant(), Optional.empty(), 0, Map.of());
        assertThatThrownBy(() -> journal.append(next)).isInstanceOf(IllegalStateException.class);

        assertThat(registry.get("rollback.journal.append")
                        .tags("type", "RUN_STARTED", "exception", "none")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get("rollback.journal.append")
                        .tags("type", "RUN_FINISHED", "exception", "IllegalStateException")
                        .timer()
                        .count())
                .isEqualTo(1);
    }
}
