package dev.rollback.core.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The staging policy tells production-looking targets by token, pattern and declared name. */
class StagingTargetsTest {
    private final StagingTargets defaults = StagingTargets.ofDefaults();

    @Test
    void aNameThatOnlyStartsWithProdIsNotProductionBecauseTokensAreWhole() {
        assertThat(defaults.looksLikeProduction("product-catalog")).isFalse();
        assertThat(defaults.looksLikeProduction("rg-staging/products-api/slots/blue"))
                .isFalse();
        assertThat(defaults.looksLikeProduction("reproduction-lab")).isFalse();
    }

    @Test
    void aProdTokenAnywhereInTheTargetIsProduction() {
        assertThat(defaults.productionReason("app-prod-eu")).contains("holds the production token 'prod'");
        assertThat(defaults.productionReason("db.PRD.example.com:5432/advisoros"))
                .contains("holds the production token 'prd'");
        assertThat(defaults.productionReason("rg-main/advisoros/slots/production"))
                .contains("holds the production token 'production'");
        assertThat(defaults.productionReason("advisorosProd")).contains("holds the production token 'prod'");
    }

    @Test
    void aStagingNameIsNotProduction() {
        assertThat(defaults.productionReason("rg-staging/advisoros-staging/slots/staging"))
                .isEmpty();
        assertThat(defaults.productionReason("127.0.0.1:5432/advisoros_staging"))
                .isEmpty();
    }

    @Test
    void customTokensReplaceTheDefaults() {
        StagingTargets live = StagingTargets.custom().productionTokens("live").build();

        assertThat(live.looksLikeProduction("app-prod")).isFalse();
        assertThat(live.looksLikeProduction("app-LIVE-eu")).isTrue();
        assertThat(StagingTargets.from(live).build().looksLikeProduction("app-live"))
                .isTrue();
    }

    @Test
    void aTokenWithSeparatorsIsRejectedAtTheSetter() {
        assertThatThrownBy(() -> StagingTargets.custom().productionTokens("pr-od"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token")
                .hasMessageContaining("'pr-od'");
    }

    @Test
    void aPatternFoundAnywhereMakesATargetProduction() {
        StagingTargets policy = StagingTargets.custom()
                .addProductionPattern(Pattern.compile("^rg-main/"))
                .build();

        assertThat(policy.productionReason("rg-main/advisoros-blue"))
                .contains("matches the production pattern '^rg-main/'");
        assertThat(policy.looksLikeProduction("rg-staging/rg-main")).isFalse();
    }

    @Test
    void aDeclaredProductionNameMatchesAsAWholeNameOnly() {
        StagingTargets policy =
                StagingTargets.custom().addProductionName("AdvisorOS-API").build();

        assertThat(policy.productionReason("advisoros-api")).contains("is the production target 'advisoros-api'");
        assertThat(policy.productionReason("rg-x/advisoros-api/slots/blue"))
                .contains("names the production target 'advisoros-api'");
        assertThat(policy.looksLikeProduction("rg-x/advisoros-api-staging")).isFalse();
        assertThat(policy.looksLikeProduction("rg-x/my.advisoros-api")).isFalse();
    }

    @Test
    void everyTargetOfAProductionPlanIsAProductionName() {
        RollbackPlan production = plan(
                "app-rollback",
                RollbackStep.builder("swap", "app").actsOn("rg-a/advisoros").build());
        StagingTargets policy =
                StagingTargets.custom().addProductionTargetsOf(production).build();
        RollbackPlan drill = plan(
                "app-rollback-drill",
                RollbackStep.builder("swap", "app").actsOn("rg-a/advisoros").build());

        assertThatThrownBy(() -> policy.check(drill))
                .isInstanceOf(DrillRefusedException.class)
                .hasMessageContaining("step 'swap' acts on 'rg-a/advisoros', which is the production target");
    }

    @Test
    void aStepThatDeclaresNoTargetIsRefusedByName() {
        RollbackPlan drill = plan(
                "drill",
                RollbackStep.builder("named", "app").actsOn("app-staging").build(),
                RollbackStep.builder("anonymous", "app").build());

        assertThatThrownBy(() -> defaults.check(drill))
                .isInstanceOfSatisfying(
                        DrillRefusedException.class,
                        e -> assertThat(e.refusedSteps()).containsExactly("anonymous"))
                .hasMessageContaining("step 'anonymous' declares no target");
    }

    @Test
    void everyRefusedStepIsNamedWithItsTarget() {
        RollbackPlan drill = plan(
                "drill",
                RollbackStep.builder("a", "app").actsOn("app-prod-eu").build(),
                RollbackStep.builder("b", "app").actsOn("app-staging").build(),
                RollbackStep.builder("c", "db").actsOn("db-prd:5432/x").build());

        assertThatThrownBy(() -> defaults.check(drill))
                .isInstanceOfSatisfying(
                        DrillRefusedException.class,
                        e -> assertThat(e.refusedSteps()).containsExactly("a", "c"))
                .hasMessageContaining("plan 'drill'")
                .hasMessageContaining("step 'a' acts on 'app-prod-eu'")
                .hasMessageContaining("step 'c' acts on 'db-prd:5432/x'")
                .hasMessageNotContaining("'b'");
    }

    @Test
    void aStagingPlanYieldsItsTargetsInPlanOrder() {
        RollbackPlan drill = plan(
                "drill",
                RollbackStep.builder("b", "app").actsOn("app-staging").build(),
                RollbackStep.builder("a", "db").actsOn("db-staging:5432/x").build());

        assertThat(defaults.check(drill))
                .containsExactly(Map.entry("b", "app-staging"), Map.entry("a", "db-staging:5432/x"));
    }

    static RollbackPlan plan(String name, RollbackStep... steps) {
        RollbackPlan.Builder b =
                RollbackPlan.builder(name, RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ZERO));
        for (RollbackStep s : steps) {
            b.step(s);
        }
        return b.build();
    }
}
