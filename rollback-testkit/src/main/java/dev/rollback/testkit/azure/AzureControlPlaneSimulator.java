package dev.rollback.testkit.azure;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathTemplate;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.common.ConsoleNotifier;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestServer;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.FreePorts;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stateful simulator of Azure Resource Manager on WireMock, for the real Azure SDK for Java
 * management clients: web apps with deployment slots (state, traffic routing, slot swap), Azure
 * Cache for Redis (state, force reboot), geo-redundant storage accounts (geo-replication stats,
 * failover), PostgreSQL flexible servers (point-in-time restore) and Azure CDN / Front Door endpoints
 * (content purge).
 *
 * <pre>{@code
 * try (AzureControlPlaneSimulator azure = AzureControlPlaneSimulator.builder().start()) {
 *   azure.webApp("rg", "shop").serving("v42").slot("staging").serving("v41");
 *   AzureResourceManager arm = AzureSimulatorClients.resourceManager(azure);
 *   arm.webApps().getByResourceGroup("rg", "shop").deploymentSlots().getByName("staging").swap("production");
 *   assertThat(azure.webApp("rg", "shop").production().content()).contains("v41");
 * }
 * }</pre>
 *
 * <p>It serves HTTPS on a free loopback port with a self-signed certificate
 * ({@link #certificate()}) and answers every {@link AzureOperation} from Java objects through a
 * WireMock extension; anything else gets WireMock's 404. Resources are seeded and inspected through
 * {@link #webApp}, {@link #redisCache}, {@link #storageAccount} and {@link #flexibleServer};
 * faults are injected per operation with {@link #inject}; every request is kept in WireMock's
 * journal and read with {@link #requests()}. Long-running operations answer 202 with an
 * {@code Azure-AsyncOperation} or {@code Location} URL, report "in progress" to
 * {@link Builder#inProgressPolls(int)} polls and complete on the next, taking effect only then.
 * The simulator does not check the bearer token: assert it from the journal.
 *
 * <p>A {@link TestServer}: {@link #stop()} makes the control plane unreachable (connection
 * refused) and {@link #start()} brings it back on the same port with every resource, operation and
 * journal entry kept; {@link #extension()} gives a test class one. Thread-safe: requests and the
 * seeding API share one lock.
 */
public final class AzureControlPlaneSimulator implements TestServer {

    /** The region of seeded resources unless they say otherwise. */
    static final String DEFAULT_LOCATION = "westeurope";

    /** The subscription the simulator serves unless {@link Builder#subscriptionId} says otherwise. */
    public static final String DEFAULT_SUBSCRIPTION_ID = "5f2c0b9e-5e3a-4a8e-9d1b-0c4f6e7a8b90";

    private final int port;
    private final WireMockServer server;
    private final SimulatedResources resources;
    private final ArmResponder responder;
    private final SimulatedEntraId entraId = new SimulatedEntraId();
    private boolean closed;

    private AzureControlPlaneSimulator(Builder builder) {
        this.resources = new SimulatedResources(builder.subscriptionId, builder.clock);
        this.responder = new ArmResponder(
                resources,
                new LongRunningOperations(
                        builder.subscriptionId, builder.clock, builder.inProgressPolls, builder.operationRetryAfter));
        SimulatorKeystore keystore = SimulatorKeystore.get();
        this.port = FreePorts.next();
        this.server = new WireMockServer(options()
                .bindAddress(SimulatorKeystore.HOST)
                .httpDisabled(true)
                .httpsPort(port)
                .keystorePath(keystore.path().toString())
                .keystoreType("PKCS12")
                .keystorePassword(keystore.password())
                .keyManagerPassword(keystore.password())
                .notifier(new ConsoleNotifier(false))
                .extensions(responder, new SimulatedEntraId.Responder(entraId)));
        for (AzureOperation operation : AzureOperation.values()) {
            MappingBuilder stub = request(operation.method(), urlPathTemplate(operation.pathTemplate()));
            operation.apiVersion().ifPresent(version -> stub.withQueryParam("api-version", equalTo(version)));
            server.stubFor(stub.withName(operation.name())
                    .willReturn(aResponse()
                            .withTransformers(ArmResponder.NAME)
                            .withTransformerParameter(ArmResponder.OPERATION, operation.name())));
        }
        server.stubFor(request("POST", urlPathTemplate("/{tenant}/oauth2/v2.0/token"))
                .withName("ENTRA_ID_TOKEN")
                .willReturn(aResponse().withTransformers(SimulatedEntraId.Responder.NAME)));
    }

    /**
     * A JUnit 5 extension that starts a simulator with the defaults for each test class and closes
     * it afterwards; a test that stopped it finds it running again in the next test.
     *
     * @return the extension, to register in a static field
     */
    public static ServerExtension<AzureControlPlaneSimulator> extension() {
        return ServerExtension.perClass(
                AzureControlPlaneSimulator.class, () -> builder().build());
    }

    /**
     * A builder for a simulator with other settings.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where the simulator listens: the Resource Manager endpoint to give the SDK.
     *
     * @return e.g. {@code https://127.0.0.1:43121}
     */
    public URI baseUrl() {
        return URI.create("https://" + SimulatorKeystore.HOST + ":" + port);
    }

    /**
     * The subscription the simulator serves; requests for any other get 404
     * {@code SubscriptionNotFound}.
     *
     * @return the subscription id
     */
    public String subscriptionId() {
        return resources.subscriptionId();
    }

    /**
     * The self-signed certificate the simulator serves, for a client to trust.
     *
     * @return the certificate, for {@code localhost} and {@code 127.0.0.1}
     */
    public X509Certificate certificate() {
        return SimulatorKeystore.get().certificate();
    }

    /**
     * The web app of that name, created (production slot running, serving nothing) if it does not
     * exist.
     *
     * @param resourceGroup the resource group
     * @param name the web app's name
     * @return the web app, to seed or inspect
     */
    public SimulatedWebApp webApp(String resourceGroup, String name) {
        return resources.webApp(requireName(resourceGroup, "resourceGroup"), requireName(name, "name"));
    }

    /**
     * The Redis cache of that name, created ({@code Succeeded}) if it does not exist.
     *
     * @param resourceGroup the resource group
     * @param name the cache's name
     * @return the cache, to seed or inspect
     */
    public SimulatedRedisCache redisCache(String resourceGroup, String name) {
        return resources.redisCache(requireName(resourceGroup, "resourceGroup"), requireName(name, "name"));
    }

    /**
     * The storage account of that name, created if it does not exist ({@code Standard_RAGRS},
     * {@code westeurope} replicated to {@code northeurope}, replication {@code Live}, last synced
     * now).
     *
     * @param resourceGroup the resource group
     * @param name the account's name
     * @return the account, to seed or inspect
     */
    public SimulatedStorageAccount storageAccount(String resourceGroup, String name) {
        return resources.storageAccount(requireName(resourceGroup, "resourceGroup"), requireName(name, "name"));
    }

    /**
     * The Microsoft Entra ID token endpoint this simulator also serves, {@code
     * POST /{tenant}/oauth2/v2.0/token} on {@link #baseUrl()}: the authority host of a credential
     * from {@link AzureSimulatorClients#clientSecretCredential}.
     *
     * @return the token endpoint, to choose what it issues and read what it was asked
     */
    public SimulatedEntraId entraId() {
        return entraId;
    }

    /**
     * The flexible server of that name, created ({@code Ready}, restorable from seven days ago) if
     * it does not exist.
     *
     * @param resourceGroup the resource group
     * @param name the server's name
     * @return the server, to seed or inspect
     */
    public SimulatedFlexibleServer flexibleServer(String resourceGroup, String name) {
        return resources.flexibleServer(requireName(resourceGroup, "resourceGroup"), requireName(name, "name"));
    }

    /**
     * The classic Azure CDN endpoint of that name in a CDN profile, created if it does not exist.
     *
     * @param resourceGroup the resource group
     * @param profile the CDN profile
     * @param name the endpoint's name
     * @return the endpoint, to seed or inspect (its completed purges)
     */
    public SimulatedCdnEndpoint cdnEndpoint(String resourceGroup, String profile, String name) {
        return resources.cdnEndpoint(
                requireName(resourceGroup, "resourceGroup"),
                requireName(profile, "profile"),
                requireName(name, "name"),
                false);
    }

    /**
     * The Azure Front Door Standard/Premium endpoint of that name in a Front Door profile, created if it
     * does not exist.
     *
     * @param resourceGroup the resource group
     * @param profile the Front Door profile
     * @param name the endpoint's name
     * @return the endpoint, to seed or inspect (its completed purges)
     */
    public SimulatedCdnEndpoint frontDoorEndpoint(String resourceGroup, String profile, String name) {
        return resources.cdnEndpoint(
                requireName(resourceGroup, "resourceGroup"),
                requireName(profile, "profile"),
                requireName(name, "name"),
                true);
    }

    /**
     * The flexible server of that name, if it exists: to check what a restore created without
     * creating it.
     *
     * @param resourceGroup the resource group
     * @param name the server's name
     * @return the server, or empty
     */
    public Optional<SimulatedFlexibleServer> findFlexibleServer(String resourceGroup, String name) {
        return resources.findFlexibleServer(resourceGroup, name);
    }

    /**
     * Injects a fault into the next requests of one operation. Faults of one operation apply in the
     * order they were injected, each {@link AzureFault#times(int)} times.
     *
     * @param operation the operation
     * @param fault the fault
     * @return this simulator
     * @throws IllegalArgumentException if the fault is {@link AzureFault#operationFailed} or
     *     {@link AzureFault#operationFailedAfterEffect} and the operation is not
     *     {@linkplain AzureOperation#longRunning() long-running}
     */
    public AzureControlPlaneSimulator inject(AzureOperation operation, AzureFault fault) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(fault, "fault");
        if (fault.kind().onOperation() && !operation.longRunning()) {
            throw new IllegalArgumentException(
                    "operationFailed applies to long-running operations only, not " + operation);
        }
        responder.inject(operation, fault);
        return this;
    }

    /** Removes the faults not applied yet. */
    public void clearFaults() {
        responder.clearFaults();
    }

    /**
     * The requests received so far, oldest first.
     *
     * @return a snapshot of WireMock's request journal
     */
    public RecordedRequests requests() {
        List<ServeEvent> events = server.getAllServeEvents();
        RecordedRequest[] requests = new RecordedRequest[events.size()];
        for (int i = 0; i < requests.length; i++) {
            requests[requests.length - 1 - i] = recorded(events.get(i));
        }
        return new RecordedRequests(Arrays.asList(requests));
    }

    /** Forgets the requests received so far. */
    public void resetRequests() {
        server.resetRequests();
    }

    /**
     * The WireMock server underneath, e.g. to add a stub for an operation the simulator does not
     * serve. Its stubs named after an {@link AzureOperation} belong to the simulator: leave them.
     *
     * @return the server
     */
    public WireMockServer wireMock() {
        return server;
    }

    /**
     * Starts serving, always on the port chosen when it was built. Does nothing if it runs.
     *
     * @throws IllegalStateException if it was closed, or the port was taken meanwhile
     */
    @Override
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the Azure control-plane simulator was closed");
        }
        if (server.isRunning()) {
            return;
        }
        try {
            server.start();
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "the Azure control-plane simulator could not listen on " + baseUrl() + ": " + e.getMessage(), e);
        }
    }

    /** Stops serving: clients get "connection refused". State is kept. Does nothing if stopped. */
    @Override
    public synchronized void stop() {
        if (server.isRunning()) {
            server.stop();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return server.isRunning();
    }

    /**
     * Stops serving for good. Idempotent. The certificate's keystore is shared by every simulator in
     * the JVM and deleted when the JVM exits.
     */
    @Override
    public synchronized void close() {
        closed = true;
        stop();
        Cleanup.unregister(this);
    }

    private static RecordedRequest recorded(ServeEvent event) {
        LoggedRequest request = event.getRequest();
        String url = request.getUrl();
        int query = url.indexOf('?');
        Map<String, List<String>> parameters = new HashMap<>();
        request.getQueryParams().forEach((name, values) -> parameters.put(name, List.copyOf(values.values())));
        Map<String, List<String>> headers = new HashMap<>();
        for (HttpHeader header : request.getHeaders().all()) {
            headers.put(header.key(), List.copyOf(header.values()));
        }
        Optional<AzureOperation> operation = Optional.ofNullable(event.getWasMatched() ? event.getStubMapping() : null)
                .map(StubMapping::getName)
                .flatMap(name -> Arrays.stream(AzureOperation.values())
                        .filter(o -> o.name().equals(name))
                        .findFirst());
        boolean faulted = event.getResponseDefinition() != null
                && event.getResponseDefinition().getFault() != null;
        int status =
                faulted || event.getResponse() == null ? 0 : event.getResponse().getStatus();
        return new RecordedRequest(
                request.getMethod().getName(),
                query < 0 ? url : url.substring(0, query),
                parameters,
                headers,
                request.getBodyAsString(),
                operation,
                status,
                request.getLoggedDate().toInstant());
    }

    private static String requireName(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.contains("/")) {
            throw new IllegalArgumentException(what + " must be a non-blank name without '/', was '" + value + "'");
        }
        return value;
    }

    /**
     * Settings of a simulator. Defaults: subscription {@link #DEFAULT_SUBSCRIPTION_ID}, the system
     * UTC clock, one "in progress" poll per long-running operation, {@code Retry-After: 0} on them.
     * Not thread-safe; reusable: each {@link #build()} makes a new simulator.
     */
    public static final class Builder {
        private String subscriptionId = DEFAULT_SUBSCRIPTION_ID;
        private Clock clock = Clock.systemUTC();
        private int inProgressPolls = 1;
        private Duration operationRetryAfter = Duration.ZERO;

        private Builder() {}

        /**
         * The subscription served.
         *
         * @param subscriptionId the id; {@link #DEFAULT_SUBSCRIPTION_ID} by default
         * @return this builder
         */
        public Builder subscriptionId(String subscriptionId) {
            this.subscriptionId = requireName(subscriptionId, "subscriptionId");
            return this;
        }

        /**
         * The clock that stamps swaps, failovers and operations and bounds restore windows ("now").
         *
         * @param clock the clock; the system UTC clock by default
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How many polls of a long-running operation answer "in progress" before the next completes it.
         *
         * @param polls 0 or more; 1 by default
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder inProgressPolls(int polls) {
            if (polls < 0) {
                throw new IllegalArgumentException("inProgressPolls must be 0 or more, was " + polls);
            }
            this.inProgressPolls = polls;
            return this;
        }

        /**
         * The {@code Retry-After} sent with 202s and "in progress" answers of long-running operations.
         * The SDK waits that long between polls when it is positive, and its own poll interval when it
         * is zero (which {@link AzureSimulatorClients} sets to 10 ms).
         *
         * @param retryAfter whole seconds, zero or more; zero by default
         * @return this builder
         * @throws IllegalArgumentException if negative or not whole seconds
         */
        public Builder operationRetryAfter(Duration retryAfter) {
            Objects.requireNonNull(retryAfter, "retryAfter");
            if (retryAfter.isNegative() || retryAfter.getNano() != 0) {
                throw new IllegalArgumentException(
                        "operationRetryAfter must be whole seconds, zero or more, was " + retryAfter);
            }
            this.operationRetryAfter = retryAfter;
            return this;
        }

        /**
         * Builds a simulator with these settings, not started yet, on a free loopback port it keeps.
         * It is closed at JVM exit if the test does not close it.
         *
         * @return the stopped simulator
         */
        public AzureControlPlaneSimulator build() {
            AzureControlPlaneSimulator simulator = new AzureControlPlaneSimulator(this);
            Cleanup.register(simulator);
            return simulator;
        }

        /**
         * Builds and starts a simulator with these settings.
         *
         * @return the running simulator; close it when done
         */
        public AzureControlPlaneSimulator start() {
            AzureControlPlaneSimulator simulator = build();
            simulator.start();
            return simulator;
        }
    }
}
