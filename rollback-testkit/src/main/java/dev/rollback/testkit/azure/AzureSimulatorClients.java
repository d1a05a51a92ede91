package dev.rollback.testkit.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.netty.NettyAsyncHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLException;
import reactor.core.publisher.Mono;

/**
 * Real Azure SDK for Java clients wired to an {@link AzureControlPlaneSimulator}: the one place of
 * the testkit that uses Azure SDK types, so that the SDK stays an optional dependency. A test that
 * calls it needs {@code com.azure.resourcemanager:azure-resourcemanager},
 * {@code azure-resourcemanager-postgresqlflexibleserver} and {@code com.azure:azure-core-http-netty}
 * (which {@code azure-identity} brings) on its classpath.
 *
 * <p>The clients take the production path: a custom {@link AzureEnvironment} whose Resource
 * Manager endpoint is the simulator, HTTPS through Netty trusting only the simulator's
 * certificate, and the bearer-token policy fed by a fake {@link TokenCredential} that returns
 * {@value #ACCESS_TOKEN} (never calling Entra ID). For speed they retry at most
 * {@value #MAX_RETRIES} times after {@link #RETRY_DELAY} (still honouring {@code Retry-After}) and
 * poll long-running operations every {@link #POLL_INTERVAL}.
 *
 * <p>{@link #resourceManager} sets the fluent libraries' poll interval JVM-wide (their only hook is
 * static): every {@code AzureResourceManager} in the JVM then polls every {@link #POLL_INTERVAL}
 * when the server sends no positive {@code Retry-After}. Meant for test JVMs only. Stateless and
 * thread-safe.
 */
public final class AzureSimulatorClients {

    /** The tenant the clients' profile names; no request uses it. */
    public static final String TENANT_ID = "9c8e4f1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b";
    /** The bearer token the fake credential returns: {@code Authorization: Bearer } and this. */
    public static final String ACCESS_TOKEN = "rollback-simulator-token";
    /** How often the clients poll a long-running operation that sends no positive Retry-After. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    /** How many times the clients retry a failed request (429, 5xx but 501/505, I/O errors). */
    public static final int MAX_RETRIES = 3;
    /** The delay before a retry when the answer has no Retry-After. */
    public static final Duration RETRY_DELAY = Duration.ofMillis(10);

    private AzureSimulatorClients() {}

    /**
     * An {@code AzureResourceManager} (web apps, Redis, storage and the rest) on the simulator's
     * subscription. Sets the JVM-wide poll interval of the fluent libraries, see the class comment.
     *
     * @param simulator the running simulator
     * @return the client
     */
    public static AzureResourceManager resourceManager(AzureControlPlaneSimulator simulator) {
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(delay -> POLL_INTERVAL);
        return AzureResourceManager.configure()
                .withHttpClient(httpClient(simulator))
                .withRetryOptions(retryOptions())
                .authenticate(credential(), profile(simulator))
                .withSubscription(simulator.subscriptionId());
    }

    /**
     * An {@code AzureResourceManager} as {@link #resourceManager(AzureControlPlaneSimulator)} builds
     * it, but retrying with {@code retryPolicy} in its pipeline's retry slot (for example Rollback's
     * {@code DeadlineAwareRetryPolicy}, which the Azure providers require) instead of
     * {@link #retryOptions()}.
     *
     * @param simulator the running simulator
     * @param retryPolicy the retry policy
     * @return the client
     */
    public static AzureResourceManager resourceManager(AzureControlPlaneSimulator simulator, RetryPolicy retryPolicy) {
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(delay -> POLL_INTERVAL);
        return AzureResourceManager.configure()
                .withHttpClient(httpClient(simulator))
                .withRetryPolicy(retryPolicy)
                .authenticate(credential(), profile(simulator))
                .withSubscription(simulator.subscriptionId());
    }

    /**
     * An {@code AzureResourceManager} as {@link #resourceManager(AzureControlPlaneSimulator, RetryPolicy)}
     * builds it, but authenticated by {@code credential} (for example a
     * {@link #clientSecretCredential} against the simulator's token endpoint) instead of the fake
     * credential.
     *
     * @param simulator the running simulator
     * @param retryPolicy the retry policy
     * @param credential the credential the bearer-token policy asks
     * @return the client
     */
    public static AzureResourceManager resourceManager(
            AzureControlPlaneSimulator simulator, RetryPolicy retryPolicy, TokenCredential credential) {
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(credential, "credential");
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(delay -> POLL_INTERVAL);
        return AzureResourceManager.configure()
                .withHttpClient(httpClient(simulator))
                .withRetryPolicy(retryPolicy)
                .authenticate(credential, profile(simulator))
                .withSubscription(simulator.subscriptionId());
    }

