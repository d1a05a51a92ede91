package dev.rollback.testkit.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mock API server with a real fabric8 client built from a kubeconfig, as code under test builds one. */
class KubernetesMockApiServerIT {
    private static KubernetesMockApiServer k8s;
    private static KubernetesClient client;
    private static int counter;
    private String ns;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        k8s = KubernetesMockApiServer.start();
        k8s.controller().readyInterval(Duration.ofMillis(20));
        Path kubeconfig = k8s.writeKubeconfig(dir.resolve("config"), "test-token");
        Config config = Config.fromKubeconfig(kubeconfig.toFile());
        config.setRequestRetryBackoffLimit(0);
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        k8s.close();
    }

    @BeforeEach
    void namespace() {
        ns = "ns-" + ++counter;
        k8s.createNamespace(ns);
        k8s.clearFaults();
        k8s.resetRequests();
    }

    private static Deployment deployment(String ns, String name, String image, int replicas) {
        return new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .addToMatchLabels("app", name)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", name)
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

    private List<ReplicaSet> history(String name) {
        return client.apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getName().startsWith(name + "-"))
                .sorted(Comparator.comparingLong(DeploymentController::revision))
                .collect(Collectors.toList());
    }

    @Test
    void theControllerRollsADeploymentOutAndKeepsOneReplicaSetPerRevision() {
        client.apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, "web", "web:v41", 3))
                .create();
        k8s.controller().awaitRolledOut(ns, "web", Duration.ofSeconds(10));
        client.apps().deployments().inNamespace(ns).withName("web").edit(d -> {
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("web:v42");
            return d;
        });
        k8s.controller().awaitRolledOut(ns, "web", Duration.ofSeconds(10));

        List<ReplicaSet> history = history("web");
        assertThat(history).hasSize(2);
        assertThat(history.get(0).getMetadata().getAnnotations()).containsEntry(DeploymentController.REVISION, "1");
        assertThat(history.get(0).getSpec().getReplicas()).isZero();
        assertThat(history.get(1).getMetadata().getAnnotations()).containsEntry(DeploymentController.REVISION, "2");
        assertThat(history.get(1)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("web:v42");
        Deployment web =
                client.apps().deployments().inNamespace(ns).withName("web").get();
        assertThat(web.getMetadata().getAnnotations()).containsEntry(DeploymentController.REVISION, "2");
        assertThat(web.getStatus().getAvailableReplicas()).isEqualTo(3);
        assertThat(web.getStatus().getObservedGeneration())
                .isEqualTo(web.getMetadata().getGeneration());
    }

    @Test
    void aStalledRolloutStopsAtItsReadyReplicasAndAFailedOneExceedsItsDeadline() throws Exception {
        k8s.controller().stall(ns, "api", 1);
        client.apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, "api", "api:v1", 3))
                .create();
        Deployment api = awaitStatus("api", d -> value(d.getStatus().getReadyReplicas()) == 1);
        Thread.sleep(300); // 15 ready intervals: a stalled rollout gets no further
        api = client.apps().deployments().inNamespace(ns).withName("api").get();
        assertThat(api.getStatus().getReadyReplicas()).isEqualTo(1);
        assertThat(api.getStatus().getUpdatedReplicas()).isEqualTo(3);
        assertThat(DeploymentController.complete(api)).isFalse();

        k8s.controller().fail(ns, "api");
        awaitStatus(
                "api",
                d -> d.getStatus().getConditions().stream()
                        .anyMatch(c -> "ProgressDeadlineExceeded".equals(c.getReason())));
        k8s.controller().heal(ns, "api");
        k8s.controller().awaitRolledOut(ns, "api", Duration.ofSeconds(10));
    }

    private static int value(Integer i) {
        return i == null ? 0 : i;
    }

    private Deployment awaitStatus(String name, Predicate<Deployment> condition) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            Deployment d =
                    client.apps().deployments().inNamespace(ns).withName(name).get();
            if (d != null && d.getStatus() != null && condition.test(d)) {
                return d;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("deployment " + name + " never reached the expected status");
    }

    @Test
    void serverSideApplyCreatesMergesRecordsItsManagerAndRefusesAnotherManagersFieldUnlessForced() {
        Deployment applied = client.apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, "api", "api:v1", 2))
                .fieldManager("rollback")
                .serverSideApply();
        assertThat(applied.getMetadata().getManagedFields()).singleElement().satisfies(f -> {
            assertThat(f.getManager()).isEqualTo("rollback");
            assertThat(f.getOperation()).isEqualTo("Apply");
        });
        assertThat(k8s.requests())
                .filteredOn(RecordedKubernetesRequest::isWrite)
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.contentType()).startsWith("application/apply-patch+yaml");
                    assertThat(r.queryParameter("fieldManager")).contains("rollback");
                    assertThat(r.status()).isEqualTo(201);
                });

        Deployment other = deployment(ns, "api", "api:v1", 5);
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .resource(other)
                        .fieldManager("kubectl")
                        .serverSideApply())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(409);
                    assertThat(e.getMessage())
                            .contains("conflict with \"rollback\"")
                            .contains(".spec.replicas");
                });
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("api")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(2);

        Deployment forced = client.apps()
                .deployments()
                .inNamespace(ns)
                .resource(other)
                .fieldManager("kubectl")
                .forceConflicts()
                .serverSideApply();
        assertThat(forced.getSpec().getReplicas()).isEqualTo(5);
        assertThat(forced.getMetadata().getManagedFields())
                .extracting(f -> f.getManager())
                .containsExactlyInAnyOrder("rollback", "kubectl");
    }

    @Test
    void nothingIsCreatedInANamespaceThatDoesNotExist() {
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace("missing")
                        .resource(deployment("missing", "x", "x:1", 1))
                        .create())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace("missing")
                        .resource(deployment("missing", "x", "x:1", 1))
                        .fieldManager("rollback")
                        .serverSideApply())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(404));
    }

    @Test
    void faultsMeetOnlyTheirRequestsAndAConcurrentWriteMakesAStaleUpdateConflict() {
        client.apps()
                .deployments()
                .inNamespace(ns)
                .resource(deployment(ns, "web", "web:v1", 1))
                .create();
        String path = "/apis/apps/v1/namespaces/" + ns + "/deployments/web";
        k8s.inject(KubernetesFault.status(500).on("GET", path));
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("web")
                        .get())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(500));
        Deployment read =
                client.apps().deployments().inNamespace(ns).withName("web").get();
        assertThat(read).isNotNull();

        k8s.inject(KubernetesFault.concurrentWrite().on("PUT", path));
        read.getSpec().setReplicas(4);
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .resource(read)
                        .update())
                .isInstanceOfSatisfying(
                        KubernetesClientException.class,
                        e -> assertThat(e.getCode()).isEqualTo(409));

        k8s.inject(KubernetesFault.resetAfterHandling().on("PATCH", path));
        assertThatThrownBy(() -> client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("web")
                        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"replicas\":7}}"))
                .isInstanceOf(KubernetesClientException.class);
        assertThat(client.apps()
                        .deployments()
                        .inNamespace(ns)
                        .withName("web")
                        .get()
                        .getSpec()
                        .getReplicas())
                .isEqualTo(7);
        assertThat(k8s.requests(r -> r.fault().isPresent()))
                .extracting(RecordedKubernetesRequest::method)
                .containsExactly("GET", "PUT", "PATCH");
    }
}
