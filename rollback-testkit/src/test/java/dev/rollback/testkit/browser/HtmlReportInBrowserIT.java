package dev.rollback.testkit.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.report.HtmlReportRenderer;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.trigger.DecisionMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTML report in a real headless Chromium: it loads without a console error, every bar and RTO
 * line sits where the report's times say, and on a phone's width the page does not overflow.
 */
class HtmlReportInBrowserIT {
    private static final Instant T0 = Instant.parse("2026-11-30T09:05:00Z");

    @TempDir
    static Path dir;

    private static HeadlessChromium chromium;
    private static IncidentReport incident;
    private static Path page;

    @BeforeAll
    static void renderAnIncidentAndOpenIt() throws Exception {
        incident = answer();
        page = dir.resolve("incident.html");
        Files.writeString(page, HtmlReportRenderer.render(incident));
        chromium = HeadlessChromium.start();
    }

    @AfterAll
    static void close() {
        if (chromium != null) {
            chromium.close();
        }
    }

    private static IncidentReport answer() throws Exception {
        ManualClock clock = ManualClock.startingAt(T0);
        RollbackPlan app = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                .component("cdn", RecoveryObjectives.stateless(Duration.ofMinutes(2)))
                .step(RollbackStep.builder("route-traffic", "app")
                        .idempotent(true)
                        .action(ctx -> clock.advance(Duration.ofSeconds(15)))
                        .build())
                .step(
                        RollbackStep.builder("swap-slots", "app")
                                .action(ctx -> clock.advance(Duration.ofSeconds(70)))
                                .build(),
                        s -> s.dependsOn("route-traffic"))
                .step(
                        RollbackStep.builder("purge-cdn", "cdn")
                                .idempotent(true)
                                .action(ctx -> clock.advance(Duration.ofSeconds(25)))
                                .build(),
                        s -> s.dependsOn("swap-slots"))
                .build();
        PlanCatalog.Builder catalog =
                PlanCatalog.forMatrix(DecisionMatrix.ofDefaults()).map(DecisionMatrix.APPLICATION_ROLLBACK, app);
        for (String a : List.of(
                DecisionMatrix.DATABASE_FAILOVER,
                DecisionMatrix.POINT_IN_TIME_RECOVERY,
                DecisionMatrix.FULL_SYSTEM_LOCKDOWN)) {
            catalog.map(
                    a,
                    RollbackPlan.builder(a, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                            .carriesOut(a)
                            .step(RollbackStep.builder("noop", "app").build())
                            .build());
        }
        try (RollbackExecutor executor = RollbackExecutor.builder().clock(clock).build();
                IncidentResponse response = IncidentResponse.custom()
                        .catalog(catalog.build())
                        .executor(executor)
                        .verification(PostRollbackVerification.custom()
                                .watchRules()
                                .settleFor(Duration.ZERO)
                                .add(
                                        PostRollbackVerification.Check.HEALTH,
                                        Verifier.of("health", ctx -> Verification.passed("health", "200", "200")))
                                .build())
                        .build()) {
            IncidentHandle h = response.handle(new Decision(
                    DecisionMatrix.APPLICATION_ROLLBACK,
                    Decision.Kind.ROLLBACK,
                    Severity.SEV1,
                    DecisionMatrix.ERROR_RATE,
                    0.04,
                    0.01,
                    "ratio",
                    "error rate 4% > 1% for 5m <b>checkout</b>",
                    T0.minus(Duration.ofMinutes(5)),
                    T0));
            h.run().orElseThrow().await();
            response.tick();
            response.tick();
            return h.report().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void thePageLoadsWithoutAConsoleErrorAndEveryBarSitsWhereTheReportSays() throws Exception {
        chromium.viewport(1280, 900);
        chromium.open(page);

        assertThat(chromium.problems()).isEmpty();
        JsonNode chart = chromium.evaluate("(() => { const svg = document.getElementById('timeline');"
                + " const plot = document.getElementById('plot').getBoundingClientRect();"
                + " return { span: Number(svg.dataset.spanMs), left: plot.left, width: plot.width,"
                + " bars: [...document.querySelectorAll('rect.bar')].map(b => { const r = b.getBoundingClientRect();"
                + " return { step: b.dataset.step, start: Number(b.dataset.startMs), end: Number(b.dataset.endMs),"
                + " left: r.left, right: r.right }; }),"
                + " rto: [...document.querySelectorAll('line.rto')].map(l => l.getBoundingClientRect().left) }; })()");

        double span = chart.path("span").asDouble();
        double left = chart.path("left").asDouble();
        double width = chart.path("width").asDouble();
        assertThat(chart.path("bars")).hasSize(3);
        for (JsonNode bar : chart.path("bars")) {
            double expectedLeft = left + bar.path("start").asDouble() / span * width;
            double expectedRight = left + bar.path("end").asDouble() / span * width;
            assertThat(bar.path("left").asDouble())
                    .as("left edge of %s", bar.path("step").asText())
                    .isCloseTo(expectedLeft, within(1.5));
            assertThat(bar.path("right").asDouble())
                    .as("right edge of %s", bar.path("step").asText())
                    .isCloseTo(expectedRight, within(1.5));
        }
        // The bars follow the run: each starts where the one it depends on ended.
        JsonNode bars = chart.path("bars");
        assertThat(bars.get(1).path("start").asLong())
                .isEqualTo(bars.get(0).path("end").asLong());
        assertThat(bars.get(2).path("start").asLong())
                .isEqualTo(bars.get(1).path("end").asLong());
        assertThat(bars.get(1).path("end").asLong() - bars.get(1).path("start").asLong())
                .isEqualTo(70_000);
        // The cdn component's RTO (2 minutes from the run's start) is drawn left of the app's (5 minutes).
        double runStart = left + bars.get(0).path("start").asDouble() / span * width;
        assertThat(chart.path("rto").get(2).asDouble()).isCloseTo(runStart + 120_000 / span * width, within(2.0));
        assertThat(chart.path("rto").get(0).asDouble()).isCloseTo(runStart + 300_000 / span * width, within(2.0));
        assertThat(chromium.evaluate("document.title").asText()).contains(incident.incidentId());
        assertThat(chromium.evaluate("document.body.innerHTML.includes('<b>checkout</b>')")
                        .asBoolean())
                .as("text from the report is escaped, never markup")
                .isFalse();
        chromium.screenshot(Path.of("target", "report-desktop.png"));
    }

    @Test
    void onAPhonesWidthThePageReflowsWithoutOverflowing() throws Exception {
        chromium.viewport(390, 844);
        chromium.open(page);

        assertThat(chromium.problems()).isEmpty();
        assertThat(chromium.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
                        .asBoolean())
                .as("no sideways scrolling of the page; wide tables scroll inside their box")
                .isTrue();
        assertThat(chromium.evaluate("document.getElementById('timeline').getBoundingClientRect().width")
                        .asDouble())
                .isLessThanOrEqualTo(390);
        chromium.screenshot(Path.of("target", "report-phone.png"));
    }
}
