package dev.rollback.core.incident;

import static dev.rollback.core.incident.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Severity;
import dev.rollback.core.escalation.ImmediateEscalation;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class IncidentTest {

    private static SeverityClassification classify(IncidentFacts.Builder facts) {
        return SeverityClassification.of(facts.build());
    }

    @Test
    void theMostSevereCriterionDecidesAndIsNamed() {
        SeverityClassification c = classify(IncidentFacts.custom()
                .observed(IncidentCriterion.MONITORING_PROBLEMS)
                .observed(IncidentCriterion.SECURITY_BREACH_CONFIRMED, "WAF alert 4411 confirmed")
                .observed(IncidentCriterion.BACKUP_FAILURES));

        assertThat(c.severity()).isEqualTo(Severity.SEV0);
        assertThat(c.criterion()).contains(IncidentCriterion.SECURITY_BREACH_CONFIRMED);
        assertThat(c.decidedBy()).isEqualTo("security breach confirmed (WAF alert 4411 confirmed)");
        assertThat(c.explanation()).isEqualTo("SEV0 (Critical): security breach confirmed (WAF alert 4411 confirmed)");
    }

    @Test
    void aFeatureFailureIsMajorOnlyAboveHalfTheUsers() {
        assertThat(classify(IncidentFacts.custom().featureFailure(0.51)).criterion())
                .contains(IncidentCriterion.MAJOR_FEATURE_FAILURE);
        assertThat(classify(IncidentFacts.custom().featureFailure(0.51)).severity())
                .isEqualTo(Severity.SEV1);
        assertThat(classify(IncidentFacts.custom().featureFailure(0.5)).criterion())
                .contains(IncidentCriterion.MINOR_FEATURE_ISSUE);
        assertThat(classify(IncidentFacts.custom().featureFailure(0.5)).severity())
                .isEqualTo(Severity.SEV2);
    }

    @Test
    void responseTimeAboveFiveSecondsIsSev1AndFromTwoToFiveSev2() {
        assertThat(classify(IncidentFacts.custom().responseTime(Duration.ofMillis(5001)))
                        .severity())
                .isEqualTo(Severity.SEV1);
        assertThat(classify(IncidentFacts.custom().responseTime(Duration.ofSeconds(5)))
                        .severity())
                .isEqualTo(Severity.SEV2);
        assertThat(classify(IncidentFacts.custom().responseTime(Duration.ofSeconds(2)))
                        .severity())
                .isEqualTo(Severity.SEV2);
        assertThatThrownBy(() -> IncidentFacts.custom()
                        .responseTime(Duration.ofMillis(1999))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("criteria must name at least one runbook criterion");
    }

    @Test
    void anIntegrationFailureIsSev1OnlyWhenItAffectsBusinessOperations() {
        assertThat(classify(IncidentFacts.custom().integrationFailure(true)).criterion())
                .contains(IncidentCriterion.BUSINESS_INTEGRATION_FAILURE);
        assertThat(classify(IncidentFacts.custom().integrationFailure(false)).severity())
                .isEqualTo(Severity.SEV2);
    }

    @Test
    void everyCriterionHasTheSeverityOfItsRunbookGroup() {
        assertThat(IncidentCriterion.values()).hasSize(20);
        for (IncidentCriterion c : IncidentCriterion.values()) {
            Severity expected = Severity.values()[c.ordinal() / 5];
            assertThat(SeverityClassification.of(IncidentFacts.of(c)).severity())
                    .as(c.name())
                    .isEqualTo(expected);
        }
    }

    @Test
    void anIncidentOpenedByADecisionTakesItsSeverityTimesAndRule() {
        Instant decided = T0.plus(Duration.ofMinutes(3));
        Incident incident = Incident.open("INC-1", Fixtures.decision(Severity.SEV1, T0, decided));

        assertThat(incident.severity()).isEqualTo(Severity.SEV1);
        assertThat(incident.openedAt()).isEqualTo(decided);
        assertThat(incident.startedAt()).isEqualTo(T0);
        assertThat(incident.openedBy()).isEqualTo("trigger:error-rate");
        assertThat(incident.classification().decidedBy()).startsWith("trigger rule 'error-rate'");
        assertThat(incident.classification().criterion()).isEmpty();
    }

    @Test
    void anIncidentOpenedByHandWithoutAKnownBreachStartsWhenOpened() {
        Incident incident =
                Incident.open("INC-2", "dana", "checkout slow", IncidentFacts.of(IncidentCriterion.COSMETIC_ISSUE), T0);

        assertThat(incident.breachBegan()).isEmpty();
        assertThat(incident.startedAt()).isEqualTo(T0);
        assertThat(incident.severity()).isEqualTo(Severity.SEV3);
    }

    @Test
    void severityIsRaisedByHandWithWhoAndWhyRecordedAndNeverLowered() {
        Incident incident = Incident.open(
                "INC-3", "dana", "reports late", IncidentFacts.of(IncidentCriterion.MONITORING_PROBLEMS), T0);

        incident.raiseSeverity(Severity.SEV1, "erin", "backups also failing", T0.plusSeconds(600));

        assertThat(incident.severity()).isEqualTo(Severity.SEV1);
        assertThat(incident.severityChanges())
                .containsExactly(new SeverityChange(
                        Severity.SEV2, Severity.SEV1, "erin", "backups also failing", T0.plusSeconds(600)));
        assertThat(incident.reached(Severity.SEV1)).contains(T0.plusSeconds(600));
        assertThat(incident.reached(Severity.SEV2)).contains(T0);
        assertThat(incident.reached(Severity.SEV0)).isEmpty();
        assertThatThrownBy(() -> incident.raiseSeverity(Severity.SEV2, "erin", "better now", T0.plusSeconds(700)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("severity can only be raised");
        assertThatThrownBy(() -> incident.raiseSeverity(Severity.SEV1, "erin", "same", T0.plusSeconds(700)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aResolvedIncidentNoLongerChanges() {
        Incident incident =
                Incident.open("INC-4", "dana", "x", IncidentFacts.of(IncidentCriterion.BACKUP_FAILURES), T0);

        incident.resolve("dana", "rolled back", T0.plusSeconds(60));

        assertThat(incident.resolution()).contains(new Resolution("dana", "rolled back", T0.plusSeconds(60)));
        assertThatThrownBy(() -> incident.raiseSeverity(Severity.SEV0, "erin", "late", T0.plusSeconds(120)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("INC-4 was resolved");
        assertThatThrownBy(() -> incident.resolve("dana", "again", T0.plusSeconds(120)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void customerDataImpactEscalatesImmediatelyOnOpening() {
        Incident incident = Incident.open(
                "INC-5",
                "dana",
                "export leak",
                IncidentFacts.custom()
                        .observed(IncidentCriterion.MINOR_FEATURE_ISSUE)
                        .customerDataImpact(true)
                        .build(),
                T0);

        assertThat(incident.immediateEscalation())
                .contains(new ImmediateEscalation("dana", "customer data impact", T0));
    }
}
