package dev.rollback.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.rollback.core.notification.WebhookNotifier;
import dev.rollback.http.HealthCheckVerifier;
import java.net.URI;
import java.time.Duration;
import java.util.List;

/** Test helpers: one WireMock server for a test class, standing in for backup endpoints and a notification webhook. */
final class Endpoints implements AutoCloseable {
    private final WireMockServer server;

    Endpoints() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    WireMockServer server() {
        return server;
    }

    /** GET {@code path} answers {@code status}. */
    Endpoints health(String path, int status) {
        server.stubFor(get(urlEqualTo(path))
                .willReturn(aResponse().withStatus(status).withBody("{\"status\":\"" + status + "\"}")));
        return this;
    }

    /** POST {@code path} accepts notifications. */
    Endpoints webhook(String path) {
        server.stubFor(post(urlEqualTo(path)).willReturn(aResponse().withStatus(202)));
        return this;
    }

    HealthCheckVerifier verifier(String name, String path) {
        return HealthCheckVerifier.builder()
                .name(name)
                .url(server.baseUrl() + path)
                .timeout(Duration.ofSeconds(2))
                .build();
    }

    WebhookNotifier notifier(String name, String path) {
        return WebhookNotifier.custom()
                .name(name)
                .endpoint(URI.create(server.baseUrl() + path))
                .requestTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** The requests made to {@code path}. */
    List<LoggedRequest> requests(String path) {
        return server.findAll(com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(urlEqualTo(path)));
    }

    @Override
    public void close() {
        server.stop();
    }
}
