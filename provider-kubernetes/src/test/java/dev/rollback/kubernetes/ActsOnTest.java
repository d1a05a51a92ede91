package dev.rollback.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every Kubernetes step names what it acts on: namespace, kind and name; a manifest its namespace. */
class ActsOnTest {
    private static KubernetesRollback cluster;

    @BeforeAll
    static void offline() {
        // a client for a server that does not exist: naming a target sends no request
        Config config = Config.empty();
        config.setMasterUrl("https://127.0.0.1:1/");
        cluster = KubernetesRollback.ofKubernetesClient(
                new KubernetesClientBuilder().withConfig(config).build());
    }

    @AfterAll
    static void close() {
        cluster.close();
    }

    @Test
    void stepsNameNamespaceKindAndName() {
        assertThat(cluster.imageRollback()
                        .namespace("advisoros-staging")
                        .deployment("frontend")
                        .target(ImageTarget.previousRevision())
                        .build()
                        .actsOn())
                .contains("advisoros-staging/deployment/frontend");
        assertThat(cluster.scale()
                        .namespace("advisoros-staging")
                        .deployment("api-v42")
                        .replicas(0)
                        .build()
                        .actsOn())
                .contains("advisoros-staging/deployment/api-v42");
        assertThat(cluster.trafficSwitch()
                        .namespace("advisoros-staging")
                        .service("frontend")
                        .targetDeployment("frontend-blue")
                        .build()
                        .actsOn())
                .contains("advisoros-staging/service/frontend");
        assertThat(cluster.gatewayRouting()
                        .namespace("advisoros-staging")
                        .route("api")
                        .backend("api-stable")
                        .build()
                        .actsOn())
                .contains("advisoros-staging/httproute/api");
    }

    @Test
    void aManifestNamesItsNamespaceOnlyWhenTheStepSetsOne() {
        Manifest manifest = Manifest.fromClasspath("k8s/api-deployment-stable.yaml");

        assertThat(cluster.manifestApply()
                        .manifest(manifest)
                        .namespace("advisoros-staging")
                        .build()
                        .actsOn())
                .contains("advisoros-staging (classpath:k8s/api-deployment-stable.yaml)");
        assertThat(cluster.manifestApply().manifest(manifest).build().actsOn()).isEmpty();
    }
}
