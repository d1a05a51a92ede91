package dev.rollback.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.IncidentState;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerRule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/** The health contributor: UP with nothing wrong, DOWN while an incident of this node was not recovered. */
class RollbackHealthIndicatorTest {

    @Test
    void isUpWithTriggersOffAndNothingRunning() {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            Health health = new RollbackHealthIndicator(executor, Optional.empty(), Optional.empty()).health();

            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("triggers", "disabled")
                    .containsEntry("liveRuns", 0L)
                    .containsEntry("notRecoveredIncidents", List.of());
        }
    }

    @Test
    void isDownWhileAnIncidentWhoseRollbackFailedIsNotRecoveredAndNamesIt() throws Exception {
        DecisionMatrix matrix = DecisionMatrix.custom()
                .name("errors")
                .addRule(TriggerRule.custom()
                        .name(DecisionMatrix.ERROR_RATE)
                        .signal(Signal.ERROR_RATE)
                        .above(0.1)
                        .action(DecisionMatrix.APPLICATION_ROLLBACK)
                        .build())
                .build();
        RollbackPlan failing = RollbackPlan.builder(
                        "orders-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                .step(RollbackStep.builder("swap-slots", "orders")
                        .action(ctx -> {
                            throw new IllegalStateException("the previous slot is gone");
                        })
                        .build())
                .build();
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults();
                IncidentResponse response = IncidentResponse.custom()
                        .catalog(PlanCatalog.forMatrix(matrix)
                                .map(DecisionMatrix.APPLICATION_ROLLBACK, failing)
                                .build())
                        .executor(executor)
                        .verification(
                                PostRollbackVerification.custom().watchRules().build())
                        .build()) {
            RollbackHealthIndicator indicator =
                    new RollbackHealthIndicator(executor, Optional.empty(), Optional.of(response));
            Instant now = Instant.now();
            IncidentHandle incident = response.handle(new Decision(
                    DecisionMatrix.APPLICATION_ROLLBACK,
                    Decision.Kind.ROLLBACK,
                    Severity.SEV1,
                    DecisionMatrix.ERROR_RATE,
                    0.5,
                    0.1,
                    "ratio",
                    "error rate 50% > 10%",
                    now,
                    now));
            incident.run().orElseThrow().await();
            response.tick();

            assertThat(incident.state()).isEqualTo(IncidentState.NOT_RECOVERED);
            Health health = indicator.health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            String id = incident.incident().orElseThrow().id();
            assertThat(health.getDetails()).containsEntry("notRecoveredIncidents", List.of(id));
        }
    }
}
