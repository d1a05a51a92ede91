package dev.rollback.core.notification;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.rollback.core.incident.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.Secret;
import dev.rollback.api.Severity;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.incident.Fixtures;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Fault tests for the webhook notifier behind the dispatcher: each injects a real HTTP failure with
 * WireMock (a 5xx, a slow answer past the timeout, a reset connection, a refusal) and checks that
 * the delivery is retried with exponential backoff, recorded attempt by attempt, never leaks the
 * endpoint's token, and never blocks the caller.
 */
class WebhookNotifierTest {
    private static final String TOKEN_PATH = "/hooks/T0K3N-path-s3cr3t";
    private static final String QUERY_TOKEN = "q-t0ken-abcdef";

    private WireMockServer server;
    private ManualClock clock;
    private NotificationDispatcher dispatcher;

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        clock = ManualClock.startingAt(T0.plus(Duration.ofMinutes(1)));
    }

    @AfterEach
    void stopServer() {
        if (dispatcher != null) {
            dispatcher.close();
        }
        server.stop();
    }

    private WebhookNotifier webhook(Duration requestTimeout) {
        return WebhookNotifier.custom()
                .name("ops")
                .endpoint(URI.create(server.baseUrl() + TOKEN_PATH + "?token=" + QUERY_TOKEN))
                .requestTimeout(requestTimeout)
                .bearerToken(Secret.of("bearer-s3cr3t-value"))
                .build();
    }

    private NotificationDispatcher dispatcherWith(Notifier notifier, int maxAttempts) {
        dispatcher = NotificationDispatcher.custom()
                .addNotifier(notifier)
                .clock(clock)
                .retry(RetrySettings.custom()
                        .maxAttempts(maxAttempts)
                        .initialBackoff(Duration.ofSeconds(1))
                        .multiplier(2)
                        .maxBackoff(Duration.ofSeconds(30))
                        .jitter(0)
                        .build())
                .build();
        return dispatcher;
    }

    private static Notification notification() {
        return new Notification(
                "INC-9",
                "technical-team",
                List.of("oncall@example.test"),
                Severity.SEV0,
                "[SEV0 Critical] incident INC-9",
                "checkout down",
                T0,
                T0.plus(Duration.ofMinutes(1)));
    }

    private NotificationDelivery deliver(Notifier notifier, int maxAttempts) throws Exception {
        return dispatcherWith(notifier, maxAttempts)
                .dispatch(notification())
                .get(30, TimeUnit.SECONDS)
                .get(0);
    }

    private static void assertNoSecretIn(NotificationDelivery delivery) {
        delivery.attempts()
                .forEach(a -> a.failure()
                        .ifPresent(f -> assertThat(f)
                                .doesNotContain("T0K3N")
                                .doesNotContain(QUERY_TOKEN)
                                .doesNotContain("bearer-s3cr3t-value")));
    }

    @Test
    void postsTheNotificationAsJsonWithItsTokenAndAnIdempotencyKey() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(204)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.notifier()).isEqualTo("webhook:ops");
        assertThat(delivery.latency()).contains(Duration.ofMinutes(1));
        server.verify(
                1,
                postRequestedFor(urlPathEqualTo(TOKEN_PATH))
                        .withQueryParam("token", equalTo(QUERY_TOKEN))
                        .withHeader("Content-Type", equalTo("application/json"))
                        .withHeader("Authorization", equalTo("Bearer bearer-s3cr3t-value"))
                        .withHeader("Idempotency-Key", matching("[0-9a-f-]{36}"))
                        .withRequestBody(equalToJson("""
                        {"incidentId":"INC-9","stakeholder":"technical-team","recipients":["oncall@example.test"],
                         "severity":"SEV0","severityLabel":"Critical","subject":"[SEV0 Critical] incident INC-9",
                         "body":"checkout down","incidentOpenedAt":"2026-03-02T09:00:00Z",
                         "createdAt":"2026-03-02T09:01:00Z"}""")));
    }

    @Test
    void a5xxIsRetriedWithExponentialBackoffAndEveryAttemptIsRecorded() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("second"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("flaky")
                .whenScenarioStateIs("second")
                .willReturn(aResponse().withStatus(500))
                .willSetStateTo("healthy"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("flaky")
                .whenScenarioStateIs("healthy")
                .willReturn(aResponse().withStatus(200)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 5);

        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.attempts()).hasSize(3);
        assertThat(delivery.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 503"));
        assertThat(delivery.attempts().get(1).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 500"));
        assertThat(delivery.attempts().get(2).failure()).isEmpty();
        // backoff 1 s, then 2 s, on the manual clock
        assertThat(Duration.between(
                        delivery.attempts().get(0).at(),
                        delivery.attempts().get(1).at()))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(Duration.between(
                        delivery.attempts().get(1).at(),
                        delivery.attempts().get(2).at()))
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(delivery.latency()).contains(Duration.ofMinutes(1).plusSeconds(3));
        assertNoSecretIn(delivery);
        server.verify(3, postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
    }

    @Test
    void anAnswerSlowerThanTheRequestTimeoutIsRetried() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("slow")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(200).withFixedDelay(3000))
                .willSetStateTo("fast"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("slow")
                .whenScenarioStateIs("fast")
                .willReturn(aResponse().withStatus(200)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofMillis(300)), 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.attempts()).hasSize(2);
        assertThat(delivery.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).containsIgnoringCase("timed out"));
        assertNoSecretIn(delivery);
    }

    @Test
    void aConnectionResetOnEveryAttemptIsRecordedAsFailedAfterTheLastAttempt() throws Exception {
        server.stubFor(
                post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 2);

        assertThat(delivery.delivered()).isFalse();
        assertThat(delivery.latency()).isEmpty();
        assertThat(delivery.attempts())
                .hasSize(2)
                .allSatisfy(a -> assertThat(a.failure()).isPresent());
        assertThat(delivery.attempts().get(0).failure().get())
                .contains("webhook:ops (http://localhost:" + server.port() + ") failed; caused by");
        assertThat(dispatcher.deliveries("INC-9")).containsExactly(delivery);
        assertThat(RollbackSuccessMetrics.notificationLatencies(dispatcher.deliveries()))
                .singleElement()
                .satisfies(l -> assertThat(l.latency()).isEmpty());
        assertNoSecretIn(delivery);
    }

    @Test
    void anEmptyReplyIsRetriedLikeAReset() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("empty")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("empty")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(202)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.attempts()).hasSize(2);
    }

    @Test
    void aRetryAfterOnA429IsHonoredInsteadOfTheBackoff() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("busy")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7"))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("busy")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(Duration.between(
                        delivery.attempts().get(0).at(),
                        delivery.attempts().get(1).at()))
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void aRetryAfterAsAnHttpDateCountsFromTheAnswersDateHeader() throws Exception {
        // The server's clock is far from ours: the wait is the difference of its two dates, 9 s.
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("date")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(503)
                        .withHeader("Date", "Tue, 01 Jan 2030 10:00:00 GMT")
                        .withHeader("Retry-After", "Tue, 01 Jan 2030 10:00:09 GMT"))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("date")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(Duration.between(
                        delivery.attempts().get(0).at(),
                        delivery.attempts().get(1).at()))
                .isEqualTo(Duration.ofSeconds(9));
    }

    @Test
    void aRetryAfterAsAnHttpDateWithoutADateHeaderCountsFromTheNotifiersClock() throws Exception {
        Instant retryAt = clock.instant().plusSeconds(12);
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("no-date")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader(
                                "Retry-After",
                                DateTimeFormatter.RFC_1123_DATE_TIME.format(retryAt.atOffset(ZoneOffset.UTC))))
                .willSetStateTo("ok"));
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH))
                .inScenario("no-date")
                .whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200)));
        WebhookNotifier notifier = WebhookNotifier.custom()
                .name("ops")
                .endpoint(URI.create(server.baseUrl() + TOKEN_PATH))
                .clock(clock)
                .build();

        NotificationDelivery delivery = deliver(notifier, 3);

        assertThat(delivery.delivered()).isTrue();
        assertThat(delivery.attempts().get(1).at()).isEqualTo(retryAt);
    }

    @Test
    void retryAfterReadsSecondsAndBothDateFormsAndIgnoresTheRest() {
        Instant now = Instant.parse("2030-01-01T10:00:00Z");
        assertThat(WebhookNotifier.retryAfter(" 120 ", Optional.empty(), now)).contains(Duration.ofMinutes(2));
        assertThat(WebhookNotifier.retryAfter("Tue, 01 Jan 2030 10:00:30 GMT", Optional.empty(), now))
                .contains(Duration.ofSeconds(30));
        assertThat(WebhookNotifier.retryAfter(
                        "Tue, 01 Jan 2030 10:00:30 GMT", Optional.of("Tue, 01 Jan 2030 10:00:25 GMT"), now))
                .contains(Duration.ofSeconds(5));
        assertThat(WebhookNotifier.retryAfter("Tue, 01 Jan 2030 09:59:00 GMT", Optional.empty(), now))
                .as("a date already past")
                .contains(Duration.ZERO);
        assertThat(WebhookNotifier.retryAfter("-5", Optional.empty(), now)).isEmpty();
        assertThat(WebhookNotifier.retryAfter("soon", Optional.empty(), now)).isEmpty();
    }

    @Test
    void aClientErrorIsARefusalAndIsNotRetried() throws Exception {
        server.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(aResponse().withStatus(400)));

        NotificationDelivery delivery = deliver(webhook(Duration.ofSeconds(5)), 5);

        assertThat(delivery.delivered()).isFalse();
        assertThat(delivery.attempts())
                .singleElement()
                .satisfies(a -> assertThat(a.failure())
                        .hasValueSatisfying(f -> assertThat(f).contains("HTTP 400")));
        server.verify(1, postRequestedFor(urlPathEqualTo(TOKEN_PATH)));
    }

    @Test
    void dispatchingNeverBlocksTheCaller() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Notifier stuck = new Notifier() {
            @Override
            public String name() {
                return "stuck";
            }

            @Override
            public void send(Notification n) throws InterruptedException {
                release.await();
            }
        };
        dispatcherWith(stuck, 1);

        CompletableFuture<List<NotificationDelivery>> pending = dispatcher.dispatch(notification());

        assertThat(pending).isNotDone();
        assertThat(dispatcher.deliveries()).isEmpty();
        release.countDown();
        assertThat(pending.get(10, TimeUnit.SECONDS))
                .singleElement()
                .satisfies(d -> assertThat(d.delivered()).isTrue());
    }

    @Test
    void aClosedDispatcherRecordsTheNotificationAsNotSentInsteadOfThrowing() throws Exception {
        Fixtures.RecordingNotifier recording = new Fixtures.RecordingNotifier();
        dispatcherWith(recording, 3).close();

        List<NotificationDelivery> result = dispatcher.dispatch(notification()).get(10, TimeUnit.SECONDS);

        assertThat(recording.sent()).isEmpty();
        assertThat(result).singleElement().satisfies(d -> {
            assertThat(d.delivered()).isFalse();
            assertThat(d.attempts().get(0).failure())
                    .hasValueSatisfying(f -> assertThat(f).startsWith("not sent"));
        });
        assertThat(dispatcher.deliveries()).containsExactlyElementsOf(result);
    }

    @Test
    void theEndpointIsValidatedAndNeverShownWhole() {
        WebhookNotifier notifier = webhook(Duration.ofSeconds(1));

        assertThat(notifier.toString())
                .isEqualTo("WebhookNotifier[webhook:ops, http://localhost:" + server.port() + "]");
        assertThatThrownBy(() -> WebhookNotifier.custom().endpoint(URI.create("ftp://h/x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("endpoint must be an absolute http or https URL");
        assertThatThrownBy(() -> WebhookNotifier.custom().requestTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout must be positive, but was PT0S");
    }
}
