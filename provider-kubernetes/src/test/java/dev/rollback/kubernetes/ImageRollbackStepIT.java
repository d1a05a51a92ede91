package dev.rollback.kubernetes;

import static dev.rollback.kubernetes.MockCluster.deploymentPath;
import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.kubernetes.DeploymentController;
import dev.rollback.testkit.kubernetes.KubernetesFault;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ImageRollbackStep against the mock API server and its deployment controller, run by the executor. */
class ImageRollbackStepIT {
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

    private ImageRollbackStep.Builder step() {
        return cluster.rollback.imageRollback().namespace(ns).deployment("web");
    }

    private static RollbackPlan plan(ImageRollbackStep step, RolloutVerifier verifier) {
        return RollbackPlan.builder("image-rollback", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(
                        step,
                        s -> s.timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(20))
                                        .build())
                                .verifier(verifier))
                .build();
    }

    private RolloutVerifier rollout() {
        return cluster.rollback
                .rolloutVerifier()
                .namespace(ns)
                .deployment("web")
                .pollInterval(Duration.ofMillis(20))
                .build();
    }

    private List<ReplicaSet> history() {
        return cluster.client().apps().replicaSets().inNamespace(ns).list().getItems().stream()
                .sorted(Comparator.comparingLong(
                        rs -> Long.parseLong(rs.getMetadata().getAnnotations().get(DeploymentController.REVISION))))
                .toList();
    }

    @Test
    void rollsADeploymentBackToItsPreviousRevisionAsRolloutUndoDoesAndWaitsForTheRollout() {
        cluster.seed(ns, "web", 3, "advisoros/web-app:v41", "advisoros/web-app:v42");

        RollbackReport report = run(plan(step().build(), rollout()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(cluster.image(ns, "web")).isEqualTo("advisoros/web-app:v41");
        StepReport step = report.step("image-rollback").orElseThrow();
        assertThat(step.evidence())
                .containsEntry(ImageRollbackStep.FROM_REVISION, "2")
                .containsEntry(ImageRollbackStep.TO_REVISION, "1")
                .containsEntry(ImageRollbackStep.FROM_IMAGES, "app=advisoros/web-app:v42")
                .containsEntry(ImageRollbackStep.TO_IMAGES, "app=advisoros/web-app:v41")
                .containsEntry(ImageRollbackStep.CHANGED, "true");
        assertThat(step.verifications()).singleElement().satisfies(v -> {
            assertThat(v.passed()).isTrue();
            assertThat(v.details()).containsEntry("available", "3").containsEntry("updated", "3");
        });
        // the deployment controller reuses revision 1's replica set and numbers it 3, as Kubernetes does
        List<ReplicaSet> history = history();
        assertThat(history).hasSize(2);
        assertThat(history.get(1)
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage())
                .isEqualTo("advisoros/web-app:v41");
        assertThat(history.get(1).getMetadata().getAnnotations()).containsEntry(DeploymentController.REVISION, "3");
        assertThat(cluster.get(ns, "web").getMetadata().getAnnotations())
                .containsEntry(ImageRollbackStep.RUN_ANNOTATION, report.runId() + "/image-rollback")
                .containsKey("kubernetes.io/change-cause");
        assertThat(cluster.writes("/deployments/web")).singleElement().satisfies(w -> {
            assertThat(w.method()).isEqualTo("PUT");
            assertThat(w.body()).contains("\"resourceVersion\"");
        });
    }

    @Test
    void aDeploymentWithNoPreviousRevisionIsRefusedInPreflightNamingItsHistoryBeforeAnyWrite() {
        cluster.seed(ns, "web", 2, "advisoros/web-app:v42");

        RollbackReport report = run(plan(step().build(), rollout()));

        StepReport step = report.step("image-rollback").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("has no previous revision")
                        .contains("revisions [1]")
                        .contains("nothing was changed"));
        assertThat(step.attempts()).hasSize(1);
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
        assertThat(cluster.image(ns, "web")).isEqualTo("advisoros/web-app:v42");
    }

    @Test
    void aMissingNamespaceOrDeploymentIsNamedBeforeAnyWrite() {
        TestStepContext ctx = TestStepContext.of("image-rollback", Duration.ofSeconds(10));
        assertThatThrownBy(() -> cluster.rollback
                        .imageRollback()
                        .namespace("nowhere")
                        .deployment("web")
                        .build()
                        .preflight(ctx))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STEP_FAILED);
                    assertThat(e.getMessage()).contains("namespace 'nowhere' does not exist");
                });
        assertThatThrownBy(() -> step().deployment("absent").build().execute(ctx))
                .isInstanceOfSatisfying(
                        RollbackException.class,
                        e -> assertThat(e.getMessage())
                                .contains("deployment 'absent' does not exist in namespace '" + ns + "'"));
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
    }

    @Test
    void aGivenRevisionAndANamedImageAreRolledBackToAndANamedImageIsIdempotent() throws Exception {
        cluster.seed(ns, "web", 1, "web:v40", "web:v41", "web:v42");
        TestStepContext ctx = TestStepContext.of("image-rollback", Duration.ofSeconds(10));
        ImageRollbackStep toFirst = step().target(ImageTarget.revision(1)).build();
        toFirst.preflight(ctx);
        assertThat(ctx.evidence()).containsEntry(ImageRollbackStep.TO_IMAGES, "app=web:v40");
        assertThatThrownBy(() -> step().target(ImageTarget.revision(9)).build().preflight(ctx))
                .hasMessageContaining("has no revision 9 (its history holds revisions [1, 2, 3])");

        ImageRollbackStep named = step().target(ImageTarget.image("web:stable-previous"))
                .container("app")
                .build();
        assertThat(named.idempotent()).isTrue();
        assertThat(toFirst.idempotent()).isFalse();
        named.execute(ctx);
        assertThat(cluster.image(ns, "web")).isEqualTo("web:stable-previous");
        assertThat(named.tookEffect(ctx)).contains(true);
        TestStepContext again = TestStepContext.of("image-rollback", Duration.ofSeconds(10));
        named.execute(new OtherRun(again, "second-run"));
        assertThat(again.evidence()).containsEntry(ImageRollbackStep.CHANGED, "false");
        assertThat(cluster.writes("/deployments/web")).hasSize(1);
        assertThatThrownBy(() -> step().target(ImageTarget.image("x:1"))
                        .container("sidecar")
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("has no container 'sidecar' (it has [app])");
    }

    @Test
    void aConflictingUpdateIsReReadAndRetriedWithTheSameTarget() {
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");
        cluster.server.inject(KubernetesFault.concurrentWrite()
                .on("PUT", deploymentPath(ns, "web"))
                .times(2));

        RollbackReport report = run(plan(step().build(), rollout()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        StepReport step = report.step("image-rollback").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.evidence())
                .containsEntry(ImageRollbackStep.CONFLICTS, "2")
                .containsEntry(ImageRollbackStep.TO_REVISION, "1");
        assertThat(cluster.writes("/deployments/web"))
                .extracting(RecordedKubernetesRequest::status)
                .containsExactly(409, 409, 200);
        assertThat(cluster.image(ns, "web")).isEqualTo("web:v41");
        assertThat(cluster.get(ns, "web").getMetadata().getAnnotations())
                .containsKey("testkit.rollback.dev/concurrent-write");
    }

    @Test
    void anAnswerLostAfterTheUpdateLandedIsAdoptedFromTheRunAnnotationAndNothingIsUndoneTwice() {
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");
        cluster.server.inject(KubernetesFault.resetAfterHandling().on("PUT", deploymentPath(ns, "web")));
        ImageRollbackStep step = step().build();

        RollbackReport report = run(plan(step, rollout()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        // the client re-sent the PUT after the reset; the stale resourceVersion made it a 409, the re-read adopted
        assertThat(cluster.writes("/deployments/web"))
                .extracting(RecordedKubernetesRequest::status)
                .containsExactly(0, 409);
        assertThat(cluster.image(ns, "web")).isEqualTo("web:v41");
        assertThat(history()).hasSize(2);
        assertThat(report.step("image-rollback").orElseThrow().evidence())
                .containsEntry(ImageRollbackStep.CHANGED, "true");
    }

    @Test
    void serverErrorsAreRetriedWithinTheDeadlineAndAPersistentOneFailsNamingTheStatus() {
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");
        // the client's first request and its own retries all get 500: the executor's second attempt succeeds
        cluster.server.inject(KubernetesFault.status(500)
                .on("PUT", deploymentPath(ns, "web"))
                .times(1 + KubernetesRollback.CLIENT_RETRIES));

        RollbackReport report = run(plan(step().build(), rollout()));

        StepReport step = report.step("image-rollback").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 500"));
        assertThat(cluster.image(ns, "web")).isEqualTo("web:v41");

        String other = cluster.namespace();
        cluster.seed(other, "web", 1, "web:v41", "web:v42");
        cluster.server.inject(KubernetesFault.status(503)
                .on("PUT", deploymentPath(other, "web"))
                .times(1000));
        RollbackReport failed = run(RollbackPlan.builder("persistent-503", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(
                        cluster.rollback
                                .imageRollback()
                                .namespace(other)
                                .deployment("web")
                                .build(),
                        s -> s.timeout(Duration.ofSeconds(10))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(20))
                                        .build()))
                .build());
        StepReport gaveUp = failed.step("image-rollback").orElseThrow();
        assertThat(gaveUp.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(gaveUp.attempts()).hasSize(3);
        assertThat(gaveUp.reason()).hasValueSatisfying(r -> assertThat(r).contains("HTTP 503"));
        assertThat(cluster.writes("/namespaces/" + other + "/deployments/web"))
                .hasSize(3 * (1 + KubernetesRollback.CLIENT_RETRIES));
        assertThat(cluster.image(other, "web")).isEqualTo("web:v42");
    }

    @Test
    void tookEffectReadsTheRunAnnotationBack() throws Exception {
        cluster.seed(ns, "web", 1, "web:v41", "web:v42");
        ImageRollbackStep step = step().build();
        TestStepContext ctx = TestStepContext.of("image-rollback", Duration.ofSeconds(10));
        assertThat(step.tookEffect(ctx)).contains(false);
        step.execute(ctx);
        assertThat(step.tookEffect(ctx)).contains(true);
        assertThat(step.tookEffect(new OtherRun(ctx, "another-run")))
                .as("another run did not roll it back")
                .isEqualTo(Optional.of(false));
    }
}
