package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlexibleServerFailoverStepTest {

    @Test
    void rejectsAServerNameAzureWouldRefuseNamingTheFieldAndTheValue() {
        assertThatThrownBy(() -> FlexibleServerFailoverStep.builder().server("Prod_DB"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("server must be 3-63 lowercase letters")
                .hasMessageContaining("'Prod_DB'");
        assertThatThrownBy(() -> FlexibleServerFailoverStep.builder().resourceGroup("rg."))
                .hasMessageContaining("resourceGroup must be 1-90");
    }

    @Test
    void rejectsWaitsThatAreNotPositive() {
        assertThatThrownBy(() -> FlexibleServerFailoverStep.builder().pollInterval(Duration.ZERO))
                .hasMessageContaining("pollInterval must be positive");
        assertThatThrownBy(() -> FlexibleServerFailoverStep.builder().reconcileWindow(Duration.ofHours(1)))
                .hasMessageContaining("reconcileWindow must be at most PT10M");
    }

    @Test
    void namesWhatIsMissingWhenBuilt() {
        assertThatThrownBy(() -> FlexibleServerFailoverStep.builder()
                        .resourceGroup("rg1")
                        .server("pg-prod")
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("controlPlane, resourceGroup and server are required");
    }
}
