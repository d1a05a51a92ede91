package dev.rollback.core.notification;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.rollback.api.Secret;
import dev.rollback.api.Severity;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.clock.ManualClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook's transport rules and its HMAC signature, checked by a receiver the way the javadoc says. */
class WebhookSigningTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final Secret KEY = Secret.of("signing-key-0123456789abcdef");

    private WireMockServer server;

    @BeforeEach
    void start() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        server.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(204)));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    @Test
    void aTokenOrASigningKeyNeedsHttpsUnlessTheEndpointIsLoopback() {
        assertThatThrownBy(() -> WebhookNotifier.custom()
                        .name("ops")
                        .endpoint(URI.create("http://hooks.example.com/x"))
                        .bearerToken(Secret.of("bearer-token-value"))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint must be https when a bearerToken or signingKey is configured")
                .hasMessageContaining("http://hooks.example.com")
                .hasMessageNotContaining("bearer-token-value");
        assertThatThrownBy(() -> WebhookNotifier.custom()
                        .name("ops")
                        .endpoint(URI.create("http://hooks.example.com/x"))
                        .signingKey(KEY)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(WebhookNotifier.custom()
                        .name("ops")
                        .endpoint(URI.create("https://hooks.example.com/x"))
                        .bearerToken(Secret.of("bearer-token-value"))
                        .build())
                .isNotNull();
        assertThat(WebhookNotifier.custom()
                        .name("ops")
                        .endpoint(URI.create("http://hooks.example.com/x"))
                        .build())
                .as("no credential: http is allowed")
                .isNotNull();
        assertThatThrownBy(() -> WebhookNotifier.custom().signingKey(Secret.of("short-key")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("signingKey must be at least 16 characters");
    }

    @Test
    void everyRequestIsSignedOverTheTimestampAndTheExactBodyAndARedactedSubject() throws Exception {
        ManualClock clock = new ManualClock(T0);
        String leaked = "notify-canary-" + System.nanoTime();
        Secret.of(leaked);
        WebhookNotifier notifier = WebhookNotifier.custom()
                .name("ops")
                .endpoint(URI.create(server.baseUrl() + "/hook"))
                .signingKey(KEY)
                .clock(clock)
                .build();
        notifier.send(new Notification(
                "INC-1",
                "engineering",
                List.of("oncall@example.com"),
                Severity.SEV1,
                "login failed with " + leaked,
                "body password=" + leaked,
                T0,
                T0));

        LoggedRequest request = server.getAllServeEvents().get(0).getRequest();
        byte[] body = request.getBody();
        String timestamp = request.getHeader(WebhookNotifier.TIMESTAMP_HEADER);
        String signature = request.getHeader(WebhookNotifier.SIGNATURE_HEADER);
        assertThat(timestamp).isEqualTo(Long.toString(T0.getEpochSecond()));
        assertThat(signature).matches("v1=[0-9a-f]{64}");
        assertThat(new String(body, StandardCharsets.UTF_8))
                .doesNotContain(leaked)
                .contains("***");

        assertThat(WebhookNotifier.signatureValid(KEY, timestamp, body, signature, T0.plusSeconds(30)))
                .isTrue();
        byte[] tampered = Arrays.copyOf(body, body.length);
        tampered[tampered.length - 2] ^= 1;
        assertThat(WebhookNotifier.signatureValid(KEY, timestamp, tampered, signature, T0.plusSeconds(30)))
                .as("a changed body")
                .isFalse();
        assertThat(WebhookNotifier.signatureValid(
                        KEY,
                        timestamp,
                        body,
                        signature,
                        T0.plus(WebhookNotifier.REPLAY_WINDOW).plusSeconds(1)))
                .as("a replay after the window")
                .isFalse();
        assertThat(WebhookNotifier.signatureValid(
                        KEY, Long.toString(T0.getEpochSecond() + 1), body, signature, T0.plusSeconds(30)))
                .as("a changed timestamp")
                .isFalse();
        assertThat(WebhookNotifier.signatureValid(
                        Secret.of("another-key-0123456789"), timestamp, body, signature, T0.plusSeconds(30)))
                .isFalse();
        assertThat(Duration.ofMinutes(5)).isEqualTo(WebhookNotifier.REPLAY_WINDOW);
    }
}
