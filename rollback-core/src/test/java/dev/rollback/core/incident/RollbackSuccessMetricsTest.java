package dev.rollback.core.incident;

import static dev.rollback.core.incident.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Initiator;
import dev.rollback.api.Severity;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.notification.DeliveryAttempt;
import dev.rollback.core.notification.NotificationDelivery;
import dev.rollback.core.notification.NotificationDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * A scripted incident: the breach begins at 09:00:00, the trigger decides at 09:03:00, the run is
 * authorized at 09:07:30, runs 12 minutes (09:09:00 to 09:21:00) and succeeds; the technical team is
 * told at 09:04:00, management at 09:14:00 (after one failed attempt), customers never (every
 * attempt failed). Hand-computed: detection 3 min, decision 4 min 30 s, execution 12 min, recovery
 * 21 min, records lost 3 + 0 = 3, technical team 4 min, management 14 min, customers unknown.
 */
class RollbackSuccessMetricsTest {
    private static final Instant BREACH = T0;
    private static final Instant DECIDED = at(3, 0);
    private static final Instant AUTHORIZED = at(7, 30);
    private static final Instant RUN_START = at(9, 0);
    private static final Instant RUN_END = at(21, 0);

    private static Instant at(int minutes, int seconds) {
        return T0.plus(Duration.ofMinutes(minutes).plusSeconds(seconds));
    }

    private static NotificationDelivery delivery(String stakeholder, Optional<Instant> deliveredAt) {
        Notification n = new Notification(
                "INC-42", stakeholder, List.of("x@example.test"), Severity.SEV0, "s", "b", BREACH, DECIDED);
        DeliveryAttempt attempt =
                new DeliveryAttempt(1, DECIDED, deliveredAt.isPresent() ? Optional.empty() : Optional.of("HTTP 503"));
        return new NotificationDelivery(n, "webhook:ops", List.of(attempt), deliveredAt);
    }

    private static final List<NotificationDelivery> DELIVERIES = List.of(
            delivery("technical-team", Optional.of(at(4, 0))),
            delivery("management", Optional.empty()),
            delivery("management", Optional.of(at(14, 0))),
            delivery("customers", Optional.empty()),
            delivery("security-team", Optional.of(at(8, 0))));

    private static StepReport step(String id, Map<String, String> evidence) {
        return new StepReport(
                id,
                "db",
                List.of(),
                false,
                StepOutcome.SUCCEEDED,
                Optional.of(RUN_START),
                Optional.of(RUN_END),
                Duration.ofMinutes(1),
                Duration.ofMinutes(5),
                List.of(),
                List.of(),
                evidence,
                Optional.empty(),
                Optional.empty());
    }

    private static RollbackReport report(RunOutcome outcome, boolean dryRun, List<StepReport> steps) {
        Authorization auth = Authorization.preAuthorized("runbook", "automatic", AUTHORIZED);
        return new RollbackReport(
                "run-1",
                "db-restore",
                outcome,
                dryRun,
                Initiator.automatic(Fixtures.decision(Severity.SEV0, BREACH, DECIDED)),
                auth,
                RUN_START,
                RUN_END,
                Duration.ofMinutes(12),
                steps,
                List.of(),
                List.of(),
                Optional.empty(),
                SuccessMetrics.unknown(),
                List.of());
    }

    private static Incident incident() {
        return Incident.open("INC-42", Fixtures.decision(Severity.SEV0, BREACH, DECIDED));
    }

    @Test
    void metricsOfAScriptedTimelineMatchTheHandComputedValues() {
        IncidentTimeline timeline = new IncidentTimeline(
                Optional.of(BREACH),
                DECIDED,
                Optional.of(AUTHORIZED),
                Optional.of(Duration.ofMinutes(12)),
                Optional.of(RUN_END),
                OptionalLong.of(3),
                DELIVERIES);

        SuccessMetrics m = RollbackSuccessMetrics.compute(timeline);

        assertThat(m.timeToDetect()).contains(Duration.ofMinutes(3));
        assertThat(m.timeToDecide()).contains(Duration.ofSeconds(270));
        assertThat(m.timeToExecute()).contains(Duration.ofMinutes(12));
        assertThat(m.totalRecovery()).contains(Duration.ofMinutes(21));
        assertThat(m.recordsLost()).hasValue(3);
        assertThat(SuccessMetrics.against(m.timeToDetect(), SuccessMetrics.DETECT_LIMIT))
                .isEqualTo(TargetStatus.MET);
        assertThat(SuccessMetrics.against(m.timeToDetect(), SuccessMetrics.DETECT_TARGET))
                .isEqualTo(TargetStatus.MISSED);
        assertThat(SuccessMetrics.against(m.totalRecovery(), SuccessMetrics.RECOVERY_TARGET))
                .isEqualTo(TargetStatus.MISSED);
        assertThat(m.dataLossStatus()).isEqualTo(TargetStatus.MISSED);
        assertThat(m.notifications())
                .containsExactly(
                        new NotificationLatency(
                                "technical-team",
                                Optional.of(Duration.ofMinutes(4)),
                                Duration.ofMinutes(5),
                                Duration.ofMinutes(2)),
                        new NotificationLatency(
                                "management",
                                Optional.of(Duration.ofMinutes(14)),
                                Duration.ofMinutes(15),
                                Duration.ofMinutes(10)),
                        new NotificationLatency(
                                "customers", Optional.empty(), Duration.ofMinutes(30), Duration.ofMinutes(20)));
        assertThat(m.notifications().get(2).limitStatus()).isEqualTo(TargetStatus.UNKNOWN);
    }

