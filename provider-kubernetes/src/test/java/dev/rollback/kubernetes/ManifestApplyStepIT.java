package dev.rollback.kubernetes;

import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.kubernetes.KubernetesFault;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ManifestApplyStep: server-side apply of the stable manifest through the real request path. */
class ManifestApplyStepIT {
    private static final Manifest STABLE = Manifest.fromClasspath("k8s/api-deployment-stable.yaml");
    private static MockCluster cluster;
    private String ns;

    @BeforeAll
    static void start() {
        cluster = MockCluster.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @BeforeEach
    void namespace() {
        ns = cluster.namespace();
        cluster.server.clearFaults();
        cluster.server.resetRequests();
    }

    private ManifestApplyStep.Builder step() {
        return cluster.rollback.manifestApply().manifest(STABLE).namespace(ns);
    }

    @Test
    void appliesTheStableManifestServerSideWithItsOwnFieldManagerAndAgainChangesNothing() {
        RollbackReport report = run(RollbackPlan.builder("apply", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(step().build())
                .step(step().id("apply-again").build(), s -> s.dependsOn("apply-stable-manifest"))
                .build());

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.step("apply-stable-manifest").orElseThrow().evidence())
                .containsEntry(
                        ManifestApplyStep.OBJECTS,
                        "Deployment " + ns + "/advisoros-api-stable=created,Service " + ns
                                + "/advisoros-api-stable=created")
                .containsEntry(ManifestApplyStep.SOURCE, "classpath:k8s/api-deployment-stable.yaml");
        assertThat(report.step("apply-again").orElseThrow().evidence().get(ManifestApplyStep.OBJECTS))
                .contains("=unchanged")
                .doesNotContain("configured");
        Deployment stable = cluster.get(ns, "advisoros-api-stable");
        assertThat(stable.getSpec().getReplicas()).isEqualTo(3);
        assertThat(stable.getMetadata().getManagedFields())
                .singleElement()
                .satisfies(f -> assertThat(f.getManager()).isEqualTo(ManifestApplyStep.DEFAULT_FIELD_MANAGER));
        assertThat(cluster.server.requests(r -> r.isWrite() && !r.query().contains("dryRun")))
                .hasSize(4)
                .allSatisfy(r -> {
                    assertThat(r.method()).isEqualTo("PATCH");
                    assertThat(r.contentType()).startsWith("application/apply-patch+yaml");
                    assertThat(r.queryParameter("fieldManager")).contains("rollback");
                });
        // each preflight sent its server-side dry run first
        assertThat(cluster.server.requests(r -> r.query().contains("dryRun"))).hasSize(4);
    }

    @Test
    void aFieldOwnedByAnotherManagerFailsNamingItUnlessForcedAndTheDryRunFindsItBeforeAnyChange() {
        run(RollbackPlan.builder("first", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(step().build())
                .build());
        Deployment scaled = cluster.get(ns, "advisoros-api-stable");
        scaled.getMetadata().setManagedFields(null);
        scaled.getMetadata().setResourceVersion(null);
        scaled.setStatus(null);
        scaled.getSpec().setReplicas(5);
        cluster.client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .resource(scaled)
                .fieldManager("hpa-controller")
                .forceConflicts()
                .serverSideApply();
        cluster.server.resetRequests();

        RollbackReport refused = run(RollbackPlan.builder("conflict", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(step().build())
                .build());
        StepReport step = refused.step("apply-stable-manifest").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("conflicts with another field manager")
                        .contains("hpa-controller")
                        .contains(".spec.replicas")
                        .contains("nothing was changed"));
        assertThat(cluster.server.requests(r -> r.isWrite() && !r.query().contains("dryRun")))
                .isEmpty();
        assertThat(cluster.get(ns, "advisoros-api-stable").getSpec().getReplicas())
                .isEqualTo(5);

        RollbackReport forced = run(RollbackPlan.builder("forced", KubernetesRollback.API_SERVER_OBJECTIVES)
                .step(step().force(true).build())
                .build());
        assertThat(forced.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(cluster.get(ns, "advisoros-api-stable").getSpec().getReplicas())
                .isEqualTo(3);
    }

    @Test
    void aManifestThatDoesNotParseIsRefusedNamingItBeforeAnyRequest(@TempDir Path dir) throws Exception {
        TestStepContext ctx = TestStepContext.of("apply", Duration.ofSeconds(10));
        assertThatThrownBy(() -> step().manifest(Manifest.fromClasspath("k8s/broken.yaml"))
                        .build()
                        .preflight(ctx))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                    assertThat(e.getMessage())
                            .contains("classpath:k8s/broken.yaml")
                            .contains("does not parse");
                });
        assertThatThrownBy(() -> step().manifest(Manifest.fromClasspath("k8s/absent.yaml"))
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("classpath:k8s/absent.yaml is not on the class path");
        Path noName = Files.writeString(dir.resolve("noname.yaml"), "apiVersion: v1\nkind: Service\nspec: {}\n");
        assertThatThrownBy(
                        () -> step().manifest(Manifest.fromFile(noName)).build().preflight(ctx))
                .hasMessageContaining("noname.yaml")
                .hasMessageContaining("document 1 has no kind or no metadata.name");
        assertThat(cluster.server.requests()).isEmpty();
    }

    @Test
    void aNamespaceThatDoesNotExistIsRefusedBeforeAnyChange() {
        TestStepContext ctx = TestStepContext.of("apply", Duration.ofSeconds(10));
        assertThatThrownBy(() -> cluster.rollback
                        .manifestApply()
                        .manifest(STABLE)
                        .namespace("nowhere")
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("namespace 'nowhere' does not exist")
                .hasMessageContaining("nothing was changed");
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
    }

    @Test
    void aResetAfterTheApplyLandedIsHarmlessBecauseTheApplyIsIdempotent() throws Exception {
        cluster.server.inject(KubernetesFault.resetAfterHandling()
                .on("PATCH", "/apis/apps/v1/namespaces/" + ns + "/deployments/advisoros-api-stable"));
        ManifestApplyStep step = step().build();
        TestStepContext ctx = TestStepContext.of("apply", Duration.ofSeconds(10));
        assertThat(step.tookEffect(ctx)).contains(false);

        step.execute(ctx);

        assertThat(step.tookEffect(ctx)).contains(true);
        assertThat(cluster.get(ns, "advisoros-api-stable").getSpec().getReplicas())
                .isEqualTo(3);
    }
}
