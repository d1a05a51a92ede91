package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.ApprovalRequiredException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.approval.ApprovalPath;
import dev.rollback.core.approval.ChangeType;
import dev.rollback.core.approval.InMemoryIdentityDirectory;
import dev.rollback.core.approval.RollbackClassification;
import dev.rollback.core.approval.RunbookApprovalPolicy;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The executor under the runbook's approval policy: refused before any effect, or granted and reported. */
class GovernedRunTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private final ManualClock clock = new ManualClock(T0);
    private final AtomicInteger effects = new AtomicInteger();

    private final RollbackPlan plan = RollbackPlan.builder(
                    "db-restore", RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
            .carriesOut("point-in-time-recovery")
            .step(RollbackStep.builder("restore", "postgres")
                    .action(c -> effects.incrementAndGet())
                    .build())
            .build();

    private final RunbookApprovalPolicy policy = RunbookApprovalPolicy.custom()
            .directory(InMemoryIdentityDirectory.custom()
                    .addPerson("dana", "dba")
                    .addPerson("tom", "technical-lead", "security")
                    .addPerson("sam", "security")
                    .build())
            .classification(
                    "db-restore",
                    RollbackClassification.custom()
                            .addChangeType(ChangeType.DATABASE_CHANGES)
                            .affectedUsers(200)
                            .path(ApprovalPath.PLANNED)
                            .build())
            .build();

    private Approval approval(String person, String role) {
        return Approval.of(person, role, plan, clock.instant(), "restore after bad migration");
    }

    @Test
    void aManualRunWithOnePersonInTwoRolesIsRefusedBeforeAnyEffectNamingTheMissingRole() {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).approvalPolicy(policy).build()) {
            RunRequest request = RunRequest.manual(
                    "dana", approval("dana", "dba"), approval("tom", "technical-lead"), approval("tom", "security"));
            assertThatThrownBy(() -> executor.run(plan, request))
                    .isInstanceOf(ApprovalRequiredException.class)
                    .satisfies(e -> assertThat(((ApprovalRequiredException) e).missingRoles())
                            .hasSize(1));
            assertThat(effects).hasValue(0);
        }
    }

    @Test
    void aManualRunWithTheMatrixsThreePeopleRunsAndTheReportNamesThem() {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).approvalPolicy(policy).build()) {
            RollbackReport report = executor.run(
                    plan,
                    RunRequest.manual(
                            "dana",
                            approval("dana", "dba"),
                            approval("tom", "technical-lead"),
                            approval("sam", "security")));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(effects).hasValue(1);
            assertThat(report.authorization().preAuthorized()).isFalse();
            assertThat(report.authorization().approvals())
                    .extracting(Approval::person)
                    .containsExactlyInAnyOrder("dana", "tom", "sam");
        }
    }

    @Test
    void anAutomaticTriggerIsPreAuthorizedByPolicyAndTheReportSaysSo() {
        Decision decision = new Decision(
                "point-in-time-recovery",
                Decision.Kind.ROLLBACK,
                Severity.SEV0,
                "data-corruption",
                1,
                0,
                "count",
                "data corruption indicator: orphaned invoices",
                T0,
                T0);
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).approvalPolicy(policy).build()) {
            RollbackReport report = executor.run(plan, RunRequest.automatic(decision));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(report.authorization().preAuthorized()).isTrue();
            assertThat(report.notes().get(0))
                    .startsWith("pre-authorized by policy")
                    .contains("data-corruption");
        }
    }
}
