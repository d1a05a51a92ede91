package dev.rollback.core.notification;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Severity;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.Fixtures.RecordingNotifier;
import dev.rollback.core.incident.Incident;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stakeholders are informed by their own deadlines, apart from the paging ladder. */
class StakeholderNoticesTest {
    private static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private final ManualClock clock = ManualClock.startingAt(T0);
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final NotificationDispatcher dispatcher = Fixtures.directDispatcher(notifier, clock);

    private StakeholderNotices.Builder notices() {
        StakeholderNotices.Builder b =
                StakeholderNotices.custom().dispatcher(dispatcher).clock(clock);
        for (StakeholderGroup g : StakeholderGroup.values()) {
            b.addContact(g, g.id() + "@example.test");
        }
        return b;
    }

    @Test
    void aSev1IncidentInformsTheTechnicalTeamManagementAndCustomersAtOnceAndWithinTheirTargets() {
        StakeholderNotices notices = notices().build();
        Incident incident =
                Incident.open("INC-1", Fixtures.decision(Severity.SEV1, T0.minus(Duration.ofMinutes(5)), T0));
        notices.watch(incident);
        clock.advance(Duration.ofSeconds(30));

        assertThat(notices.tick())
                .extracting(Notification::stakeholder)
                .containsExactly("technical-team", "management", "customers");
        assertThat(notices.tick()).as("each group is told once").isEmpty();

        List<NotificationLatency> latencies = RollbackSuccessMetrics.notificationLatencies(dispatcher.deliveries());
        assertThat(latencies).allSatisfy(l -> {
            assertThat(l.latency()).contains(Duration.ofSeconds(30));
            assertThat(l.targetStatus()).isEqualTo(TargetStatus.MET);
        });
    }

    @Test
    void aRaisedSeverityReachesMoreGroupsAndResolutionIsToldToEveryoneWhoWasTold() {
        StakeholderNotices notices = notices().build();
        Incident incident =
                Incident.open("INC-2", Fixtures.decision(Severity.SEV1, T0.minus(Duration.ofMinutes(5)), T0));
        notices.watch(incident);
        notices.tick();
        clock.advance(Duration.ofMinutes(3));
        incident.raiseSeverity(Severity.SEV0, "dana", "customer data exposed", clock.instant());

        assertThat(notices.tick()).extracting(Notification::stakeholder).containsExactly("regulators", "public");

        List<Notification> resolved = notices.resolved(incident, "rolled back and verified");
        assertThat(resolved)
                .extracting(Notification::stakeholder)
                .containsExactly("technical-team", "management", "customers", "regulators", "public");
        assertThat(resolved).allSatisfy(n -> assertThat(n.body()).contains("rolled back and verified"));
        assertThat(notices.tick()).isEmpty();
    }

    @Test
    void aDelayIsHonouredAndMustStayUnderTheGroupsLimit() {
        StakeholderNotices notices = notices()
                .after(StakeholderGroup.CUSTOMERS, Duration.ofMinutes(10))
                .build();
        notices.watch(Incident.open("INC-3", Fixtures.decision(Severity.SEV1, T0, T0)));

        assertThat(notices.tick())
                .extracting(Notification::stakeholder)
                .containsExactly("technical-team", "management");
        clock.advance(Duration.ofMinutes(10));
        assertThat(notices.tick()).extracting(Notification::stakeholder).containsExactly("customers");

        assertThatThrownBy(() -> notices().after(StakeholderGroup.MANAGEMENT, Duration.ofMinutes(15)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT15M")
                .hasMessageContaining("management");
    }

    @Test
    void groupsWithoutAContactAreNamedAndNeverTold() {
        StakeholderNotices notices = StakeholderNotices.custom()
                .dispatcher(dispatcher)
                .clock(clock)
                .addContact(StakeholderGroup.TECHNICAL_TEAM, "#incidents")
                .build();
        notices.watch(Incident.open("INC-4", Fixtures.decision(Severity.SEV0, T0, T0)));

        assertThat(notices.tick()).extracting(Notification::stakeholder).containsExactly("technical-team");
        assertThat(notices.withoutContact())
                .containsExactly(
                        StakeholderGroup.MANAGEMENT,
                        StakeholderGroup.CUSTOMERS,
                        StakeholderGroup.REGULATORS,
                        StakeholderGroup.PUBLIC);
        assertThatThrownBy(
                        () -> StakeholderNotices.custom().dispatcher(dispatcher).build())
                .hasMessageContaining("addContact");
    }
}
