package dev.rollback.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void readsSecondsAnHttpDateAndBothMillisecondHeaders() {
        assertThat(RetryAfter.of(new HttpHeaders().set(HttpHeaderName.fromString("Retry-After"), "120"), NOW))
                .contains(new RetryAfter(Duration.ofMinutes(2), "Retry-After", "120"));
        assertThat(RetryAfter.of(
                        new HttpHeaders()
                                .set(HttpHeaderName.fromString("Retry-After"), "Wed, 25 Nov 2026 12:01:30 GMT"),
                        NOW))
                .hasValueSatisfying(r -> {
                    assertThat(r.delay()).isEqualTo(Duration.ofSeconds(90));
                    assertThat(r.asked()).isEqualTo("Retry-After: Wed, 25 Nov 2026 12:01:30 GMT");
                });
        assertThat(RetryAfter.of(new HttpHeaders().set(HttpHeaderName.fromString("retry-after-ms"), "2500"), NOW))
                .contains(new RetryAfter(Duration.ofMillis(2500), "retry-after-ms", "2500"));
        assertThat(RetryAfter.of(new HttpHeaders().set(HttpHeaderName.fromString("x-ms-retry-after-ms"), "40"), NOW))
                .contains(new RetryAfter(Duration.ofMillis(40), "x-ms-retry-after-ms", "40"));
    }

    @Test
    void prefersTheMillisecondHeadersAsAzureCoreDoes() {
        HttpHeaders both = new HttpHeaders()
                .set(HttpHeaderName.fromString("Retry-After"), "3600")
                .set(HttpHeaderName.fromString("retry-after-ms"), "250");
        assertThat(RetryAfter.of(both, NOW).map(RetryAfter::delay)).contains(Duration.ofMillis(250));
    }

    @Test
    void aDateInThePastIsNoWaitAndWhatDoesNotParseIsNone() {
        assertThat(RetryAfter.of(
                                new HttpHeaders()
                                        .set(HttpHeaderName.fromString("Retry-After"), "Wed, 25 Nov 2026 11:00:00 GMT"),
                                NOW)
                        .map(RetryAfter::delay))
                .contains(Duration.ZERO);
        assertThat(RetryAfter.of(new HttpHeaders().set(HttpHeaderName.fromString("Retry-After"), "soon"), NOW))
                .isEmpty();
        assertThat(RetryAfter.of(new HttpHeaders().set(HttpHeaderName.fromString("Retry-After"), "-5"), NOW))
                .isEmpty();
        assertThat(RetryAfter.of(
                                new HttpHeaders()
                                        .set(HttpHeaderName.fromString("retry-after-ms"), "x")
                                        .set(HttpHeaderName.fromString("Retry-After"), "7"),
                                NOW)
                        .map(RetryAfter::delay))
                .as("a bad millisecond header falls through to Retry-After")
                .contains(Duration.ofSeconds(7));
        assertThat(RetryAfter.of(new HttpHeaders(), NOW)).isEmpty();
        assertThat(RetryAfter.of(null, NOW)).isEmpty();
    }
}
