package dev.rollback.azure.appservice;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.drill.DrillKind;
import dev.rollback.core.drill.DrillMode;
import dev.rollback.core.drill.DrillPlans;
import dev.rollback.core.drill.DrillRefusedException;
import dev.rollback.core.drill.StagingTargets;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The application rollback drill in drill mode with the real Azure SDK against the control-plane
 * simulator: the runbook's App Service plan composed for the staging web app runs; the same plan composed
 * for production's web app is refused before a single request reaches the control plane.
 */
class AppServiceDrillModeIT {
    private static final String SLOT = "blue-previous";
    private static final String V41 = "DOCKER|advisoros:v41";
    private static final String V42 = "DOCKER|advisoros:v42";

    private static AzureControlPlaneSimulator simulator;
    private static AppServiceRollback azure;
    private static WireMockServer healthEndpoint;

    @BeforeAll
    static void start() {
        simulator = AzureControlPlaneSimulator.builder().start();
        azure = AppServiceRollback.ofAppServiceManager(
                AzureSimulatorClients.resourceManager(simulator, AppServiceRollbackIT.POLICY)
                        .webApps()
                        .manager());
        healthEndpoint = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        healthEndpoint.start();
        healthEndpoint.stubFor(
                get("/api/health").willReturn(aResponse().withStatus(200).withBody("{\"status\":\"ok\"}")));
    }

    @AfterAll
    static void stop() {
        healthEndpoint.stop();
        simulator.close();
    }

    /** How the application composes its application rollback, for production or for staging. */
    private static RollbackPlan applicationRollback(String resourceGroup, String app) {
        return azure.runbookPlan(AppServiceRunbook.builder()
                .resourceGroup(resourceGroup)
                .app(app)
                .backupSlot(SLOT)
                .expectedVersion(V41)
                .healthCheck(HealthCheckVerifier.builder()
                        .url(healthEndpoint.baseUrl() + "/api/health")
                        .timeout(Duration.ofSeconds(2))
                        .build())
                .build());
    }

    @Test
    void theApplicationRollbackDrillRunsAgainstTheStagingWebApp() {
        simulator
                .webApp("rg-advisoros-staging", "advisoros-staging")
                .serving(V42)
                .slot(SLOT)
                .serving(V41)
                .state("Running");
        RollbackPlan production = applicationRollback("rg-advisoros", "advisoros");
        DrillPlans drills = DrillPlans.builder()
                .plan(DrillKind.APPLICATION_ROLLBACK, applicationRollback("rg-advisoros-staging", "advisoros-staging"))
                .build();
        StagingTargets policy =
                StagingTargets.custom().addProductionTargetsOf(production).build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = DrillMode.of(executor, policy).run(drills, DrillKind.APPLICATION_ROLLBACK, "drill-scheduler");
        }

        assertThat(report.outcome()).as(report.toString()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(simulator
                        .webApp("rg-advisoros-staging", "advisoros-staging")
                        .production()
                        .content())
                .contains(V41);
        assertThat(report.notes())
                .anySatisfy(n -> assertThat(n)
                        .startsWith("Drill mode: Application rollback drill against staging targets only: ")
                        .contains("rg-advisoros-staging/advisoros-staging/slots/" + SLOT)
                        .doesNotContain("rg-advisoros/advisoros/"));
    }

    @Test
    void theSamePlanComposedForAProductionWebAppIsRefusedBeforeAnyRequest() {
        simulator
                .webApp("rg-advisoros", "advisoros-prod-app")
                .serving(V42)
                .slot(SLOT)
                .serving(V41)
                .state("Running");
        RollbackPlan mistaken = applicationRollback("rg-advisoros", "advisoros-prod-app");
        simulator.resetRequests();

        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            DrillMode drillMode = DrillMode.of(executor, StagingTargets.ofDefaults());
            assertThatThrownBy(() -> drillMode.run(DrillKind.APPLICATION_ROLLBACK, mistaken, "drill-scheduler"))
                    .isInstanceOf(DrillRefusedException.class)
                    .hasMessageContaining("acts on 'rg-advisoros/advisoros-prod-app/slots/" + SLOT + "'")
                    .hasMessageContaining("production token 'prod'");
        }

        assertThat(simulator.requests().count())
                .as("requests to the control plane")
                .isZero();
        assertThat(simulator
                        .webApp("rg-advisoros", "advisoros-prod-app")
                        .production()
                        .content())
                .contains(V42);
    }
}
