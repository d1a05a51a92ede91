package dev.rollback.testkit.azure;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The simulator's Microsoft Entra ID token endpoint, {@code POST /{tenant}/oauth2/v2.0/token}: what
 * azure-identity's {@code ClientSecretCredential} calls when its authority host is the simulator
 * ({@link AzureSimulatorClients#clientSecretCredential}) and instance discovery is off. It answers
 * the client-credentials grant with the access token and lifetime the test chose
 * ({@link #issues(String, Duration)}), or refuses it the way Entra ID refuses a wrong client secret,
 * optionally echoing the secret the client sent in the error description
 * ({@link #refusesEchoingTheSecret()}), as a careless or hostile endpoint might, so that a test can
 * prove the secret never leaves through the SDK's exception. It does not check the client's secret.
 *
 * <p>Thread-safe: state and requests share one lock.
 */
public final class SimulatedEntraId {
    /** The access token issued until a test chooses one. */
    public static final String DEFAULT_ACCESS_TOKEN = "rollback-simulated-entra-token";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A token request the endpoint received (never the client secret).
     *
     * @param tenant the tenant in the path
     * @param clientId the {@code client_id} form field
     * @param scope the {@code scope} form field
     */
    public record TokenRequest(String tenant, String clientId, String scope) {}

    private final Object lock = new Object();
    private final List<TokenRequest> requests = new ArrayList<>();
    private String accessToken = DEFAULT_ACCESS_TOKEN;
    private Duration expiresIn = Duration.ofHours(1);
    private boolean refuse;

    SimulatedEntraId() {}

    /**
     * From now on, every token request gets {@code accessToken}, valid for {@code expiresIn}
     * ({@code expires_in} in whole seconds, zero allowed: a token already due for refresh).
     *
     * @param accessToken the token to issue, not blank
     * @param expiresIn its lifetime, zero or more
     * @return this
     */
    public SimulatedEntraId issues(String accessToken, Duration expiresIn) {
        Objects.requireNonNull(accessToken, "accessToken");
        Objects.requireNonNull(expiresIn, "expiresIn");
        if (accessToken.isBlank() || expiresIn.isNegative()) {
            throw new IllegalArgumentException("accessToken must not be blank and expiresIn not negative");
        }
        synchronized (lock) {
            this.accessToken = accessToken;
            this.expiresIn = expiresIn;
            this.refuse = false;
        }
        return this;
    }

    /**
     * From now on, every token request is refused with 401 {@code invalid_client}, and the error
     * description quotes the {@code client_secret} the client sent, decoded.
     *
     * @return this
     */
    public SimulatedEntraId refusesEchoingTheSecret() {
        synchronized (lock) {
            this.refuse = true;
        }
        return this;
    }

    /**
     * The token requests received so far, oldest first.
     *
     * @return a snapshot
     */
    public List<TokenRequest> tokenRequests() {
        synchronized (lock) {
            return List.copyOf(requests);
        }
    }

    ResponseDefinition answer(String tenant, String body) {
        Map<String, String> form = form(body);
        synchronized (lock) {
            requests.add(new TokenRequest(tenant, form.getOrDefault("client_id", ""), form.getOrDefault("scope", "")));
            ObjectNode json = JSON.createObjectNode();
            if (refuse) {
                json.put("error", "invalid_client");
                json.put(
                        "error_description",
                        "AADSTS7000215: Invalid client secret provided: '" + form.getOrDefault("client_secret", "")
                                + "'. Trace ID: 00000000-0000-0000-0000-000000000000");
                json.putArray("error_codes").add(7000215);
                return ResponseDefinitionBuilder.responseDefinition()
                        .withStatus(401)
                        .withHeader("Content-Type", "application/json; charset=utf-8")
                        .withBody(json.toString())
                        .build();
            }
            json.put("token_type", "Bearer");
            json.put("expires_in", expiresIn.toSeconds());
            json.put("ext_expires_in", expiresIn.toSeconds());
            json.put("access_token", accessToken);
            return ResponseDefinitionBuilder.responseDefinition()
                    .withStatus(200)
                    .withHeader("Content-Type", "application/json; charset=utf-8")
                    .withBody(json.toString())
                    .build();
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    /** The WireMock extension that hands the token stub's requests to {@link SimulatedEntraId}. */
    static final class Responder implements ResponseDefinitionTransformerV2 {
        static final String NAME = "rollback-entra-token";
        private final SimulatedEntraId entraId;

        Responder(SimulatedEntraId entraId) {
            this.entraId = entraId;
        }

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            return entraId.answer(
                    serveEvent.getRequest().getPathParameters().getOrDefault("tenant", ""),
                    serveEvent.getRequest().getBodyAsString());
        }
    }
}