    /**
     * A {@code PostgreSqlManager} (flexible servers) on the simulator's subscription.
     *
     * @param simulator the running simulator
     * @return the client
     */
    public static PostgreSqlManager postgreSqlManager(AzureControlPlaneSimulator simulator) {
        return PostgreSqlManager.configure()
                .withHttpClient(httpClient(simulator))
                .withRetryOptions(retryOptions())
                .withDefaultPollInterval(POLL_INTERVAL)
                .authenticate(credential(), profile(simulator));
    }

    /**
     * A {@code PostgreSqlManager} as {@link #postgreSqlManager(AzureControlPlaneSimulator)} builds
     * it, but retrying with {@code retryPolicy} instead of {@link #retryOptions()}.
     *
     * @param simulator the running simulator
     * @param retryPolicy the retry policy
     * @return the client
     */
    public static PostgreSqlManager postgreSqlManager(AzureControlPlaneSimulator simulator, RetryPolicy retryPolicy) {
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        return PostgreSqlManager.configure()
                .withHttpClient(httpClient(simulator))
                .withRetryPolicy(retryPolicy)
                .withDefaultPollInterval(POLL_INTERVAL)
                .authenticate(credential(), profile(simulator));
    }

    /**
     * The profile: the simulator as the Resource Manager endpoint (and as the management endpoint,
     * from which the token scope {@code <endpoint>/.default} is made), its subscription,
     * {@link #TENANT_ID}.
     *
     * @param simulator the running simulator
     * @return the profile
     */
    public static AzureProfile profile(AzureControlPlaneSimulator simulator) {
        Objects.requireNonNull(simulator, "simulator");
        String endpoint = simulator.baseUrl() + "/";
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        endpoints.put("resourceManagerEndpointUrl", endpoint);
        endpoints.put("managementEndpointUrl", endpoint);
        return new AzureProfile(TENANT_ID, simulator.subscriptionId(), new AzureEnvironment(endpoints));
    }

    /**
     * A credential that returns {@value #ACCESS_TOKEN}, valid for an hour, for any scope.
     *
     * @return the credential
     */
    public static TokenCredential credential() {
        return request ->
                Mono.just(new AccessToken(ACCESS_TOKEN, OffsetDateTime.now().plusHours(1)));
    }

    /**
     * A real azure-identity {@code ClientSecretCredential} whose authority host is the simulator
     * (instance discovery off, retries off, the simulator's certificate trusted): it asks
     * {@link AzureControlPlaneSimulator#entraId()} for tokens in tenant {@link #TENANT_ID}. Needs
     * {@code com.azure:azure-identity} on the test class path (optional in the testkit).
     *
     * @param simulator the running simulator
     * @param clientId the application (client) id
     * @param clientSecret the client secret sent to the token endpoint
     * @return the credential
     */
    public static TokenCredential clientSecretCredential(
            AzureControlPlaneSimulator simulator, String clientId, String clientSecret) {
        Objects.requireNonNull(simulator, "simulator");
        return new ClientSecretCredentialBuilder()
                .tenantId(TENANT_ID)
                .clientId(Objects.requireNonNull(clientId, "clientId"))
                .clientSecret(Objects.requireNonNull(clientSecret, "clientSecret"))
                .authorityHost(simulator.baseUrl() + "/")
                .disableInstanceDiscovery()
                .maxRetry(0)
                .httpClient(httpClient(simulator))
                .build();
    }

    /**
     * A Netty HTTP client that trusts the simulator's certificate (and no other), host name
     * verification on.
     *
     * @param simulator the running simulator
     * @return the client
     */
    public static HttpClient httpClient(AzureControlPlaneSimulator simulator) {
        Objects.requireNonNull(simulator, "simulator");
        SslContext ssl;
        try {
            ssl = SslContextBuilder.forClient()
                    .trustManager(simulator.certificate())
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("could not trust the Azure simulator's certificate", e);
        }
        return new NettyAsyncHttpClientBuilder(
                        reactor.netty.http.client.HttpClient.create().secure(spec -> spec.sslContext(ssl)))
                .build();
    }

    /**
     * Retry options for tests: {@value #MAX_RETRIES} retries, {@link #RETRY_DELAY} apart unless the
     * answer says {@code Retry-After} (both its seconds and HTTP-date forms are honoured).
     *
     * @return the options
     */
    public static RetryOptions retryOptions() {
        return new RetryOptions(new FixedDelayOptions(MAX_RETRIES, RETRY_DELAY));
    }
}
