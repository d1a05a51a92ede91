package dev.rollback.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.rollback.api.Verification;
import dev.rollback.testkit.TestStepContext;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The health verifier against a real HTTP server that answers well, badly, late or not at all. */
class HealthCheckVerifierIT {
    private static WireMockServer server;

    @BeforeAll
    static void start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        // One untimed-for request first: on a loaded machine the first answer of a cold JVM (HttpClient's and
        // Jetty's classes loading) can take longer than the 800 ms the tests below allow, and would be taken
        // for a slow server.
        HealthCheckVerifier.builder()
                .url(server.baseUrl() + "/warm-up")
                .timeout(Duration.ofSeconds(10))
                .build()
                .verify(TestStepContext.of("warm-up", Duration.ofSeconds(30)));
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
    }

    private Verification check(HealthCheckVerifier.Builder builder) {
        return builder.url(server.baseUrl() + "/api/health")
                .build()
                .verify(TestStepContext.of("health", Duration.ofSeconds(30)));
    }

    private Verification check() {
        return check(HealthCheckVerifier.builder().timeout(Duration.ofMillis(800)));
    }

    @Test
    void passesOn200() {
        server.stubFor(get("/api/health")
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ok\",\"version\":\"v41\"}")));
        Verification v = check();
        assertThat(v.passed()).as(v.observed()).isTrue();
        assertThat(v.observed()).startsWith("HTTP 200 in ");
        assertThat(v.details())
                .containsEntry("status", "200")
                .containsKey("elapsedMs")
                .hasEntrySatisfying("body", b -> assertThat(b).contains("v41"));
    }

    @Test
    void failsOn503WithTheStatusAsEvidence() {
        server.stubFor(get("/api/health").willReturn(aResponse().withStatus(503).withBody("down")));
        Verification v = check();
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).startsWith("HTTP 503");
        assertThat(v.details()).containsEntry("status", "503").containsEntry("body", "down");
    }

    @Test
    void failsOnAConnectionReset() {
        server.stubFor(get("/api/health").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        Verification v = check();
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).startsWith("no valid HTTP response");
        assertThat(v.details()).containsKey("error");
    }

    @Test
    void failsOnAMalformedChunk() {
        server.stubFor(
                get("/api/health").willReturn(aResponse().withStatus(200).withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        Verification v = check();
        assertThat(v.passed()).isFalse();
        assertThat(v.details()).containsKey("error");
    }

    @Test
    void failsOnRandomDataThenClose() {
        server.stubFor(get("/api/health").willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        Verification v = check();
        assertThat(v.passed()).isFalse();
        assertThat(v.details()).containsKey("error");
    }

    @Test
    void failsOnAnEmptyResponse() {
        server.stubFor(get("/api/health").willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)));
        assertThat(check().passed()).isFalse();
    }

    @Test
    void failsOnAResponseSlowerThanTheTimeout() {
        server.stubFor(get("/api/health")
                .willReturn(aResponse().withStatus(200).withBody("ok").withFixedDelay(2_000)));
        long started = System.nanoTime();
        Verification v = check(HealthCheckVerifier.builder().timeout(Duration.ofMillis(300)));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1_500));
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).contains("no complete response within 300 ms");
    }

    @Test
    void failsOnABodyDribbledSlowerThanTheTimeout() {
        server.stubFor(get("/api/health")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withBody("ok-ok-ok-ok-ok-ok")
                        .withChunkedDribbleDelay(6, 2_000)));
        Verification v = check(HealthCheckVerifier.builder().timeout(Duration.ofMillis(400)));
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).contains("no complete response within 400 ms");
    }

    @Test
    void a401SaysCredentialProblemWithoutTheCredential() {
        server.stubFor(get("/api/health")
                .willReturn(aResponse()
                        .withStatus(401)
                        .withHeader("WWW-Authenticate", "Bearer realm=\"x\"")
                        .withBody("token=eyJhbGciOiJSUzI1NiJ9.secretpart")));
        Verification v = check();
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).contains("credential problem");
        assertThat(v.toString()).doesNotContain("secretpart");
        server.stubFor(get("/api/health").willReturn(aResponse().withStatus(403)));
        assertThat(check().observed()).contains("HTTP 403: credential problem");
    }

    @Test
    void passesOnlyOnTheConfiguredStatusAndBody() {
        server.stubFor(get("/api/health").willReturn(aResponse().withStatus(200).withBody("version v42")));
        assertThat(check(HealthCheckVerifier.builder().expectedStatus(204)).passed())
                .isFalse();
        assertThat(check(HealthCheckVerifier.builder().expectedBody("v41")).passed())
                .isFalse();
        assertThat(check(HealthCheckVerifier.builder().expectedBody("v42")).passed())
                .isTrue();
    }

    @Test
    void aRefusedConnectionFailsWithEvidence() {
        int port = server.port();
        Verification v = HealthCheckVerifier.builder()
                .url("http://127.0.0.1:1/api/health")
                .timeout(Duration.ofSeconds(2))
                .build()
                .verify(TestStepContext.of("health", Duration.ofSeconds(30)));
        assertThat(port).isPositive();
        assertThat(v.passed()).isFalse();
        assertThat(v.observed()).startsWith("no valid HTTP response");
    }
}
