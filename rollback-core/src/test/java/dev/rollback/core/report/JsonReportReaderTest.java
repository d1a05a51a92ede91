package dev.rollback.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonReportReaderTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    /** An automatic run of a trigger's decision, with evidence, a verification, a failure and metrics. */
    private static RollbackReport report() {
        ManualClock clock = new ManualClock(T0);
        Decision decision = new Decision(
                "application-rollback",
                Decision.Kind.ROLLBACK,
                Severity.SEV1,
                "error-rate",
                0.034,
                0.01,
                "ratio",
                "error rate 3.4% > 1% for 5m",
                T0.minusSeconds(300),
                T0);
        RollbackPlan plan = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .carriesOut("application-rollback")
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("backup", "db")
                        .action(c -> {
                            clock.advance(Duration.ofMillis(20_250));
                            c.evidence(EvidenceKey.RECORDS_LOST, 0L);
                            c.evidence(EvidenceKey.DATA_LOSS_WINDOW, Duration.ofSeconds(12));
                        })
                        .build())
                .step(
                        RollbackStep.builder("swap", "app")
                                .action(c -> clock.advance(Duration.ofSeconds(70)))
                                .build(),
                        s -> s.dependsOn("backup")
                                .verifier(Verifier.of(
                                        "health",
                                        ctx -> Verification.passed("health", "200", "200 in 41 ms")
                                                .withDetail("url", "https://app/health"))))
                .step(RollbackStep.builder("purge-cdn", "cdn")
                        .action(c -> {
                            throw new IllegalStateException("CDN API returned 500");
                        })
                        .build())
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).parallelism(1).build()) {
            RollbackReport report = executor.run(plan, RunRequest.automatic(decision));
            return report.withMetrics(report.metrics());
        }
    }

    @Test
    void readingWhatTheRendererWroteAndRenderingItAgainGivesTheSameJson() {
        RollbackReport original = report();
        String json = JsonReportRenderer.render(original);

        RollbackReport read = JsonReportReader.read(json);

        assertThat(JsonReportRenderer.render(read)).isEqualTo(json);
        assertThat(MarkdownReportRenderer.render(read)).isEqualTo(MarkdownReportRenderer.render(original));
        assertThat(read.initiator().decision())
                .contains(original.initiator().decision().orElseThrow());
        assertThat(read.steps()).isEqualTo(original.steps());
        assertThat(read.metrics()).isEqualTo(original.metrics());
    }

    @Test
    void aDryRunsReportWithUnknownMetricsReadsBackToo() {
        ManualClock clock = new ManualClock(T0);
        RollbackPlan plan = RollbackPlan.builder("dry", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("swap", "app").build())
                .build();
        RollbackReport dry;
        try (RollbackExecutor executor = RollbackExecutor.builder().clock(clock).build()) {
            dry = executor.dryRun(plan, RunRequest.manual("ops"));
        }
        String json = JsonReportRenderer.render(dry.withMetrics(SuccessMetrics.unknown()));

        assertThat(JsonReportRenderer.render(JsonReportReader.read(json))).isEqualTo(json);
    }

    @Test
    void aDocumentThatIsNotAReportIsRefusedNamingTheField() {
        String json = JsonReportRenderer.render(report());

        assertThatThrownBy(() -> JsonReportReader.read("{ not json"))
                .hasMessageStartingWith("not a rollback report: the text is not JSON");
        assertThatThrownBy(() -> JsonReportReader.read(json.replace("\"schemaVersion\" : 1", "\"schemaVersion\" : 2")))
                .hasMessageContaining("schemaVersion is 2; this version reads schema 1");
        assertThatThrownBy(() -> JsonReportReader.read(json.replace("\"outcome\" : \"PARTIAL\"", "\"outcome\" : 3")))
                .hasMessage("not a rollback report: field outcome is not a string");
        assertThatThrownBy(() ->
                        JsonReportReader.read(json.replace("\"startedAt\" : \"2026-11-25T12:00:00Z\"", "\"x\" : 1")))
                .hasMessage("not a rollback report: field startedAt is missing");
        assertThatThrownBy(() ->
                        JsonReportReader.read(json.replace("\"budget\" : \"PT15M\"", "\"budget\" : \"15 minutes\"")))
                .hasMessage("not a rollback report: field steps[0].budget is not an ISO-8601 duration: '15 minutes'");
    }
}
