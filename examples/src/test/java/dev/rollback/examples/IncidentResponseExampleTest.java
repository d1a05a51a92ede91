package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Severity;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentState;
import org.junit.jupiter.api.Test;

/** The README's incident response, replayed: the burst is answered once and verified recovered. */
class IncidentResponseExampleTest {

    @Test
    void theErrorBurstIsRolledBackVerifiedAndReported() throws Exception {
        IncidentReport report = IncidentResponseExample.run();

        assertThat(report.state()).isEqualTo(IncidentState.RECOVERED);
        assertThat(report.severity()).isEqualTo(Severity.SEV1);
        assertThat(report.run().orElseThrow().outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.checks()).allSatisfy(v -> assertThat(v.passed()).isTrue());
        assertThat(report.heightenedMonitoringUntil()).isPresent();
        assertThat(report.run().orElseThrow().metrics().notifications())
                .extracting(NotificationLatency::stakeholder)
                .containsExactly("technical-team", "management", "customers");
    }

    @Test
    void theStakeholdersAreToldWithinTheirLimits() throws Exception {
        IncidentReport report = IncidentResponseExample.run();

        assertThat(report.run().orElseThrow().metrics().notifications())
                .allSatisfy(l -> assertThat(l.limitStatus()).isEqualTo(TargetStatus.MET));
    }
}
