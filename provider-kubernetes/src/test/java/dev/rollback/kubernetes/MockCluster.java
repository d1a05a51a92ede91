package dev.rollback.kubernetes;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.kubernetes.KubernetesMockApiServer;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** One mock API server per test class, the provider built from a kubeconfig for it, and seeding helpers. */
final class MockCluster implements AutoCloseable {
    static final String TOKEN = "kubeconfig-token-for-tests";
    private static final AtomicInteger NAMESPACES = new AtomicInteger();

    final KubernetesMockApiServer server;
    final KubernetesRollback rollback;
    final Path kubeconfig;

    private MockCluster(String token) {
        server = KubernetesMockApiServer.start();
        server.controller().readyInterval(Duration.ofMillis(30));
        try {
            Path dir = Files.createTempDirectory("rollback-kube");
            dir.toFile().deleteOnExit();
            kubeconfig = server.writeKubeconfig(dir.resolve("config"), token);
            kubeconfig.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        rollback = KubernetesRollback.fromKubeconfig(kubeconfig);
    }

    static MockCluster start() {
        return new MockCluster(TOKEN);
    }

    static MockCluster start(String token) {
        return new MockCluster(token);
    }

    KubernetesClient client() {
        return server.client();
    }

    /** A fresh namespace. */
    String namespace() {
        String ns = "ns-" + NAMESPACES.incrementAndGet();
        server.createNamespace(ns);
        return ns;
    }

    static Deployment deployment(String ns, String name, Map<String, String> labels, String image, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(labels)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /** A Deployment rolled out once per image, in order: revision i runs images[i-1]. */
    void seed(String ns, String name, int replicas, String... images) {
        seed(ns, name, Map.of("app", name), replicas, images);
    }

    void seed(String ns, String name, Map<String, String> labels, int replicas, String... images) {
        client().apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, name, labels, images[0], replicas))
                .create();
        server.controller().awaitRolledOut(ns, name, Duration.ofSeconds(20));
        for (int i = 1; i < images.length; i++) {
            String image = images[i];
            client().apps().deployments().inNamespace(ns).withName(name).edit(d -> {
                d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage(image);
                return d;
            });
            server.controller().awaitRolledOut(ns, name, Duration.ofSeconds(20));
        }
    }

    /** A Service selecting {@code selector}, port 80 to 3000. */
    void service(String ns, String name, Map<String, String> selector) {
        client().services()
                .inNamespace(ns)
                .resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(selector)
                        .addNewPort()
                        .withPort(80)
                        .withNewTargetPort(3000)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
    }

    /** An HTTPRoute with one rule sending everything to {@code backend}:80. */
    void route(String ns, String name, String backend) {
        client().resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)
                .inNamespace(ns)
                .resource(new io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName(name)
                        .withNamespace(ns)
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("advisoros-gateway")
                        .endParentRef()
                        .addToHostnames("api.advisoros.com")
                        .addNewRule()
                        .addNewBackendRef()
                        .withName(backend)
                        .withPort(80)
                        .endBackendRef()
                        .endRule()
                        .endSpec()
                        .build())
                .create();
    }

    io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute getRoute(String ns, String name) {
        return client().resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)
                .inNamespace(ns)
                .withName(name)
                .get();
    }

    Map<String, String> selector(String ns, String service) {
        return client().services()
                .inNamespace(ns)
                .withName(service)
                .get()
                .getSpec()
                .getSelector();
    }

    String image(String ns, String name) {
        return client().apps()
                .deployments()
                .inNamespace(ns)
                .withName(name)
                .get()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage();
    }

    Deployment get(String ns, String name) {
        return client().apps().deployments().inNamespace(ns).withName(name).get();
    }

    /** The writes (anything but GET) clients under test sent to paths containing {@code fragment}. */
    List<RecordedKubernetesRequest> writes(String fragment) {
        return server.requests(r -> r.isWrite() && r.path().contains(fragment));
    }

    static String deploymentPath(String ns, String name) {
        return "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name;
    }

    static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            return executor.run(plan, RunRequest.drill("kubernetes-it"));
        }
    }

    @Override
    public void close() {
        rollback.close();
        server.close();
    }
}
