package dev.rollback.core.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.Fixtures.RecordingNotifier;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The incident's report as HTML, Markdown and a post-incident draft, from a real incident on a manual clock. */
class IncidentReportRenderingTest {
    private static IncidentReport incident;

    @BeforeAll
    static void answerAnIncident() throws Exception {
        ManualClock clock = ManualClock.startingAt(Instant.parse("2026-11-30T09:00:00Z"));
        NotificationDispatcher dispatcher = Fixtures.directDispatcher(new RecordingNotifier(), clock);
        RollbackPlan app = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                .step(RollbackStep.builder("route", "app")
                        .idempotent(true)
                        .action(ctx -> {
                            clock.advance(Duration.ofSeconds(20));
                            ctx.evidence("note", "<script>alert('x')</script>");
                        })
                        .build())
                .step(
                        RollbackStep.builder("swap", "app")
                                .action(ctx -> clock.advance(Duration.ofSeconds(40)))
                                .build(),
                        s -> s.dependsOn("route"))
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
        try (TriggerEngine engine = TriggerEngine.builder()
                        .matrix(DecisionMatrix.ofDefaults())
                        .clock(clock)
                        .build();
                RollbackExecutor executor =
                        RollbackExecutor.builder().clock(clock).build();
                IncidentResponse response = IncidentResponse.custom()
                        .catalog(catalog.build())
                        .executor(executor)
                        .triggers(engine)
                        .dispatcher(dispatcher)
                        .notices(StakeholderNotices.custom()
                                .addContact(StakeholderGroup.TECHNICAL_TEAM, "#incidents")
                                .dispatcher(dispatcher)
                                .clock(clock)
                                .build())
                        .verification(PostRollbackVerification.custom()
                                .add(
                                        PostRollbackVerification.Check.HEALTH,
                                        Verifier.of("health", ctx -> Verification.passed("health", "200", "200")))
                                .settleFor(Duration.ofMinutes(1))
                                .build())
                        .build()) {
            for (int s = 0; s < 12 * 60; s++) {
                boolean burst = s >= 60 && s < 7 * 60;
                for (int i = 0; i < 20; i++) {
                    engine.recordRequest(30, TimeUnit.MILLISECONDS, !(burst && i < 4));
                }
                clock.advance(Duration.ofSeconds(1));
                engine.evaluate();
                response.tick();
                for (IncidentHandle h : response.incidents()) {
                    if (h.run().isPresent()) {
                        h.run().get().await(Duration.ofSeconds(10));
                    }
                }
            }
            incident = response.incidents().get(0).report().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void theHtmlPageIsSelfContainedEscapedAndDrawsEveryStepAgainstItsRto() {
        String html = HtmlReportRenderer.render(incident);

        assertThat(html).startsWith("<!DOCTYPE html>").contains("name=\"viewport\"");
        assertThat(html)
                .doesNotContain("<script")
                .doesNotContain("src=")
                .doesNotContain("href=")
                .doesNotContain("@import");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assertThat(html).contains("data-step=\"route\"").contains("data-step=\"swap\"");
        assertThat(html)
                .contains("class=\"rto\"")
                .contains("class=\"marker breach\"")
                .contains("class=\"marker decision\"");
        assertThat(html).contains("class=\"marker notification\"").contains("class=\"marker recovered\"");
        assertThat(html).contains("System recovery").contains("Service availability");
    }

    @Test
    void theMarkdownReportHasStepTimesAndOneIncidentTimelineInOrder() {
        String md = MarkdownReportRenderer.render(incident);

        assertThat(md).contains("| Started | Finished |");
        List<String> kinds = IncidentChronology.of(incident).stream()
                .map(e -> e.kind().name())
                .toList();
        assertThat(kinds).startsWith("BREACH", "DECISION").endsWith("RECOVERED");
        assertThat(kinds)
                .containsSubsequence("AUTHORIZATION", "STEP_STARTED", "STEP_ENDED", "STEP_STARTED", "STEP_ENDED");
        assertThat(md.indexOf("**breach**")).isLessThan(md.indexOf("**decision**"));
        assertThat(md.indexOf("**decision**")).isLessThan(md.indexOf("**recovered**"));
        assertThat(md)
                .contains("## Incident timeline")
                .contains("## System recovery")
                .contains("## Rollback report");
    }

    @Test
    void thePostIncidentDraftCarriesImpactDecisionsAndTheRunbooksAnalysisSectionsToFill() {
        String md = PostIncidentReport.markdown(incident);
        String html = PostIncidentReport.html(incident);

        assertThat(md)
                .contains("## Timeline")
                .contains("## Impact")
                .contains("Downtime of app:")
                .contains("## Decisions and their evidence")
                .contains("Rule error-rate decided application-rollback")
                .contains("## Root cause investigation")
                .contains("## Impact assessment")
                .contains("## Process review")
                .contains("To fill in:");
        assertThat(html)
                .contains("<h2>Process review</h2>")
                .contains("class=\"fill\"")
                .doesNotContain("<script");
    }
}
