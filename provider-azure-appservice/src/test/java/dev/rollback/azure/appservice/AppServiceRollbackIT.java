package dev.rollback.azure.appservice;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The App Service steps with the real Azure SDK against the testkit's control-plane simulator, run by the executor. */
class AppServiceRollbackIT {
    private static final String RG = "advisoros-prod-primary-rg";
    private static final String SLOT = "blue-previous";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static AzureControlPlaneSimulator simulator;
    private static AppServiceRollback azure;
    private static WireMockServer healthEndpoint;
    private String app;

    @BeforeAll
    static void start() {
        simulator = AzureControlPlaneSimulator.builder().start();
        azure = AppServiceRollback.ofAppServiceManager(
                AzureSimulatorClients.resourceManager(simulator).webApps().manager());
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

    @BeforeEach
    void seed() {
        app = "advisoros-prod-app-" + COUNTER.incrementAndGet();
        simulator
                .webApp(RG, app)
                .serving("DOCKER|advisoros:v42")
                .slot(SLOT)
                .serving("DOCKER|advisoros:v41")
                .state("Running");
        simulator.clearFaults();
        simulator.resetRequests();
    }

    private AppServiceRunbook runbook() {
        return AppServiceRunbook.builder()
                .resourceGroup(RG)
                .app(app)
                .backupSlot(SLOT)
                .expectedVersion("DOCKER|advisoros:v41")
                .healthCheck(HealthCheckVerifier.builder()
                        .url(healthEndpoint.baseUrl() + "/api/health")
                        .timeout(Duration.ofSeconds(2))
                        .build())
                .build();
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            return executor.run(plan, RunRequest.drill("app-service-it"));
        }
    }

    private List<RecordedRequest> swaps() {
        return simulator
                .requests()
                .matching("POST", "/sites/" + app + "/slots/" + SLOT + "/slotsswap")
                .all();
    }

    private List<RecordedRequest> routingWrites() {
        return simulator
                .requests()
                .matching("PATCH", "/sites/" + app + "/config/web")
                .all();
    }

