package dev.rollback.core.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A drill passes only when every runbook criterion was met and measured, and lessons were recorded. */
class DrillVerdictTest {
    private final ManualClock clock = ManualClock.startingAt(Instant.parse("2026-12-14T10:00:00Z"));
    private final RollbackExecutor executor =
            RollbackExecutor.builder().clock(clock).build();

    @AfterEach
    void close() {
        executor.close();
    }

    private RollbackReport drill(Duration stepTakes, long recordsLost, boolean verified) {
        RollbackPlan plan = RollbackPlan.builder(
                        "database-recovery-drill", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(
                        RollbackStep.builder("restore", "db")
                                .action(ctx -> {
                                    clock.advance(stepTakes);
                                    ctx.evidence(EvidenceKey.RECORDS_LOST, recordsLost);
                                })
                                .build(),
                        s -> s.verifier(Verifier.of(
                                "client-count",
                                ctx -> verified
                                        ? Verification.passed("client-count", "3 clients", "3")
                                        : Verification.failed("client-count", "3 clients", "0"))))
                .build();
        RollbackReport report = executor.run(plan, RunRequest.drill("drill-scheduler"));
        return report.withMetrics(report.metrics()
                .withNotifications(List.of(new NotificationLatency(
                        "technical-team",
                        Optional.of(Duration.ofMinutes(1)),
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(2)))));
    }

    @Test
    void aDrillWithinItsTargetsThatLostNothingPassesOnceItsLessonsAreRecorded() {
        DrillVerdict verdict = DrillVerdict.of(DrillKind.DATABASE_RECOVERY, drill(Duration.ofMinutes(3), 0, true));

        assertThat(verdict.criteria()).allSatisfy(c -> assertThat(c.status()).isEqualTo(TargetStatus.MET));
        assertThat(verdict.passed()).as("not closed yet").isFalse();
        assertThat(verdict.failures()).containsExactly("lessons learned: not recorded");

        DrillVerdict closed = verdict.close("restore took 3 minutes; the runbook's 15 holds");
        assertThat(closed.passed()).isTrue();
        assertThatThrownBy(() -> verdict.close("  "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lessons learned");
    }

    @Test
    void aDrillPastItsRtoThatLostRecordsAndFailedAVerificationFailsOnEachCriterion() {
        DrillVerdict verdict = DrillVerdict.of(DrillKind.DATABASE_RECOVERY, drill(Duration.ofMinutes(16), 5, false))
                .close("restore is too slow");

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.criteria())
                .extracting(DrillCriterion::status)
                .containsExactly(TargetStatus.MISSED, TargetStatus.MISSED, TargetStatus.MISSED, TargetStatus.MET);
        assertThat(verdict.failures())
                .anySatisfy(f -> assertThat(f).contains("db took").contains("RTO of PT15M"))
                .anySatisfy(f -> assertThat(f).contains("5 records lost"));
    }

    @Test
    void whatADrillDidNotMeasureFailsIt() {
        RollbackReport unmeasured = executor.run(
                RollbackPlan.builder("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                        .step(RollbackStep.builder("restore", "db").build())
                        .build(),
                RunRequest.drill("drill-scheduler"));

        DrillVerdict verdict =
                DrillVerdict.of(DrillKind.DATABASE_RECOVERY, unmeasured).close("none");

        assertThat(verdict.passed()).isFalse();
        assertThat(verdict.criteria())
                .extracting(DrillCriterion::status)
                .containsExactly(TargetStatus.MET, TargetStatus.UNKNOWN, TargetStatus.UNKNOWN, TargetStatus.UNKNOWN);
    }
}
