package dev.rollback.kubernetes;

import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.kubernetes.KubernetesFault;
import dev.rollback.testkit.kubernetes.RecordedKubernetesRequest;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The frontend's Service selector switch (blue/green) and the API gateway's HTTPRoute switch. */
class TrafficSwitchIT {
    private static final Map<String, String> BLUE = Map.of("app", "advisoros-web", "color", "blue");
    private static final Map<String, String> GREEN = Map.of("app", "advisoros-web", "color", "green");
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

    private void blueGreen(int greenReplicas) {
        cluster.seed(ns, "advisoros-web-blue", BLUE, 2, "web:v42");
        cluster.seed(ns, "advisoros-web-green", GREEN, greenReplicas, "web:v41");
        cluster.service(ns, "advisoros-web", BLUE);
        cluster.server.resetRequests();
    }

    private TrafficSwitchStep.Builder toGreen() {
        return cluster.rollback
                .trafficSwitch()
                .namespace(ns)
                .service("advisoros-web")
                .targetDeployment("advisoros-web-green");
    }

    @Test
    void movesTheServiceSelectorToTheOtherDeploymentOnceAndAgainWritesNothing() {
        blueGreen(2);

        RollbackReport report = run(RollbackPlan.builder("switch", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(toGreen().build())
                .step(toGreen().id("switch-again").build(), s -> s.dependsOn("switch-traffic"))
                .build());

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(GREEN);
        assertThat(report.step("switch-traffic").orElseThrow().evidence())
                .containsEntry(TrafficSwitchStep.PREVIOUS, "app=advisoros-web,color=blue")
                .containsEntry(TrafficSwitchStep.SELECTOR, "app=advisoros-web,color=green")
                .containsEntry(TrafficSwitchStep.CHANGED, "true");
        assertThat(report.step("switch-again").orElseThrow().evidence())
                .containsEntry(TrafficSwitchStep.CHANGED, "false");
        assertThat(cluster.writes("/services/advisoros-web")).singleElement().satisfies(w -> {
            assertThat(w.method()).isEqualTo("PUT");
            assertThat(w.body()).contains("\"color\":\"green\"").doesNotContain("\"color\":\"blue\"");
        });
    }

    @Test
    void aTargetWithNoAvailableReplicaOrASelectorThatWouldAlsoMatchTheOtherColourIsRefusedBeforeAnyWrite() {
        blueGreen(0);
        TestStepContext ctx = TestStepContext.of("switch", Duration.ofSeconds(5));
        assertThatThrownBy(() -> toGreen().build().preflight(ctx))
                .hasMessageContaining("advisoros-web-green has no available replica")
                .hasMessageContaining("nothing was changed");

        cluster.seed(ns, "advisoros-web-all", Map.of("app", "advisoros-web"), 1, "web:v40");
        assertThatThrownBy(() ->
                        toGreen().targetDeployment("advisoros-web-all").build().preflight(ctx))
                .hasMessageContaining("would also select the pods of deployment " + ns + "/advisoros-web-")
                .hasMessageContaining("sending traffic to both");
        assertThatThrownBy(() -> toGreen().service("absent").build().preflight(ctx))
                .hasMessageContaining("service 'absent' does not exist in namespace '" + ns + "'");
        assertThat(cluster.server.requests(RecordedKubernetesRequest::isWrite)).isEmpty();
        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(BLUE);
    }

    @Test
    void aConflictingServiceUpdateIsReReadAndRetriedAndALostAnswerIsAdopted() throws Exception {
        blueGreen(1);
        String path = "/api/v1/namespaces/" + ns + "/services/advisoros-web";
        cluster.server.inject(KubernetesFault.concurrentWrite().on("PUT", path));
        cluster.server.inject(KubernetesFault.resetAfterHandling().on("PUT", path));
        TestStepContext ctx = TestStepContext.of("switch", Duration.ofSeconds(10));

        toGreen().build().execute(ctx);

        assertThat(cluster.selector(ns, "advisoros-web")).isEqualTo(GREEN);
        assertThat(cluster.writes("/services/advisoros-web"))
                .extracting(RecordedKubernetesRequest::status)
                .containsExactly(409, 0, 409);
        assertThat(ctx.evidence()).containsEntry(TrafficSwitchStep.CHANGED, "true");
        assertThat(toGreen().build().tookEffect(ctx)).contains(true);
    }

    @Test
    void theGatewayRouteSendsAllTrafficToTheStableBackendKeepingTheOtherAtWeightZero() throws Exception {
        cluster.service(ns, "advisoros-api", Map.of("app", "advisoros-api", "track", "current"));
        cluster.service(ns, "advisoros-api-stable", Map.of("app", "advisoros-api", "track", "stable"));
        cluster.route(ns, "advisoros-api", "advisoros-api");
        GatewayRoutingStep step = cluster.rollback
                .gatewayRouting()
                .namespace(ns)
                .route("advisoros-api")
                .backend("advisoros-api-stable")
                .build();
        TestStepContext ctx = TestStepContext.of("route", Duration.ofSeconds(10));
        assertThat(step.tookEffect(ctx)).contains(false);

        step.preflight(ctx);
        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(GatewayRoutingStep.PREVIOUS, "advisoros-api=1")
                .containsEntry(GatewayRoutingStep.BACKENDS, "advisoros-api=0,advisoros-api-stable=100")
                .containsEntry(GatewayRoutingStep.CHANGED, "true");
        assertThat(cluster.getRoute(ns, "advisoros-api")
                        .getSpec()
                        .getRules()
                        .get(0)
                        .getBackendRefs())
                .extracting(HTTPBackendRef::getName, HTTPBackendRef::getPort, HTTPBackendRef::getWeight)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("advisoros-api", 80, 0),
                        org.assertj.core.groups.Tuple.tuple("advisoros-api-stable", 80, 100));
        assertThat(cluster.getRoute(ns, "advisoros-api").getSpec().getHostnames())
                .containsExactly("api.advisoros.com");
        assertThat(step.tookEffect(ctx)).contains(true);
        TestStepContext again = TestStepContext.of("route", Duration.ofSeconds(10));
        step.execute(again);
        assertThat(again.evidence()).containsEntry(GatewayRoutingStep.CHANGED, "false");
        assertThat(cluster.writes("/httproutes/advisoros-api")).hasSize(1);

        assertThatThrownBy(() -> cluster.rollback
                        .gatewayRouting()
                        .namespace(ns)
                        .route("absent")
                        .backend("advisoros-api-stable")
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("HTTPRoute 'absent' does not exist in namespace '" + ns + "'");
        assertThatThrownBy(() -> cluster.rollback
                        .gatewayRouting()
                        .namespace(ns)
                        .route("advisoros-api")
                        .backend("no-such-service")
                        .build()
                        .preflight(ctx))
                .hasMessageContaining("service 'no-such-service' does not exist");
    }
}