    @Test
    void theRunbookFragmentRollsProductionBackToThePreviousVersion() {
        RollbackPlan plan = azure.runbookPlan(runbook());
        assertThat(plan.objectives().rto()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.objectives().rpo()).isEqualTo(Duration.ZERO);

        RollbackReport report = run(plan);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v41");
        assertThat(simulator.webApp(RG, app).slot(SLOT).content()).contains("DOCKER|advisoros:v42");
        assertThat(simulator.webApp(RG, app).rampUpRules()).isEmpty();

        List<RecordedRequest> writes = routingWrites();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).body())
                .contains("\"rampUpRules\"")
                .contains("\"name\":\"" + SLOT + "\"")
                .contains("\"reroutePercentage\":100.0")
                .contains(app + "-" + SLOT + ".azurewebsites.net");
        assertThat(writes.get(1).body()).contains("\"rampUpRules\":[]");
        assertThat(swaps()).hasSize(1);
        assertThat(swaps().get(0).body()).contains("\"targetSlot\":\"production\"");

        assertThat(report.step("route-traffic").orElseThrow().evidence())
                .containsEntry(TrafficRoutingStep.DISTRIBUTION, SLOT + "=100")
                .containsEntry(TrafficRoutingStep.PREVIOUS, "");
        assertThat(report.step("swap-slots").orElseThrow().evidence())
                .containsEntry(SlotSwapStep.BEFORE, "DOCKER|advisoros:v42")
                .containsEntry(SlotSwapStep.AFTER, "DOCKER|advisoros:v41");
        assertThat(report.step("check-backup-slot").orElseThrow().evidence()).containsEntry("slot.state", "Running");
        StepReport last = report.step("clear-traffic-routing").orElseThrow();
        assertThat(last.verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.passed()).isTrue());
    }

    @Test
    void aStoppedBackupSlotFailsPreflightBeforeAnyRoutingOrSwapRequest() {
        simulator.webApp(RG, app).slot(SLOT).state("Stopped");

        RollbackReport report = run(azure.runbookPlan(runbook()));

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        StepReport route = report.step("route-traffic").orElseThrow();
        assertThat(route.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(route.reason()).hasValueSatisfying(r -> assertThat(r).contains("state Stopped"));
        assertThat(report.step("swap-slots").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(swaps()).isEmpty();
        assertThat(routingWrites()).isEmpty();
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v42");
    }

    @Test
    void theSwapStepsOwnPreflightRefusesAStoppedSlotWithoutSendingASwap() {
        simulator.webApp(RG, app).slot(SLOT).state("Stopped");
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackReport report = run(RollbackPlan.builder("swap-only", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(swap)
                .build());
        assertThat(report.step("swap-slots").orElseThrow().reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("backup slot check failed").contains("state Stopped"));
        assertThat(swaps()).isEmpty();
    }

    @Test
    void a429WithRetryAfterIsWaitedAsAskedThenTheRoutingSucceeds() {
        // 4 refusals: the SDK's first request and its 3 retries; the step then fails transiently with Retry-After.
        simulator.inject(
                AzureOperation.WEB_APP_CONFIG_UPDATE,
                AzureFault.tooManyRequests(Duration.ofSeconds(1)).times(4));
        TrafficRoutingStep route =
                azure.trafficRouting().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackPlan plan = RollbackPlan.builder("route-429", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        route,
                        s -> s.timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(10))
                                        .build()))
                .build();

        RollbackReport report = run(plan);

        StepReport step = report.step("route-traffic").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        Attempt first = step.attempts().get(0);
        assertThat(first.failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 429").contains("Retry-After PT1S"));
        Instant firstEnded = first.startedAt().plus(first.duration());
        assertThat(Duration.between(firstEnded, step.attempts().get(1).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(routingWrites()).hasSize(5);
        assertThat(simulator.webApp(RG, app).rampUpRules())
                .singleElement()
                .satisfies(r -> assertThat(r.reroutePercentage()).isEqualTo(100.0));
    }

    @Test
    void a429WithAnHttpDateRetryAfterIsWaitedToo() {
        simulator.inject(
                AzureOperation.WEB_APP_CONFIG_UPDATE,
                AzureFault.tooManyRequestsUntilDate(Duration.ofSeconds(2)).times(4));
        TrafficRoutingStep route =
                azure.trafficRouting().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackReport report = run(RollbackPlan.builder("route-429-date", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        route,
                        s -> s.timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(10))
                                        .build()))
                .build());
        StepReport step = report.step("route-traffic").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        Attempt first = step.attempts().get(0);
        assertThat(first.failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 429").contains("Retry-After PT"));
        // an HTTP-date has whole seconds: the wait is the 2 s asked, less up to 1 s
        assertThat(Duration.between(
                        first.startedAt().plus(first.duration()),
                        step.attempts().get(1).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void connectionResetsOnTheSwapAreRetriedAndTheSwapHappensOnce() {
        // the SDK's request and its 3 retries are reset before any effect; the executor's second attempt swaps
        simulator.inject(
                AzureOperation.SLOT_SWAP, AzureFault.connectionReset().times(1 + AzureSimulatorClients.MAX_RETRIES));
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackReport report = run(RollbackPlan.builder("swap-reset", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        swap,
                        s -> s.timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(10))
                                        .build()))
                .build());
        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("connection"));
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v41");
        assertThat(simulator.webApp(RG, app).slot(SLOT).swapCount()).isEqualTo(1);
    }

    @Test
    void aSwapThatAzureReportsFailedFailsTheStepWithItsCodeAndLeavesProductionAlone() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.operationFailed("SwapFailed", "Warm-up failed."));
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackReport report = run(RollbackPlan.builder("swap-failed", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(swap, s -> s.timeout(Duration.ofSeconds(30)))
                .build());
        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason()).hasValueSatisfying(r -> assertThat(r).contains("swapping slot " + SLOT));
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v42");
    }

    @Test
    void a403OnTheSwapIsACredentialProblemAndIsNotRetried() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.status(403).times(10));
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        RollbackReport report = run(RollbackPlan.builder("swap-403", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(swap, s -> s.timeout(Duration.ofSeconds(30)))
                .build());
        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason()).hasValueSatisfying(r -> assertThat(r).contains("credential problem (HTTP 403"));
        assertThat(swaps()).hasSize(1);
    }

    @Test
    void a503StormEndsAsAFailureInsideTheDeadlineWithBoundedAttempts() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.status(503).times(1000));
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        Duration timeout = Duration.ofSeconds(20);
        RollbackPlan plan = RollbackPlan.builder("swap-503", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        swap,
                        s -> s.timeout(timeout)
                                .retry(RetrySettings.custom()
                                        .maxAttempts(4)
                                        .initialBackoff(Duration.ofMillis(50))
                                        .build()))
                .build();

        RollbackReport report = run(plan);

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.attempts()).hasSize(4);
        assertThat(step.attempts())
                .allSatisfy(a -> assertThat(a.failure())
                        .hasValueSatisfying(f -> assertThat(f).contains("HTTP 503")));
        assertThat(step.duration()).isLessThan(timeout);
        // each attempt: the SDK's request and its 3 retries
        assertThat(swaps()).hasSize(4 * (1 + AzureSimulatorClients.MAX_RETRIES));
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v42");
    }

    @Test
    void a401FailsAtOnceAsACredentialProblemAndTheReportHoldsNoToken() {
        simulator.inject(
                AzureOperation.WEB_APP_CONFIG_UPDATE, AzureFault.status(401).times(10));

        RollbackReport report = run(azure.runbookPlan(runbook()));

        StepReport route = report.step("route-traffic").orElseThrow();
        assertThat(route.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(route.attempts()).hasSize(1);
        assertThat(route.reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("credential problem").contains("401"));
        assertThat(routingWrites()).hasSize(1);
        assertThat(routingWrites().get(0).header("Authorization"))
                .hasValueSatisfying(h -> assertThat(h).contains(AzureSimulatorClients.ACCESS_TOKEN));
        String json = JsonReportRenderer.render(report);
        assertThat(json)
                .contains("credential problem")
                .doesNotContain(AzureSimulatorClients.ACCESS_TOKEN)
                .doesNotContain("Bearer");
        assertThat(swaps()).isEmpty();
    }

    @Test
    void a404NamesTheMissingSlotAndIsNotRetried() {
        TrafficRoutingStep route = azure.trafficRouting()
                .resourceGroup(RG)
                .app(app)
                .slot("no-such-slot")
                .requireRunningSlot(false)
                .build();
        RollbackReport report = run(RollbackPlan.builder("route-404", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(route)
                .build());
        StepReport step = report.step("route-traffic").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r).contains("no-such-slot").contains("not found"));
        assertThat(routingWrites()).isEmpty();
    }

    @Test
    void tookEffectIsFalseBeforeTheSwapAndTrueAfterItAndARetryDoesNotSwapBack() {
        SlotSwapStep swap = azure.slotSwap()
                .resourceGroup(RG)
                .app(app)
                .slot(SLOT)
                .expectedVersion("DOCKER|advisoros:v41")
                .build();
        TestStepContext context = TestStepContext.of("swap-slots", Duration.ofSeconds(30));
        assertThat(swap.tookEffect(context)).contains(false);

        swap.execute(context);

        assertThat(swap.tookEffect(TestStepContext.of("swap-slots", Duration.ofSeconds(30))))
                .contains(true);
        assertThat(context.evidence())
                .containsEntry(SlotSwapStep.BEFORE, "DOCKER|advisoros:v42")
                .containsEntry(SlotSwapStep.AFTER, "DOCKER|advisoros:v41")
                .containsEntry(SlotSwapStep.SWAPPED, "true");

        TestStepContext again = TestStepContext.of("swap-slots", Duration.ofSeconds(30));
        swap.execute(again);
        assertThat(again.evidence()).containsEntry(SlotSwapStep.SWAPPED, "false");
        assertThat(swaps()).hasSize(1);
        assertThat(simulator.webApp(RG, app).production().content()).contains("DOCKER|advisoros:v41");
    }

    @Test
    void withoutAnExpectedVersionTheSwapExpectsWhatTheSlotServedAndCannotTellBeforeItRan() {
        SlotSwapStep swap =
                azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT).build();
        TestStepContext context = TestStepContext.of("swap-slots", Duration.ofSeconds(30));
        assertThat(swap.tookEffect(context)).isEmpty();
        swap.execute(context);
        assertThat(context.evidence()).containsEntry(SlotSwapStep.EXPECTED, "DOCKER|advisoros:v41");
        assertThat(swap.tookEffect(context)).contains(true);
        swap.execute(context); // same run: remembers what it expected, does not swap back
        assertThat(swaps()).hasSize(1);
    }

    @Test
    void theSlotStateCheckPassesOnARunningSlotAndFailsWithEvidenceOtherwise() {
        SlotStateCheck check =
                azure.slotStateCheck().resourceGroup(RG).app(app).slot(SLOT).build();
        TestStepContext context = TestStepContext.of("check", Duration.ofSeconds(30));
        assertThat(check.verify(context).passed()).isTrue();
        simulator.webApp(RG, app).slot(SLOT).state("Stopped");
        assertThat(check.verify(context)).satisfies(v -> {
            assertThat(v.passed()).isFalse();
            assertThat(v.observed()).isEqualTo("state Stopped");
            assertThat(v.details()).containsEntry("hostName", app + "-" + SLOT + ".azurewebsites.net");
        });
        SlotStateCheck missing =
                azure.slotStateCheck().resourceGroup(RG).app(app).slot("green").build();
        assertThat(missing.verify(context).observed()).isEqualTo("slot not found");
    }
}
