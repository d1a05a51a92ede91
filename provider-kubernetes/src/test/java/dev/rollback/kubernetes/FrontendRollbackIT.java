package dev.rollback.kubernetes;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.rollback.kubernetes.MockCluster.run;
import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.SimulatedCdnEndpoint;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runbook's frontend rollback end to end: mock API server, Azure simulator (CDN), health endpoint, executor. */
class FrontendRollbackIT {
    private static final Map<String, String> BLUE = Map.of("app", "advisoros-web", "color", "blue");
    private static final Map<String, String> GREEN = Map.of("app", "advisoros-web", "color", "green");
    private static final String RG = "advisoros-prod-primary-rg";
    private static MockCluster cluster;
    private static AzureControlPlaneSimulator azure;
    private static AzureCdnControlPlane cdn;
    private static WireMockServer health;
    private String ns;
    private SimulatedCdnEndpoint endpoint;

    @BeforeAll
    static void start() {
        cluster = MockCluster.start();
        azure = AzureControlPlaneSimulator.builder().start();
        cdn = AzureCdnControlPlane.ofCdnManager(AzureSimulatorClients.resourceManager(azure, CdnPurgeStepIT.POLICY)
                .cdnProfiles()
                .manager());
        health = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        health.start();
        health.stubFor(get("/api/health").willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ok\"}")));
    }

    @AfterAll
    static void stop() {
        health.stop();
        azure.close();
        cluster.close();
    }

    @BeforeEach
    void seed() {
        ns = cluster.namespace();
        cluster.seed(ns, "advisoros-web-blue", BLUE, 3, "advisoros/web-app:v42");
        cluster.seed(ns, "advisoros-web-green", GREEN, 1, "advisoros/web-app:v41-rc");
        cluster.client()
                .apps()
                .deployments()
                .inNamespace(ns)
                .withName("advisoros-web-green")
                .scale(0);
        cluster.server.controller().awaitRolledOut(ns, "advisoros-web-green", Duration.ofSeconds(20));
        cluster.service(ns, "advisoros-web", BLUE);
        endpoint = azure.cdnEndpoint(RG, "advisoros-cdn", "web-" + ns);
        cluster.server.resetRequests();
        azure.resetRequests();
    }

    private FrontendRunbook runbook() {
        return FrontendRunbook.builder()
                .namespace(ns)
                .service("advisoros-web")
                .standbyDeployment("advisoros-web-green")
                .stableImage("advisoros/web-app:stable-previous")
                .replicas(3)
                .healthCheck(HealthCheckVerifier.builder()
                        .url(health.baseUrl() + "/api/health")
                        .timeout(Duration.ofSeconds(10))
                        .build())
                .cdnPurge(
                        cdn, CdnEndpoint.cdn(RG, "advisoros-cdn", "web-" + ns), List.of("/_next/static/*", "/static/*"))
                .pollInterval(Duration.ofMillis(25))
                .rolloutStallTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Test
    void theStandbyColourGetsTheStableImageTakesTheTrafficAndTheCdnIsPurgedWithinTheRto() {
        RollbackPlan plan = cluster.rollback.frontendPlan(runbook());
        assertThat(plan.objectives().rto()).isEqualTo(Duration.ofMinutes(2));
        assertThat(plan.steps())
                .extracting(s -> s.id())
                .containsExactly("image-rollback", "scale-standby", "rollout", "switch-traffic", "purge-cdn");

        RollbackReport report = run(plan);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report).succeeded().metRto(KubernetesRollback.FRONTEND);
        assertThat(cluster.image(ns, "advisoros-web-green")).isEqualTo("advisoros/web-app:stable-previous");
        assertThat(cluster.get(ns, "advisoros-web-green").getStatus().getAvailableReplicas())
                .isEqualTo(3);
        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(GREEN);
        // the colour that served before keeps running, untouched: switching back is one selector change
        assertThat(cluster.image(ns, "advisoros-web-blue")).isEqualTo("advisoros/web-app:v42");
        assertThat(cluster.get(ns, "advisoros-web-blue").getSpec().getReplicas())
                .isEqualTo(3);
        assertThat(cluster.writes("/deployments/advisoros-web-blue")).isEmpty();
        assertThat(endpoint.purges())
                .singleElement()
                .satisfies(p -> assertThat(p.contentPaths()).containsExactly("/_next/static/*", "/static/*"));
        assertThat(report.step("switch-traffic").orElseThrow().verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.passed()).isTrue());
        // the purge started only after the switch ended
        var switched = report.step("switch-traffic").orElseThrow();
        var purged = report.step("purge-cdn").orElseThrow();
        assertThat(purged.attempts().get(0).startedAt())
                .isAfterOrEqualTo(switched.attempts()
                        .get(0)
                        .startedAt()
                        .plus(switched.attempts().get(0).duration()));
    }

    @Test
    void aDryRunReadsEverythingAndChangesNothing() {
        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = executor.dryRun(cluster.rollback.frontendPlan(runbook()), RunRequest.drill("dry"));
        }

        assertThat(report.step("image-rollback").orElseThrow().evidence())
                .containsEntry(ImageRollbackStep.TO_IMAGES, "app=advisoros/web-app:stable-previous");
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
        assertThat(azure.requests()
                        .forOperation(AzureOperation.CDN_ENDPOINT_PURGE)
                        .all())
                .isEmpty();
        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(BLUE);
    }

    @Test
    void aStandbyRolloutThatStallsStopsTheFragmentBeforeTheTrafficMoves() {
        cluster.server.controller().stall(ns, "advisoros-web-green", 1);
        FrontendRunbook runbook = FrontendRunbook.builder()
                .namespace(ns)
                .service("advisoros-web")
                .standbyDeployment("advisoros-web-green")
                .stableImage("advisoros/web-app:stable-previous")
                .replicas(3)
                .healthCheck(runbook().healthCheck())
                .pollInterval(Duration.ofMillis(25))
                .rolloutStallTimeout(Duration.ofSeconds(1))
                .build();

        RollbackReport report = run(cluster.rollback.frontendPlan(runbook));

        assertThat(report.outcome()).as("the steps before succeeded").isEqualTo(RunOutcome.PARTIAL);
        assertThat(report.step("rollout").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("stalled").contains("/3 ready"));
        assertThat(report.step("switch-traffic").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(BLUE);
        cluster.server.controller().heal(ns, "advisoros-web-green");
    }
}
