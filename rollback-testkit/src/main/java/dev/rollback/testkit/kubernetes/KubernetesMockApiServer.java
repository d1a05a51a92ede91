package dev.rollback.testkit.kubernetes;

import dev.rollback.testkit.fault.FaultProxy;
import dev.rollback.testkit.internal.Cleanup;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A Kubernetes API server for tests: fabric8's {@code kubernetes-server-mock} in CRUD mode (objects
 * are stored, listed, watched, updated with resourceVersion checks, patched), on HTTPS with a
 * self-signed certificate, behind a {@link FaultProxy}, with what the mock lacks for rollback tests:
 *
 * <ul>
 *   <li>server-side apply ({@code PATCH} with {@code application/apply-patch+yaml}, which the CRUD
 *       mock answers 415): the manifest merged into the live object, the field manager recorded in
 *       {@code managedFields}, a change to a field another manager owns answered 409 unless forced;</li>
 *   <li>a {@link DeploymentController} that rolls Deployments out (ReplicaSets with revision
 *       annotations, replicas ready over time, stuck or failing rollouts on request);</li>
 *   <li>namespaces that must exist before anything is created in them (404, as the API server does);</li>
 *   <li>{@link KubernetesFault}s per request (a status, a concurrent write that makes an update 409, a
 *       connection reset before or after the request took effect) and a journal of the requests of
 *       the clients under test ({@link #requests()}).</li>
 * </ul>
 *
 * <pre>{@code
 * try (KubernetesMockApiServer k8s = KubernetesMockApiServer.start()) {
 *   k8s.createNamespace("prod");
 *   Path kubeconfig = k8s.writeKubeconfig(dir.resolve("config"), "token-123");  // the code under test reads it
 *   k8s.client().apps().deployments().inNamespace("prod").resource(deployment).create();
 *   k8s.controller().awaitRolledOut("prod", "web", Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Clients under test reach it through {@link #url()} (the proxy) with any bearer token (it checks
 * none; assert it from the requests if needed). {@link #client()} is the kit's own client, direct to
 * the server, for seeding and inspecting: its requests meet no fault and are not journaled. Gateway
 * API {@code HTTPRoute}s ({@code gateway.networking.k8s.io/v1}) are served too. Thread-safe; closed
 * at JVM exit if the test does not close it. Needs {@code io.fabric8:kubernetes-server-mock} on the
 * test class path (an optional dependency of the testkit).
 */
public final class KubernetesMockApiServer implements AutoCloseable {

    private final KubernetesMockServer server;
    private final MockApiDispatcher dispatcher;
    private final FaultProxy proxy;
    private final KubernetesClient client;
    private final DeploymentController controller;
    private final Path certificate;
    private boolean closed;

    private KubernetesMockApiServer(Clock clock) {
        this.dispatcher = new MockApiDispatcher(List.of(new CustomResourceDefinitionContext.Builder()
                .withGroup("gateway.networking.k8s.io")
                .withVersion("v1")
                .withKind("HTTPRoute")
                .withPlural("httproutes")
                .withScope("Namespaced")
                .build()));
        MockWebServer web = new MockWebServer();
        this.server = new KubernetesMockServer(new Context(kubernetesMapper()), web, new HashMap<>(), dispatcher, true);
        server.init(InetAddress.getLoopbackAddress(), 0);
        this.proxy = FaultProxy.start("127.0.0.1", server.getPort());
        dispatcher.onReset(proxy::resetConnections);
        this.certificate = Path.of(web.getSelfSignedCertificate().certificatePath());
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl("https://127.0.0.1:" + server.getPort() + "/")
                .withCaCertFile(certificate.toString())
                .withNamespace("default")
                .withHttp2Disable(true)
                .withRequestRetryBackoffLimit(0)
                .withCustomHeaders(Map.of(MockApiDispatcher.INTERNAL_HEADER, "internal"))
                .build();
        this.client = new KubernetesClientBuilder().withConfig(config).build();
        this.controller = new DeploymentController(client, clock);
        controller.start();
        Cleanup.register(this);
    }

    /**
     * Starts a server with the deployment controller running on the system clock.
     *
     * @return the running server; close it when done
     */
    public static KubernetesMockApiServer start() {
        return new KubernetesMockApiServer(Clock.systemUTC());
    }

    /**
     * Where clients under test connect: the fault proxy in front of the server.
     *
     * @return e.g. {@code https://127.0.0.1:40123}
     */
    public URI url() {
        return URI.create("https://127.0.0.1:" + proxy.port());
    }

    /**
     * The PEM file of the server's self-signed certificate (for {@code localhost} and
     * {@code 127.0.0.1}), which a client trusts as its cluster CA.
     *
     * @return the file, deleted at JVM exit
     */
    public Path certificateAuthority() {
        return certificate;
    }

    /**
     * Writes a kubeconfig for this server: one cluster ({@link #url()}, {@link #certificateAuthority()}),
     * one user with {@code token} as bearer token, one context ({@code rollback-test}, namespace
     * {@code default}) that is current. The file is readable by its owner only.
     *
     * @param file where to write it
     * @param token the bearer token the user presents (the server accepts any)
     * @return {@code file}
     */
    public Path writeKubeconfig(Path file, String token) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(token, "token");
        String yaml = "apiVersion: v1\n"
                + "kind: Config\n"
                + "clusters:\n"
                + "- name: rollback-test\n"
                + "  cluster:\n"
                + "    server: " + url() + "\n"
                + "    certificate-authority: " + certificate + "\n"
                + "users:\n"
                + "- name: rollback-test\n"
                + "  user:\n"
                + "    token: '" + token.replace("'", "''") + "'\n"
                + "contexts:\n"
                + "- name: rollback-test\n"
                + "  context:\n"
                + "    cluster: rollback-test\n"
                + "    user: rollback-test\n"
                + "    namespace: default\n"
                + "current-context: rollback-test\n";
        try {
            Files.writeString(file, yaml);
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // not a POSIX file system: keep the default permissions
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the kubeconfig " + file, e);
        }
        return file;
    }

    /**
     * The kit's own client, direct to the server: for seeding and inspecting. Its requests meet no
     * fault and are not journaled. Do not close it.
     *
     * @return the client
     */
    public KubernetesClient client() {
        return client;
    }

    /**
     * The deployment controller, running in the background.
     *
     * @return the controller
     */
    public DeploymentController controller() {
        return controller;
    }

    /**
     * Creates a namespace (nothing namespaced can be created in one that does not exist).
     *
     * @param name the namespace
     * @return this server
     */
    public KubernetesMockApiServer createNamespace(String name) {
        client.namespaces()
                .resource(new NamespaceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .endMetadata()
                        .build())
                .create();
        return this;
    }

    /**
     * Injects a fault into the next matching requests of clients under test; faults apply in the
     * order injected.
     *
     * @param fault the fault
     * @return this server
     */
    public KubernetesMockApiServer inject(KubernetesFault fault) {
        dispatcher.inject(Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /** Removes the faults not applied yet. */
    public void clearFaults() {
        dispatcher.clearFaults();
    }

    /**
     * The requests of clients under test so far, oldest first.
     *
     * @return a snapshot
     */
    public List<RecordedKubernetesRequest> requests() {
        return dispatcher.journal();
    }

    /**
     * The requests so far that match.
     *
     * @param filter which
     * @return a snapshot, oldest first
     */
    public List<RecordedKubernetesRequest> requests(Predicate<RecordedKubernetesRequest> filter) {
        return dispatcher.journal().stream().filter(filter).collect(Collectors.toList());
    }

    /** Forgets the requests received so far. */
    public void resetRequests() {
        dispatcher.clearJournal();
    }

    /** Resets every connection open through the proxy now (clients see a reset). */
    public void resetConnections() {
        proxy.resetConnections();
    }

    /** Stops the controller, the proxy and the server. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        controller.close();
        client.close();
        proxy.close();
        server.destroy();
        Cleanup.unregister(this);
    }

    /**
     * The mapper that knows the Kubernetes model, as fabric8's own mock server builds its context: the
     * mock web server's Context takes a Jackson mapper, and fabric8 offers no other public way to get
     * the model-aware one.
     */
    @SuppressWarnings("deprecation")
    private static tools.jackson.databind.ObjectMapper kubernetesMapper() {
        return Serialization.jsonMapper();
    }
}
