package dev.rollback.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.TargetStatus;
import org.junit.jupiter.api.Test;

class QuickstartTest {

    @Test
    void theQuickstartRollsBackVerifiesAndMeetsItsRto() {
        RollbackReport report = Quickstart.run();
        assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.step("swap-slots").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(report.step("swap-slots").orElseThrow().verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.observed()).isEqualTo("v41"));
        assertThat(report.component("app-service").orElseThrow().rto()).isEqualTo(TargetStatus.MET);
    }
}
