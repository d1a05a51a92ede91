package dev.rollback.core.response;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.core.trigger.DecisionMatrix;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** An action some rule can take and no plan carries out is a configuration error at build time. */
class PlanCatalogTest {
    private static RollbackPlan plan(String name) {
        return RollbackPlan.builder(name, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(
                        "application-rollback", "database-failover", "point-in-time-recovery", "full-system-lockdown")
                .step(RollbackStep.builder("act", "app").build())
                .build();
    }

    @Test
    void anUnmappedActionIsRefusedWhenTheCatalogIsBuiltNamingItsRules() {
        PlanCatalog.Builder b = PlanCatalog.forMatrix(DecisionMatrix.ofDefaults())
                .map(DecisionMatrix.APPLICATION_ROLLBACK, plan("app"))
                .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, plan("pitr"));

        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("'database-failover' (rules [database-connection-failures])")
                .hasMessageContaining("'full-system-lockdown' (rules [security-breach])")
                .hasMessageNotContaining("'application-rollback'");
    }

    @Test
    void anActionNoRuleTakesIsATypoAndIsRefusedAtOnce() {
        assertThatThrownBy(() ->
                        PlanCatalog.forMatrix(DecisionMatrix.ofDefaults()).map("application-rolback", plan("app")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'application-rolback'")
                .hasMessageContaining("application-rollback");
    }

    @Test
    void aRollbackDecisionFindsItsPlanAndAManualReviewIsLeftToAPerson() {
        RollbackPlan app = plan("app");
        PlanCatalog catalog = PlanCatalog.forMatrix(DecisionMatrix.ofDefaults())
                .map(DecisionMatrix.APPLICATION_ROLLBACK, app)
                .map(DecisionMatrix.DATABASE_FAILOVER, plan("db"))
                .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, plan("pitr"))
                .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, plan("lockdown"))
                .build();
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Decision rollback = new Decision(
                DecisionMatrix.APPLICATION_ROLLBACK,
                Decision.Kind.ROLLBACK,
                Severity.SEV1,
                "error-rate",
                0.02,
                0.01,
                "ratio",
                "error rate 2%",
                t,
                t);
        Decision review = new Decision(
                DecisionMatrix.MANUAL_REVIEW,
                Decision.Kind.MANUAL_REVIEW,
                Severity.SEV2,
                "error-rate-warning",
                0.007,
                0.005,
                "ratio",
                "error rate 0.7%",
                t,
                t);

        assertThat(catalog.planFor(rollback)).isSameAs(app);
        assertThat(catalog.actions()).hasSize(4);
        assertThatThrownBy(() -> catalog.planFor(review))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("manual review");
    }
}
