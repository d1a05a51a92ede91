package dev.rollback.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad configuration is refused at the setter or at build, naming the field and the value, before any request. */
class ConfigValidationTest {
    private static KubernetesRollback cluster;

    @BeforeAll
    static void offline() {
        // a client for a server that does not exist: nothing here may send a request
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
    void namesThatKubernetesWouldRefuseAreRefusedAtTheSetter() {
        assertThatThrownBy(() -> cluster.imageRollback().namespace("Prod_NS"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("namespace")
                .hasMessageContaining("'Prod_NS'");
        assertThatThrownBy(() -> cluster.imageRollback().deployment("-web"))
                .hasMessageContaining("deployment")
                .hasMessageContaining("'-web'");
        assertThatThrownBy(() -> cluster.imageRollback().container("a\nb")).hasMessageContaining("a\\nb");
        assertThatThrownBy(() -> cluster.imageRollback().id("has space")).hasMessageContaining("id");
        assertThatThrownBy(() -> ImageTarget.image("web app:1")).hasMessageContaining("image");
        assertThatThrownBy(() -> ImageTarget.revision(0)).hasMessageContaining("revision must be 1 or more");
        assertThatThrownBy(() -> cluster.rolloutVerifier().pollInterval(Duration.ofMillis(1)))
                .hasMessageContaining("pollInterval");
    }

    @Test
    void requiredFieldsAreCheckedAtBuild() {
        assertThatThrownBy(() -> cluster.imageRollback().namespace("prod").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deployment");
        assertThatThrownBy(() -> cluster.rolloutVerifier().deployment("web").build())
                .hasMessageContaining("namespace");
    }

    @Test
    void buildingAStepSendsNothingAndItsDefaultsAreTheRunbooks() {
        ImageRollbackStep step =
                cluster.imageRollback().namespace("prod").deployment("web").build();
        assertThat(step.target()).isEqualTo(ImageTarget.previousRevision());
        assertThat(step.component()).isEqualTo(KubernetesRollback.FRONTEND);
        assertThat(step.idempotent()).isFalse();
        assertThat(KubernetesRollback.FRONTEND_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(2));
        assertThat(KubernetesRollback.API_SERVER_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(3));
        assertThat(KubernetesRollback.API_SERVER_OBJECTIVES.rpo()).isZero();
    }

    @Test
    void anUnreadableOrMalformedKubeconfigIsNamedWithoutItsContent(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> KubernetesRollback.fromKubeconfig(dir.resolve("absent")))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).contains("absent").contains("cannot be read");
                });
        Path broken = dir.resolve("broken");
        String token = "tok-" + System.nanoTime() + "-secret";
        Files.writeString(broken, "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: " + token + "\n  : [\n");
        assertThatThrownBy(() -> KubernetesRollback.fromKubeconfig(broken))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.getMessage()).contains("broken").doesNotContain(token);
                    assertThat(e.getCause()).isNull();
                });
    }
}
