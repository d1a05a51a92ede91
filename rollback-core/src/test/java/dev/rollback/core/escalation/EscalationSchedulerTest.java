package dev.rollback.core.escalation;

import static dev.rollback.core.incident.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Severity;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.Incident;
import dev.rollback.core.incident.IncidentCriterion;
import dev.rollback.core.incident.IncidentFacts;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import dev.rollback.core.notification.NotificationDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EscalationSchedulerTest {

    private ManualClock clock;
    private Fixtures.RecordingNotifier notifier;
    private NotificationDispatcher dispatcher;
    private EscalationScheduler scheduler;

    private static EscalationContacts allContacts() {
        EscalationContacts.Builder b = EscalationContacts.custom();
        for (EscalationRole role : EscalationRole.values()) {
            b.addContact(role, role.id() + "@example.test");
        }
        return b.build();
    }

    @BeforeEach
    void setUp() {
        clock = ManualClock.startingAt(T0);
        notifier = new Fixtures.RecordingNotifier();
        dispatcher = Fixtures.directDispatcher(notifier, clock);
        scheduler = EscalationScheduler.custom()
                .contacts(allContacts())
                .dispatcher(dispatcher)
                .clock(clock)
                .build();
    }

    private Incident open(String id, IncidentCriterion criterion) {
        return Incident.open(id, "dana", "checkout failing", IncidentFacts.of(criterion), T0);
    }

    private List<Escalation> tickAt(Duration elapsed) {
        clock.advance(Duration.between(clock.instant(), T0.plus(elapsed)));
        return scheduler.tick();
    }

    private static List<EscalationTier> tiers(List<Escalation> fired) {
        return fired.stream().map(Escalation::tier).toList();
    }

    @Test
    void aSev0IncidentBringsInEachTierExactlyWhenItsTimeComes() {
        scheduler.watch(open("INC-1", IncidentCriterion.SYSTEM_UNAVAILABLE));

        assertThat(tiers(tickAt(Duration.ZERO))).containsExactly(EscalationTier.IMMEDIATE_RESPONSE);
        assertThat(tickAt(Duration.ofMinutes(15).minusSeconds(1))).isEmpty();
        assertThat(tiers(tickAt(Duration.ofMinutes(15)))).containsExactly(EscalationTier.MANAGEMENT_ESCALATION);
        assertThat(tickAt(Duration.ofMinutes(60).minusSeconds(1))).isEmpty();
        assertThat(tiers(tickAt(Duration.ofMinutes(60)))).containsExactly(EscalationTier.EXTERNAL_COMMUNICATIONS);
        assertThat(tickAt(Duration.ofHours(5))).isEmpty();

        assertThat(notifier.sent())
                .extracting(Notification::stakeholder)
                .containsExactly(
                        "paging:immediate-response", "paging:management-escalation", "paging:external-communications");
        assertThat(notifier.sent().get(0).recipients())
                .containsExactly(
                        "on-call-engineer@example.test",
                        "technical-lead@example.test",
                        "security-officer@example.test",
                        "incident-commander@example.test");
        assertThat(notifier.sent().get(0).subject()).startsWith("[SEV0 Critical] incident INC-1, Immediate Response");
        assertThat(scheduler.watchedIncidents()).isEmpty();
    }

    @Test
    void whichTiersApplyDependsOnSeverity() {
        scheduler.watch(open("SEV1", IncidentCriterion.BACKUP_FAILURES));
        scheduler.watch(open("SEV2", IncidentCriterion.MONITORING_PROBLEMS));
        scheduler.watch(open("SEV3", IncidentCriterion.COSMETIC_ISSUE));

        tickAt(Duration.ZERO);
        tickAt(Duration.ofMinutes(15));
        tickAt(Duration.ofHours(2));

        assertThat(scheduler.escalations())
                .extracting(e -> e.incidentId() + ":" + e.tier())
                .containsExactly("SEV1:IMMEDIATE_RESPONSE", "SEV2:IMMEDIATE_RESPONSE", "SEV1:MANAGEMENT_ESCALATION");
    }

    @Test
    void noTierIsNotifiedAfterTheIncidentWasResolved() {
        Incident incident = open("INC-2", IncidentCriterion.DATA_LOSS_OR_CORRUPTION);
        scheduler.watch(incident);
        tickAt(Duration.ZERO);
        tickAt(Duration.ofMinutes(15));

        incident.resolve("dana", "restored", T0.plus(Duration.ofMinutes(40)));

        assertThat(tickAt(Duration.ofMinutes(60))).isEmpty();
        assertThat(tickAt(Duration.ofHours(3))).isEmpty();
        assertThat(notifier.sent())
                .extracting(Notification::stakeholder)
                .containsExactly("paging:immediate-response", "paging:management-escalation");
        assertThat(scheduler.watchedIncidents()).isEmpty();
    }

    @Test
    void aLateTickStillNotifiesTiersWhoseTimeCameBeforeResolutionButNoOthers() {
        Incident incident = open("INC-3", IncidentCriterion.DATA_LOSS_OR_CORRUPTION);
        scheduler.watch(incident);
        incident.resolve("dana", "restored", T0.plus(Duration.ofMinutes(20)));

        List<Escalation> fired = tickAt(Duration.ofMinutes(90));

        assertThat(fired)
                .extracting(Escalation::tier)
                .containsExactly(EscalationTier.IMMEDIATE_RESPONSE, EscalationTier.MANAGEMENT_ESCALATION);
        assertThat(fired.get(1).dueAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
        assertThat(fired.get(1).firedAt()).isEqualTo(T0.plus(Duration.ofMinutes(90)));
    }

    @Test
    void raisingTheSeverityBringsInNewTiersFromTheMomentItWasRaised() {
        Incident incident = open("INC-4", IncidentCriterion.MONITORING_PROBLEMS);
        scheduler.watch(incident);
        tickAt(Duration.ZERO);
        assertThat(tickAt(Duration.ofMinutes(20))).isEmpty();

        incident.raiseSeverity(Severity.SEV1, "erin", "payments affected", T0.plus(Duration.ofMinutes(30)));

        assertThat(tickAt(Duration.ofMinutes(29))).isEmpty();
        List<Escalation> fired = tickAt(Duration.ofMinutes(30));
        assertThat(tiers(fired)).containsExactly(EscalationTier.MANAGEMENT_ESCALATION);
        assertThat(fired.get(0).notifications().get(0).severity()).isEqualTo(Severity.SEV1);
        assertThat(fired.get(0).notifications().get(0).body()).contains("Raised to SEV1 by erin");
    }

    @Test
    void customerDataImpactBringsInEveryTierAtOnce() {
        scheduler.watch(Incident.open(
                "INC-5",
                "dana",
                "export leak",
                IncidentFacts.custom()
                        .observed(IncidentCriterion.DOCUMENTATION_OR_UI_ISSUES)
                        .customerDataImpact(true)
                        .build(),
                T0));

        assertThat(tiers(tickAt(Duration.ZERO)))
                .containsExactly(
                        EscalationTier.IMMEDIATE_RESPONSE,
                        EscalationTier.MANAGEMENT_ESCALATION,
                        EscalationTier.EXTERNAL_COMMUNICATIONS);
    }

    @Test
    void rolesWithoutAContactAreRecordedAndTheOthersStillTold() {
        EscalationScheduler sparse = EscalationScheduler.custom()
                .dispatcher(dispatcher)
                .clock(clock)
                .contacts(EscalationContacts.custom()
                        .addContact("on-call-engineer", "+1-555-0100")
                        .build())
                .build();
        sparse.watch(open("INC-6", IncidentCriterion.SYSTEM_UNAVAILABLE));

        Escalation immediate = sparse.tick(T0).get(0);

        assertThat(immediate.notifications())
                .singleElement()
                .satisfies(n -> assertThat(n.recipients()).containsExactly("+1-555-0100"));
        assertThat(immediate.withoutContact())
                .containsExactly(
                        EscalationRole.TECHNICAL_LEAD,
                        EscalationRole.SECURITY_OFFICER,
                        EscalationRole.INCIDENT_COMMANDER);
    }

    @Test
    void pagesAreNotStakeholderNoticesSoTheyNeverCountAsInformingAGroup() {
        Instant breach = T0.minus(Duration.ofMinutes(3));
        Incident incident = Incident.open("INC-7", Fixtures.decision(Severity.SEV0, breach, T0));
        scheduler.watch(incident);
        tickAt(Duration.ofMinutes(1));
        tickAt(Duration.ofMinutes(16));

        assertThat(dispatcher.deliveries("INC-7"))
                .extracting(d -> d.notification().stakeholder())
                .containsExactly("paging:immediate-response", "paging:management-escalation");
        assertThat(RollbackSuccessMetrics.notificationLatencies(dispatcher.deliveries("INC-7")))
                .as("paging the management tier at 15 minutes is not telling management")
                .isEmpty();
    }

    @Test
    void thePolicysTierTimesAreConfigurableButKeepTheirOrder() {
        EscalationPolicy faster = EscalationPolicy.custom()
                .after(EscalationTier.EXTERNAL_COMMUNICATIONS, Duration.ofMinutes(20))
                .build();
        EscalationScheduler s = EscalationScheduler.custom()
                .policy(faster)
                .contacts(allContacts())
                .dispatcher(dispatcher)
                .clock(clock)
                .build();
        s.watch(open("INC-8", IncidentCriterion.SYSTEM_UNAVAILABLE));

        assertThat(tiers(s.tick(T0.plus(Duration.ofMinutes(20))))).contains(EscalationTier.EXTERNAL_COMMUNICATIONS);
        assertThatThrownBy(() -> EscalationPolicy.custom()
                        .after(EscalationTier.MANAGEMENT_ESCALATION, Duration.ofHours(2))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("after(EXTERNAL_COMMUNICATIONS) must not be before after(MANAGEMENT_ESCALATION)");
        assertThatThrownBy(() -> EscalationContacts.custom().addContact("janitor", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'janitor'");
    }
}
