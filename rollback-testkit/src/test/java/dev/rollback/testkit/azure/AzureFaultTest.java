package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AzureFaultTest {

    @Test
    void statusFaultsAreNamedAfterTheirArmErrorCode() {
        assertThat(AzureFault.status(503).code()).isEqualTo("ServiceUnavailable");
        assertThat(AzureFault.status(401).code()).isEqualTo("AuthenticationFailed");
        assertThat(AzureFault.status(418).code()).isEqualTo("Error");
        assertThat(AzureFault.tooManyRequests(Duration.ofSeconds(2)).statusCode())
                .isEqualTo(429);
    }

    @Test
    void refusesWhatAzureCouldNotSendAndNamesTheValue() {
        assertThatThrownBy(() -> AzureFault.status(302))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("302");
        assertThatThrownBy(() -> AzureFault.tooManyRequests(Duration.ofMillis(1500)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT1.5S");
        assertThatThrownBy(() -> AzureFault.tooManyRequestsUntilDate(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> AzureFault.slowResponse(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> AzureFault.connectionReset().times(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("times");
    }

    @Test
    void timesReturnsACopyAndLeavesTheOriginalAtOne() {
        AzureFault once = AzureFault.network(Fault.EMPTY_RESPONSE);
        AzureFault thrice = once.times(3);

        assertThat(once.count()).isOne();
        assertThat(thrice.count()).isEqualTo(3);
        assertThat(thrice).hasToString("EMPTY_RESPONSE (3x)");
        assertThat(AzureFault.tooManyRequestsUntilDate(Duration.ofSeconds(2)))
                .hasToString("HTTP 429, Retry-After 2 s as HTTP-date (1x)");
    }

    @Test
    void throttlingAsksToWaitInEachOfItsFormsAndRefusesAWaitFinerThanItsForm() {
        assertThat(AzureFault.tooManyRequests(Duration.ofMillis(2500), AzureFault.RetryAfterForm.RETRY_AFTER_MS))
                .hasToString("HTTP 429, retry-after-ms 2500 (1x)");
        assertThat(AzureFault.throttled(503, Duration.ofSeconds(3), AzureFault.RetryAfterForm.X_MS_RETRY_AFTER_MS))
                .hasToString("HTTP 503, x-ms-retry-after-ms 3000 (1x)");
        assertThat(AzureFault.tooManyRequests(Duration.ofSeconds(2), AzureFault.RetryAfterForm.SECONDS))
                .hasToString("HTTP 429, Retry-After 2 s (1x)");
        assertThatThrownBy(() -> AzureFault.tooManyRequests(
                        Duration.ofNanos(1_500_000), AzureFault.RetryAfterForm.RETRY_AFTER_MS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole milliseconds");
        assertThatThrownBy(() -> AzureFault.throttled(500, Duration.ZERO, AzureFault.RetryAfterForm.SECONDS))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("429 or 503, was 500");
    }
}
