package dev.rollback.kubernetes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runbook's API server rollback end to end, in the careful order: apply, roll out, route, then scale down. */
class ApiServerRollbackIT {
    private static MockCluster cluster;
    private static WireMockServer health;
    private String ns;

    @BeforeAll
    static void start() {
        cluster = MockCluster.start();
        health = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        health.start();
        health.stubFor(
                get("/trpc/health").willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
        health.stubFor(
                get("/stable/health").willReturn(aResponse().withStatus(200).withBody("{\"ok\":true}")));
    }

    @AfterAll
    static void stop() {
        health.stop();
        cluster.close();
    }

    @BeforeEach
    void seed() {
        ns = cluster.namespace();
        cluster.seed(
                ns, "advisoros-api", Map.of("app", "advisoros-api", "track", "current"), 3, "advisoros/api:v2.4.0");
        cluster.service(ns, "advisoros-api", Map.of("app", "advisoros-api", "track", "current"));
        cluster.route(ns, "advisoros-api", "advisoros-api");
        cluster.server.resetRequests();
    }

    private ApiServerRunbook.Builder runbook() {
        return ApiServerRunbook.builder()
                .namespace(ns)
                .manifest(Manifest.fromClasspath("k8s/api-deployment-stable.yaml"))
                .stableDeployment("advisoros-api-stable")
                .stableService("advisoros-api-stable")
                .currentDeployment("advisoros-api")
                .route("advisoros-api")
                .stableHealthCheck(check("/stable/health"))
                .healthCheck(check("/trpc/health"))
                .pollInterval(Duration.ofMillis(25))
                .rolloutStallTimeout(Duration.ofSeconds(10));
    }

    private static HealthCheckVerifier check(String path) {
        return HealthCheckVerifier.builder()
                .name(path.startsWith("/stable") ? "stable-health" : "api-health")
                .url(health.baseUrl() + path)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static Instant end(StepReport step) {
        var last = step.attempts().get(step.attempts().size() - 1);
        return last.startedAt().plus(last.duration());
    }

    @Test
    void theStableVersionIsAppliedRolledOutAndRoutedToBeforeTheCurrentOneIsScaledDown() {
        RollbackPlan plan = cluster.rollback.apiServerPlan(runbook().build());
        assertThat(plan.objectives().rto()).isEqualTo(Duration.ofMinutes(3));
        assertThat(plan.steps())
                .extracting(s -> s.id())
                .containsExactly("apply-stable", "stable-rollout", "route-gateway", "scale-down-current");

        RollbackReport report = run(plan);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(cluster.get(ns, "advisoros-api-stable").getStatus().getAvailableReplicas())
                .isEqualTo(3);
        assertThat(cluster.getRoute(ns, "advisoros-api")
                        .getSpec()
                        .getRules()
                        .get(0)
                        .getBackendRefs())
                .extracting(HTTPBackendRef::getName, HTTPBackendRef::getWeight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("advisoros-api", 0),
                        org.assertj.core.groups.Tuple.tuple("advisoros-api-stable", 100));
        assertThat(cluster.get(ns, "advisoros-api").getSpec().getReplicas()).isZero();
        assertThat(cluster.get(ns, "advisoros-api").getStatus().getReplicas()).isZero();

        // no moment without a server: the route moved only after the stable rollout and its health check
        // passed, and the current version went down only after the route moved and the public check passed
        StepReport rollout = report.step("stable-rollout").orElseThrow();
        StepReport route = report.step("route-gateway").orElseThrow();
        StepReport scale = report.step("scale-down-current").orElseThrow();
        assertThat(rollout.verifications()).extracting(v -> v.name()).containsExactly("stable-health");
        assertThat(rollout.evidence()).containsEntry("rollout.available", "3");
        assertThat(route.attempts().get(0).startedAt()).isAfterOrEqualTo(end(rollout));
        assertThat(route.verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.passed()).isTrue());
        assertThat(scale.attempts().get(0).startedAt()).isAfterOrEqualTo(end(route));
        List<RecordedKubernetesRequest> writes =
                cluster.server.requests(r -> r.isWrite() && !r.query().contains("dryRun"));
        assertThat(writes)
                .extracting(r -> r.method() + " " + r.path().substring(r.path().lastIndexOf('/') + 1))
                .containsExactly(
                        "PATCH advisoros-api-stable",
                        "PATCH advisoros-api-stable",
                        "PUT advisoros-api",
                        "PATCH advisoros-api");
    }

    @Test
    void aStableRolloutThatFailsLeavesTheTrafficAndTheCurrentVersionWhereTheyWere() {
        cluster.server.controller().fail(ns, "advisoros-api-stable");

        RollbackReport report = run(cluster.rollback.apiServerPlan(runbook().build()));

        assertThat(report.outcome()).as("the steps before succeeded").isEqualTo(RunOutcome.PARTIAL);
        assertThat(report.step("stable-rollout").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("exceeded its progress deadline"));
        assertThat(report.step("route-gateway").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(report.step("scale-down-current").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(cluster.getRoute(ns, "advisoros-api")
                        .getSpec()
                        .getRules()
                        .get(0)
                        .getBackendRefs())
                .singleElement()
                .satisfies(b -> assertThat(b.getName()).isEqualTo("advisoros-api"));
        assertThat(cluster.get(ns, "advisoros-api").getStatus().getAvailableReplicas())
                .isEqualTo(3);
        cluster.server.controller().heal(ns, "advisoros-api-stable");
    }

    @Test
    void aManifestThatHoldsTheCurrentDeploymentOrDoesNotParseIsRefusedWhenThePlanIsBuilt(@TempDir Path dir)
            throws Exception {
        Path inPlace = Files.writeString(
                dir.resolve("in-place.yaml"),
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: advisoros-api\nspec:\n  replicas: 3\n");
        assertThatThrownBy(() -> cluster.rollback.apiServerPlan(
                        runbook().manifest(Manifest.fromFile(inPlace)).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("holds deployment 'advisoros-api', the current one this fragment scales down");
        assertThatThrownBy(() -> cluster.rollback.apiServerPlan(runbook()
                        .manifest(Manifest.fromClasspath("k8s/broken.yaml"))
                        .build()))
                .hasMessageContaining("classpath:k8s/broken.yaml does not parse");
        assertThat(cluster.server.requests()).isEmpty();
    }

    @Test
    void aNamespaceThatDoesNotExistStopsTheFragmentBeforeAnyChange() {
        RollbackReport report = run(
                cluster.rollback.apiServerPlan(runbook().namespace("nowhere").build()));

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(report.step("apply-stable").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("namespace 'nowhere' does not exist"));
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
    }
}
