package dev.rollback.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ReportRenderersTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static RollbackReport report() {
        ManualClock clock = new ManualClock(T0);
        RollbackPlan plan = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .component("app-service", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("route-traffic", "app-service")
                        .action(c -> {
                            clock.advance(Duration.ofSeconds(20));
                            c.evidence("distribution", "blue-previous=100");
                        })
                        .build())
                .step(
                        RollbackStep.builder("swap-slots", "app-service")
                                .action(c -> {
                                    clock.advance(Duration.ofSeconds(70));
                                    c.evidence("slots", "blue-previous|production");
                                })
                                .build(),
                        s -> s.dependsOn("route-traffic")
                                .verifier(Verifier.of(
                                        "health",
                                        ctx -> Verification.passed(
                                                "health", "GET /api/health returns 200", "200 in 41 ms"))))
                .step(RollbackStep.builder("purge-cdn", "cdn")
                        .action(c -> {
                            throw new IllegalStateException("CDN API returned 500");
                        })
                        .build())
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).parallelism(1).build()) {
            return executor.run(plan, RunRequest.drill("monthly-drill"));
        }
    }

    @Test
    void jsonFollowsTheDocumentedSchema() throws Exception {
        RollbackReport report = report();
        JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(report));
        assertThat(json.get("schemaVersion").asInt()).isEqualTo(1);
        assertThat(json.get("plan").asText()).isEqualTo("app-service-rollback");
        assertThat(json.get("outcome").asText()).isEqualTo("PARTIAL");
        assertThat(json.get("initiator").get("kind").asText()).isEqualTo("DRILL");
        assertThat(json.get("initiator").get("decision").isNull()).isTrue();
        assertThat(json.get("duration").asText()).isEqualTo("PT1M30S");
        assertThat(json.get("durationMillis").asLong()).isEqualTo(90_000);
        JsonNode swap = json.get("steps").get(2);
        assertThat(swap.get("id").asText()).isEqualTo("swap-slots");
        assertThat(swap.get("dependsOn").get(0).asText()).isEqualTo("route-traffic");
        assertThat(swap.get("startedAt").asText()).isEqualTo("2026-11-25T12:00:20Z");
        assertThat(swap.get("durationMillis").asLong()).isEqualTo(70_000);
        assertThat(swap.get("budget").asText()).isEqualTo("PT4M40S");
        assertThat(swap.get("verifications").get(0).get("observed").asText()).isEqualTo("200 in 41 ms");
        assertThat(json.get("steps").get(0).get("evidence").get("distribution").asText())
                .isEqualTo("blue-previous=100");
        assertThat(json.get("steps")
                        .get(1)
                        .get("attempts")
                        .get(0)
                        .get("failure")
                        .asText())
                .contains("CDN API returned 500");
        JsonNode app = json.get("components").get(0);
        assertThat(app.get("component").asText()).isEqualTo("app-service");
        assertThat(app.get("rto").asText()).isEqualTo("MET");
        assertThat(app.get("recoveryTimeMillis").asLong()).isEqualTo(90_000);
        assertThat(app.get("rpo").asText()).isEqualTo("UNKNOWN");
        assertThat(json.get("components").get(1).get("rto").asText()).isEqualTo("MISSED");
        assertThat(json.get("metrics").get("recordsLost").get("value").isNull()).isTrue();
        assertThat(json.get("metrics").get("recordsLost").get("status").asText())
                .isEqualTo("UNKNOWN");
        assertThat(json.get("metrics").get("timeToExecute").get("limitStatus").asText())
                .isEqualTo("MET");
        assertThat(json.get("abort").isNull()).isTrue();
    }

    @Test
    void markdownShowsComponentsStepsVerificationsAndMetricsWithEscapedCells() {
        String md = MarkdownReportRenderer.render(report());
        assertThat(md)
                .startsWith("# Rollback report: app-service-rollback\n")
                .contains("- **Outcome:** PARTIAL")
                .contains("| app-service | 5 min 00 s | 1 min 30 s | met | 0 ms | not measured | unknown |")
                .contains("| cdn | 30 min 00 s | 20.0 s | **missed** |")
                .contains(
                        "| swap-slots | app-service | SUCCEEDED | 2026-11-25T12:00:20Z | 2026-11-25T12:01:30Z | 1 | 1 min 10 s | 4 min 40 s |  |")
                .contains("- PASSED `health` (swap-slots): expected GET /api/health returns 200; observed 200 in 41 ms")
                .contains("| Records lost | unknown | 0 | 0 | unknown | unknown |")
                .contains("- `route-traffic`: distribution = blue-previous=100")
                .contains("- `swap-slots`: slots = blue-previous\\|production");
    }

    @Test
    void humanDurationsReadNaturally() {
        assertThat(MarkdownReportRenderer.human(Duration.ofMillis(850))).isEqualTo("850 ms");
        assertThat(MarkdownReportRenderer.human(Duration.ofMillis(12_340))).isEqualTo("12.3 s");
        assertThat(MarkdownReportRenderer.human(Duration.ofSeconds(245))).isEqualTo("4 min 05 s");
        assertThat(MarkdownReportRenderer.human(Duration.ofMinutes(130))).isEqualTo("2 h 10 min");
    }
}
