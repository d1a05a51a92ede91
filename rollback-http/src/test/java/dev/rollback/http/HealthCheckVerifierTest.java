package dev.rollback.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The health verifier refuses bad configuration at the setter, naming the field and the value. */
class HealthCheckVerifierTest {

    @Test
    void healthCheckRefusesNonHttpUrlsCredentialsInUrlsAndBadTimeoutsOrStatuses() {
        assertThatThrownBy(() -> HealthCheckVerifier.builder().url("ftp://host/health"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("url")
                .hasMessageContaining("ftp://host/health");
        assertThatThrownBy(() -> HealthCheckVerifier.builder().url("/api/health"))
                .hasMessageContaining("url");
        assertThatThrownBy(() -> HealthCheckVerifier.builder().url("https://admin:hunter2secret@host/health"))
                .hasMessageContaining("user info")
                .hasMessageNotContaining("hunter2secret");
        assertThatThrownBy(() -> HealthCheckVerifier.builder().timeout(Duration.ZERO))
                .hasMessageContaining("timeout")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> HealthCheckVerifier.builder().timeout(Duration.ofMinutes(6)))
                .hasMessageContaining("PT6M");
        assertThatThrownBy(() -> HealthCheckVerifier.builder().expectedStatus(99))
                .hasMessageContaining("expectedStatus")
                .hasMessageContaining("99");
        assertThat(HealthCheckVerifier.builder()
                        .url("https://advisoros.com/api/health")
                        .build()
                        .url()
                        .getHost())
                .isEqualTo("advisoros.com");
    }

    @Test
    void aUrlIsRequiredAtBuild() {
        assertThatThrownBy(() -> HealthCheckVerifier.builder().build()).hasMessageContaining("url");
    }
}
