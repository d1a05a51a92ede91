package dev.rollback.testkit.contract;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.Secret;
import dev.rollback.api.spi.Notifier;
import dev.rollback.core.notification.WebhookNotifier;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link WebhookNotifier} keeps the {@link Notifier} contract, against a real HTTP receiver (WireMock). */
class WebhookNotifierContractTest extends NotifierContract {
    private static final String TOKEN_PATH = "/hooks/T0K3N-path-s3cr3t";
    private static final String QUERY_TOKEN = "q-t0ken-abcdef";
    private static final String BEARER = "bearer-s3cr3t-value";

    private WireMockServer server;

    @BeforeEach
    void startReceiver() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        answer(200);
    }

    @AfterEach
    void stopReceiver() {
        server.stop();
    }

    private void answer(int status) {
        server.resetMappings();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(status)));
    }

    @Override
    protected Notifier createNotifier() {
        return WebhookNotifier.custom()
                .name("ops")
                .endpoint(URI.create(server.baseUrl() + TOKEN_PATH + "?token=" + QUERY_TOKEN))
                .requestTimeout(Duration.ofSeconds(10))
                .bearerToken(Secret.of(BEARER))
                .build();
    }

    @Override
    protected Optional<Receiver> receiver() {
        return Optional.of(new Receiver() {
            @Override
            public int accepted(String incidentId) {
                return (int) server.getAllServeEvents().stream()
                        .filter(e -> e.getResponse().getStatus() / 100 == 2)
                        .filter(e -> e.getRequest().getBodyAsString().contains(incidentId))
                        .count();
            }

            @Override
            public void refuseTransiently() {
                answer(503);
            }

            @Override
            public void refusePermanently() {
                answer(400);
            }
        });
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(TOKEN_PATH, QUERY_TOKEN, BEARER);
    }
}