    @Test
    void theTimelineOfAnIncidentAndItsReportGivesTheSameMetricsAndIsAttachedToTheReport() {
        RollbackReport report = report(
                RunOutcome.SUCCEEDED,
                false,
                List.of(
                        step("restore", Map.of("rpo.recordsLost", "3")),
                        step("verify", Map.of("rpo.recordsLost", "0")),
                        step("swap", Map.of())));
        IncidentTimeline timeline = IncidentTimeline.of(incident(), report, DELIVERIES);

        assertThat(timeline)
                .isEqualTo(new IncidentTimeline(
                        Optional.of(BREACH),
                        DECIDED,
                        Optional.of(AUTHORIZED),
                        Optional.of(Duration.ofMinutes(12)),
                        Optional.of(RUN_END),
                        OptionalLong.of(3),
                        DELIVERIES));

        ManualClock clock = ManualClock.startingAt(DECIDED);
        Fixtures.RecordingNotifier notifier = new Fixtures.RecordingNotifier();
        NotificationDispatcher dispatcher = Fixtures.directDispatcher(notifier, clock);
        clock.advance(Duration.ofMinutes(1));
        dispatcher.dispatch(new Notification(
                "INC-42", "technical-team", List.of("a"), Severity.SEV0, "s", "b", BREACH, clock.instant()));
        dispatcher.dispatch(new Notification(
                "OTHER", "management", List.of("a"), Severity.SEV0, "s", "b", BREACH, clock.instant()));

        RollbackReport withMetrics = RollbackSuccessMetrics.attach(report, incident(), dispatcher);

        assertThat(withMetrics.metrics().totalRecovery()).contains(Duration.ofMinutes(21));
        assertThat(withMetrics.metrics().notifications()).singleElement().satisfies(l -> {
            assertThat(l.stakeholder()).isEqualTo("technical-team");
            assertThat(l.latency()).contains(Duration.ofMinutes(4));
        });
        assertThat(withMetrics.runId()).isEqualTo(report.runId());
    }

    @Test
    void recordsLostAreUnknownWhenNoProviderMeasuredThemNeverZero() {
        assertThat(IncidentTimeline.recordsLost(List.of(step("swap", Map.of()))))
                .isEmpty();
        assertThat(IncidentTimeline.recordsLost(List.of())).isEmpty();
        assertThat(IncidentTimeline.recordsLost(List.of(step("a", Map.of("rpo.recordsLost", "0")))))
                .hasValue(0);
    }

    @Test
    void recordsLostAreUnknownWhenAProviderRecordedSomethingThatIsNotACount() {
        assertThat(IncidentTimeline.recordsLost(List.of(
                        step("a", Map.of("rpo.recordsLost", "0")), step("b", Map.of("rpo.recordsLost", "about 5")))))
                .isEmpty();
        assertThat(IncidentTimeline.recordsLost(List.of(step("a", Map.of("rpo.recordsLost", "-2")))))
                .isEmpty();
    }

    @Test
    void aFailedRunRecoveredNothingAndADryRunExecutedNothing() {
        SuccessMetrics failed = RollbackSuccessMetrics.compute(
                IncidentTimeline.of(incident(), report(RunOutcome.FAILED, false, List.of()), List.of()));
        SuccessMetrics dry = RollbackSuccessMetrics.compute(
                IncidentTimeline.of(incident(), report(RunOutcome.SUCCEEDED, true, List.of()), List.of()));

        assertThat(failed.timeToExecute()).contains(Duration.ofMinutes(12));
        assertThat(failed.totalRecovery()).isEmpty();
        assertThat(dry.timeToExecute()).isEmpty();
        assertThat(dry.totalRecovery()).isEmpty();
        assertThat(failed.notifications()).isEmpty();
    }

    @Test
    void withoutAKnownBreachStartDetectionIsUnknownAndRecoveryCountsFromTheDecision() {
        SuccessMetrics m = RollbackSuccessMetrics.compute(new IncidentTimeline(
                Optional.empty(),
                DECIDED,
                Optional.of(AUTHORIZED),
                Optional.of(Duration.ofMinutes(12)),
                Optional.of(RUN_END),
                OptionalLong.empty(),
                List.of()));

        assertThat(m.timeToDetect()).isEmpty();
        assertThat(m.totalRecovery()).contains(Duration.ofMinutes(18));
        assertThat(m.dataLossStatus()).isEqualTo(TargetStatus.UNKNOWN);
    }
}
