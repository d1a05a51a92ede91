package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.api.Decision;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.Fixtures.RecordingNotifier;
import dev.rollback.core.incident.Incident;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import dev.rollback.core.report.JsonReportRenderer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runbook's "total recovery time" exists only for a run that recovered production: the
 * executor's report and the governance path compute it with one formula, so a FAILED, PARTIAL or
 * ABORTED run never shows a recovery time, let alone a met one.
 */
class FailedRunsNeverShowRecoveryTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final Decision DECISION =
            Fixtures.decision(Severity.SEV1, T0.minus(Duration.ofMinutes(6)), T0.minus(Duration.ofMinutes(1)));

    private final ManualClock clock = new ManualClock(T0);
    private final RecordingListener events = new RecordingListener();
    private final RollbackExecutor executor = RollbackExecutor.builder()
            .clock(clock)
            .listener(events)
            .parallelism(4)
            .build();

    @AfterEach
    void close() {
        executor.close();
    }

    private static RollbackStep ok(String id) {
        return RollbackStep.builder(id, "app").idempotent(true).build();
    }

    private static RollbackStep failing(String id) {
        return RollbackStep.builder(id, "app")
                .action(ctx -> {
                    throw new IllegalStateException("slot swap refused");
                })
                .build();
    }

    private static RollbackPlan.Builder plan(String name) {
        return RollbackPlan.builder(name, Fixtures.plan("objectives").objectives())
                .carriesOut(DECISION.action());
    }

    @Test
    void aFailedRunHasNoRecoveryThroughTheExecutorOrTheIncident() {
        RollbackReport report =
                executor.run(plan("failed").step(failing("swap")).build(), RunRequest.automatic(DECISION));

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertNoRecovery(report.metrics());
        assertThat(report.metrics().timeToDetect()).contains(Duration.ofMinutes(5));
        assertThat(report.metrics().timeToExecute()).isPresent();
        assertNoRecovery(throughTheIncident(report));
        assertThat(recoveryInJson(report).path("limitStatus").asText()).isEqualTo("UNKNOWN");
        assertThat(recoveryInJson(report).path("value").isNull()).isTrue();
    }

    @Test
    void aPartialRunHasNoRecovery() {
        RollbackReport report = executor.run(
                plan("partial").step(ok("route")).step(failing("swap")).build(), RunRequest.automatic(DECISION));

        assertThat(report.outcome()).isEqualTo(RunOutcome.PARTIAL);
        assertNoRecovery(report.metrics());
        assertNoRecovery(throughTheIncident(report));
    }

    @Test
    void anAbortedRunHasNoRecovery() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        RollbackRun run = executor.start(
                plan("aborted")
                        .step(RollbackStep.builder("swap", "app")
                                .action(ctx -> never.await())
                                .build())
                        .build(),
                RunRequest.automatic(DECISION));
        events.awaitEvent(e -> e instanceof StepStarted);
        run.abort("wrong plan", "on-call");
        RollbackReport report = run.await();

        assertThat(report.outcome()).isEqualTo(RunOutcome.ABORTED);
        assertNoRecovery(report.metrics());
        assertNoRecovery(throughTheIncident(report));
    }

    @Test
    void aSucceededRunMeasuresRecoveryFromTheBreachTheSameWayOnBothPaths() {
        RollbackReport report = executor.run(plan("ok").step(ok("swap")).build(), RunRequest.automatic(DECISION));

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.metrics().totalRecovery()).contains(Duration.ofMinutes(6));
        assertThat(throughTheIncident(report).totalRecovery())
                .isEqualTo(report.metrics().totalRecovery());
        assertThat(SuccessMetrics.against(report.metrics().totalRecovery(), SuccessMetrics.RECOVERY_TARGET))
                .isEqualTo(TargetStatus.MET);
        assertThat(recoveryInJson(report).path("value").asText()).isEqualTo("PT6M");
        assertThat(recoveryInJson(report).path("targetStatus").asText()).isEqualTo("MET");
    }

    private static JsonNode recoveryInJson(RollbackReport report) {
        try {
            return new ObjectMapper()
                    .readTree(JsonReportRenderer.render(report))
                    .at("/metrics/totalRecovery");
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    private SuccessMetrics throughTheIncident(RollbackReport report) {
        Incident incident = Incident.open("inc-1", DECISION);
        return RollbackSuccessMetrics.attach(
                        report, incident, Fixtures.directDispatcher(new RecordingNotifier(), clock))
                .metrics();
    }

    private static void assertNoRecovery(SuccessMetrics metrics) {
        assertThat(metrics.totalRecovery())
                .as("a run that did not succeed recovered nothing")
                .isEmpty();
        assertThat(SuccessMetrics.against(metrics.totalRecovery(), SuccessMetrics.RECOVERY_LIMIT))
                .isEqualTo(TargetStatus.UNKNOWN);
    }
}
