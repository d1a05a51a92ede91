package dev.rollback.core.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Drill mode refuses a production-looking target before any side effect and reports its targets. */
class DrillModeTest {
    private final List<String> sideEffects = new CopyOnWriteArrayList<>();
    private final List<RollbackEvent> events = new CopyOnWriteArrayList<>();
    private final RollbackExecutor executor = RollbackExecutor.builder()
            .listener(new RollbackListener() {
                @Override
                public void onEvent(RollbackEvent event) {
                    events.add(event);
                }
            })
            .build();
    private final DrillMode drills = DrillMode.of(
            executor, StagingTargets.custom().addProductionName("advisoros-db").build());

    @AfterEach
    void close() {
        executor.close();
    }

    private RollbackStep recording(String id, String target) {
        return RollbackStep.builder(id, "app")
                .idempotent(true)
                .actsOn(target)
                .preflight(ctx -> sideEffects.add("preflight " + id))
                .action(ctx -> sideEffects.add("execute " + id))
                .build();
    }

    private static RollbackPlan plan(RollbackStep... steps) {
        RollbackPlan.Builder b = RollbackPlan.builder(
                "application-rollback-drill", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ZERO));
        for (RollbackStep s : steps) {
            b.step(s);
        }
        return b.build();
    }

    @Test
    void aPlanWithAProductionLookingTargetIsRefusedAndNothingRuns() {
        RollbackPlan plan = plan(recording("swap", "rg-staging/advisoros-staging"), recording("purge", "cdn-prod-eu"));

        assertThatThrownBy(() -> drills.run(DrillKind.APPLICATION_ROLLBACK, plan, "drill-scheduler"))
                .isInstanceOf(DrillRefusedException.class)
                .hasMessageContaining("step 'purge' acts on 'cdn-prod-eu'")
                .hasMessageContaining("production token 'prod'");
        assertThat(sideEffects).isEmpty();
        assertThat(events).isEmpty();
        assertThat(executor.activeRuns()).isEmpty();
    }

    @Test
    void aDeclaredProductionNameIsRefusedInADryRunToo() {
        RollbackPlan plan = plan(recording("restore", "127.0.0.1:5432/advisoros-db"));

        assertThatThrownBy(() -> drills.dryRun(DrillKind.DATABASE_RECOVERY, plan, "drill-scheduler"))
                .isInstanceOf(DrillRefusedException.class)
                .hasMessageContaining("step 'restore' acts on '127.0.0.1:5432/advisoros-db'");
        assertThat(sideEffects).isEmpty();
    }

    @Test
    void aStagingPlanRunsAsADrillAndItsReportNamesItsTargets() {
        RollbackPlan plan = plan(recording("swap", "rg-staging/advisoros-staging"), recording("purge", "cdn-staging"));

        RollbackReport report = drills.run(DrillKind.APPLICATION_ROLLBACK, plan, "drill-scheduler");

        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.initiator().kind()).isEqualTo(Initiator.Kind.DRILL);
        assertThat(sideEffects).contains("execute swap", "execute purge");
        assertThat(report.notes())
                .contains("Drill mode: Application rollback drill against staging targets only: "
                        + "swap -> rg-staging/advisoros-staging, purge -> cdn-staging");
    }

    @Test
    void theDrillPlansGiveEachKindItsPlanAndNameAMissingOne() {
        RollbackPlan app = plan(recording("swap", "rg-staging/advisoros-staging"));
        DrillPlans plans =
                DrillPlans.builder().plan(DrillKind.APPLICATION_ROLLBACK, app).build();

        assertThat(plans.kinds()).containsExactly(DrillKind.APPLICATION_ROLLBACK);
        assertThat(drills.run(plans, DrillKind.APPLICATION_ROLLBACK, "scheduler")
                        .planName())
                .isEqualTo("application-rollback-drill");
        assertThatThrownBy(() -> drills.run(plans, DrillKind.FULL_DISASTER_RECOVERY, "scheduler"))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("Full system disaster recovery")
                .hasMessageContaining("FULL_DISASTER_RECOVERY");
    }
}
