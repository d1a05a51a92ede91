package dev.rollback.testkit.assertions;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RollbackAssertionsTest {
    private static final Instant T = Instant.parse("2025-01-01T00:00:00Z");

    static RollbackReport report(RunOutcome outcome, int swapAttempts) {
        List<Attempt> attempts = new ArrayList<>();
        for (int i = 1; i <= swapAttempts; i++) {
            attempts.add(new Attempt(i, T, Duration.ofSeconds(1), StepOutcome.SUCCEEDED, Optional.empty()));
        }
        StepReport swap = new StepReport(
                "swap",
                "app-service",
                List.of(),
                false,
                StepOutcome.SUCCEEDED,
                Optional.of(T),
                Optional.of(T.plusSeconds(5)),
                Duration.ofSeconds(5),
                Duration.ofMinutes(5),
                attempts,
                List.of(Verification.passed("health", "GET /health returns 200", "200 in 41 ms")),
                Map.of(),
                Optional.empty(),
                Optional.empty());
        StepReport warm = new StepReport(
                "warm-cache",
                "redis",
                List.of("swap"),
                false,
                StepOutcome.SKIPPED,
                Optional.empty(),
                Optional.empty(),
                Duration.ZERO,
                Duration.ZERO,
                List.of(),
                List.of(),
                Map.of(),
                Optional.of("dependency 'flush' failed"),
                Optional.empty());
        ComponentReport app = new ComponentReport(
                "app-service",
                RecoveryObjectives.stateless(Duration.ofMinutes(5)),
                Duration.ofSeconds(5),
                TargetStatus.MET,
                Optional.empty(),
                TargetStatus.UNKNOWN);
        return new RollbackReport(
                "run-1",
                "advisoros",
                outcome,
                false,
                Initiator.manual("ops"),
                Authorization.preAuthorized("test", "test", T),
                T,
                T.plusSeconds(5),
                Duration.ofSeconds(5),
                List.of(swap, warm),
                List.of(app),
                List.of(Verification.failed("orphans", "no orphan rows", "3 orphans")
                        .withDetail("table", "invoices")),
                Optional.empty(),
                SuccessMetrics.unknown(),
                List.of());
    }

    @Test
    void readsAsTheRunbookSaysWhenEverythingHolds() {
        assertThat(report(RunOutcome.SUCCEEDED, 1))
                .succeeded()
                .metRto("app-service")
                .ranExactlyOnce("swap")
                .skipped("warm-cache", "dependency")
                .verification("health")
                .passed()
                .hasEvidenceContaining("200");
        assertThat(report(RunOutcome.SUCCEEDED, 1))
                .verification("orphans")
                .failed()
                .hasEvidenceContaining("invoices");
    }

    @Test
    void needsHumanDecisionFailsOnAStepThatEndedOtherwiseAndShowsHowItEnded() {
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1)).needsHumanDecision("swap"))
                .hasMessageContaining(
                        "expected step 'swap' of run run-1 to end HUMAN_DECISION_REQUIRED but it ended" + " SUCCEEDED");
    }

    @Test
    void failsWithMessagesThatShowWhatTheReportHolds() {
        assertThatThrownBy(() -> assertThat(report(RunOutcome.PARTIAL, 1)).succeeded())
                .hasMessageContaining("expected run run-1 of plan 'advisoros' to end SUCCEEDED but it ended PARTIAL")
                .hasMessageContaining("warm-cache=SKIPPED (dependency 'flush' failed)");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 2)).ranExactlyOnce("swap"))
                .hasMessageContaining("ran 2 attempt(s)");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1)).skipped("warm-cache", "timeout"))
                .hasMessageContaining("the reason was 'dependency 'flush' failed'");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1)).missedRto("app-service"))
                .hasMessageContaining("to be MISSED but it was MET");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1)).metRto("postgres"))
                .hasMessageContaining("[app-service]");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1)).verification("nope"))
                .hasMessageContaining("[orphans, health]");
        assertThatThrownBy(() -> assertThat(report(RunOutcome.SUCCEEDED, 1))
                        .verification("health")
                        .hasEvidenceContaining("500"))
                .hasMessageContaining("observed '200 in 41 ms'");
    }
}
