package dev.rollback.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.Verification;
import dev.rollback.testkit.TestStepContext;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A health endpoint that answers with a huge body: only the first 64 KiB are read. */
class HealthCheckBoundedBodyIT {
    private static WireMockServer server;

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    private Verification check(String expected) {
        return HealthCheckVerifier.builder()
                .url(server.baseUrl() + "/api/health")
                .timeout(Duration.ofSeconds(10))
                .expectedBody(expected)
                .build()
                .verify(TestStepContext.of("health", Duration.ofSeconds(30)));
    }

    @Test
    void readsOnlyTheFirst64KibOfAHugeBody() {
        String head = "{\"status\":\"ok\"}";
        String huge = head + "x".repeat(4 * 1024 * 1024) + "TAIL-MARKER";
        server.stubFor(get("/api/health").willReturn(aResponse().withStatus(200).withBody(huge)));

        Verification ok = check("\"status\":\"ok\"");
        assertThat(ok.passed()).isTrue();
        assertThat(ok.details().get("body")).hasSizeLessThanOrEqualTo(210);

        Verification tail = check("TAIL-MARKER");
        assertThat(tail.passed())
                .as("text past the first 64 KiB is never read, so it cannot be found")
                .isFalse();
        assertThat(tail.observed()).contains("does not contain the expected text");
    }
}
