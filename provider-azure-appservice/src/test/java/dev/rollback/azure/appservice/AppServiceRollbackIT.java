package dev.rollback.azure.appservice;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.azure.resourcemanager.appservice.fluent.WebAppsClient;
import com.azure.resourcemanager.appservice.fluent.models.SiteConfigResourceInner;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.testkit.RecordingListener;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureFault.RetryAfterForm;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The App Service steps with the real Azure SDK against the testkit's control-plane simulator, run by
 * the executor. Every test that runs a swap reads production again through the SDK afterwards and
 * compares it with what the report says.
 */
class AppServiceRollbackIT {
    private static final String RG = "advisoros-prod-primary-rg";
    private static final String SLOT = "blue-previous";
    private static final String V41 = "DOCKER|advisoros:v41";
    private static final String V42 = "DOCKER|advisoros:v42";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Tries per request in the provider's pipeline. */
    private static final int TRIES = 4;
    /** The deadline-aware policy the provider requires, with quick backoff and 5 s tries for the tests. */
    static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(TRIES)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .tryTimeout(Duration.ofSeconds(5))
            .build();

    private static AzureControlPlaneSimulator simulator;
    private static AppServiceRollback azure;
    /** An independent SDK client (azure-core's own pipeline) that reads what production serves after a run. */
    private static WebAppsClient sdk;

    private static WireMockServer healthEndpoint;
    private String app;

    @BeforeAll
    static void start() {
        simulator = AzureControlPlaneSimulator.builder().start();
        azure = AppServiceRollback.ofAppServiceManager(AzureSimulatorClients.resourceManager(simulator, POLICY)
                .webApps()
                .manager());
        sdk = AzureSimulatorClients.resourceManager(simulator)
                .webApps()
                .manager()
                .serviceClient()
                .getWebApps();
        simulator.webApp(RG, "warm-up").serving("v1");
        sdk.getConfiguration(RG, "warm-up"); // TLS and class loading, before any try is timed
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
        simulator.webApp(RG, app).serving(V42).slot(SLOT).serving(V41).state("Running");
        simulator.clearFaults();
        simulator.resetRequests();
    }

    private AppServiceRunbook runbook() {
        return AppServiceRunbook.builder()
                .resourceGroup(RG)
                .app(app)
                .backupSlot(SLOT)
                .expectedVersion(V41)
                .healthCheck(HealthCheckVerifier.builder()
                        .url(healthEndpoint.baseUrl() + "/api/health")
                        .timeout(Duration.ofSeconds(2))
                        .build())
                .build();
    }

    private static RollbackReport run(RollbackPlan plan) {
        return run(plan, new RecordingListener());
    }

    private static RollbackReport run(RollbackPlan plan, RecordingListener listener) {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(listener).build()) {
            return executor.run(plan, RunRequest.drill("app-service-it"));
        }
    }

    /** What production serves, read through the SDK now. */
    private String productionServesPerSdk() {
        return sdk.getConfiguration(RG, app).linuxFxVersion();
    }

    /** The traffic-routing rules, read through the SDK now, as {@code slot=percent}. */
    private List<String> routingPerSdk() {
        SiteConfigResourceInner config = sdk.getConfiguration(RG, app);
        if (config.experiments() == null || config.experiments().rampUpRules() == null) {
            return List.of();
        }
        return config.experiments().rampUpRules().stream()
                .map(r -> r.name() + "=" + Objects.requireNonNullElse(r.reroutePercentage(), 0.0))
                .toList();
    }

    /** The report's last word on what production serves agrees with production, read again. */
    private void reportAgreesWithProduction(RollbackReport report, String stepId) {
        StepReport swap = report.step(stepId).orElseThrow();
        assertThat(swap.evidence().get(SlotSwapStep.AFTER))
                .as("the report's swap.productionAfter, against production read through the SDK")
                .isEqualTo(productionServesPerSdk());
    }

    private SlotSwapStep.Builder swap() {
        return azure.slotSwap().resourceGroup(RG).app(app).slot(SLOT);
    }

    private static RollbackPlan swapPlan(String name, SlotSwapStep swap, Duration timeout) {
        return RollbackPlan.builder(name, AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        swap,
                        s -> s.timeout(timeout)
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(10))
                                        .build()))
                .build();
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
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(report, "swap-slots");
        assertThat(simulator.webApp(RG, app).slot(SLOT).content()).contains(V42);
        assertThat(routingPerSdk()).isEmpty();

        List<RecordedRequest> writes = routingWrites();
        assertThat(writes).hasSize(2);
        assertThat(writes.get(0).body())
                .contains("\"rampUpRules\"")
                .contains("\"name\":\"" + SLOT + "\"")
                .contains("\"reroutePercentage\":100.0")
                .contains(app + "-" + SLOT + ".azurewebsites.net");
        assertThat(writes.get(1).body())
                .as("the swap routes the traffic back to production at once: the slot now serves v42")
                .contains("\"rampUpRules\":[]");
        assertThat(swaps()).hasSize(1);
        assertThat(swaps().get(0).body()).contains("\"targetSlot\":\"production\"");

        assertThat(report.step("route-traffic").orElseThrow().evidence())
                .containsEntry(TrafficRoutingStep.DISTRIBUTION, SLOT + "=100")
                .containsEntry(TrafficRoutingStep.PREVIOUS, "");
        assertThat(report.step("swap-slots").orElseThrow().evidence())
                .containsEntry(SlotSwapStep.BEFORE, V42)
                .containsEntry(SlotSwapStep.AFTER, V41)
                .containsEntry(SlotSwapStep.SWAPPED, "true")
                .hasEntrySatisfying(
                        SlotSwapStep.ROUTING,
                        r -> assertThat(r).startsWith("routed " + SLOT + "=100 back to production"));
        assertThat(report.step("check-backup-slot").orElseThrow().evidence()).containsEntry("slot.state", "Running");
        StepReport last = report.step("clear-traffic-routing").orElseThrow();
        assertThat(last.evidence()).containsEntry(TrafficRoutingStep.CHANGED, "false");
        assertThat(last.verifications())
                .singleElement()
                .satisfies(v -> assertThat(v.passed()).isTrue());
    }

    @Test
    void aSecondRunOfTheRunbookSendsNoSwapAndNoRoutingAndProductionKeepsThePreviousVersion() {
        RollbackReport first = run(azure.runbookPlan(runbook()));
        assertThat(first.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        simulator.resetRequests();

        RollbackReport second = run(azure.runbookPlan(runbook()));

        assertThat(second.outcome()).as(JsonReportRenderer.render(second)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(swaps())
                .as("the slot now holds v42: swapping it in again would undo the rollback")
                .isEmpty();
        assertThat(routingWrites()).isEmpty();
        assertThat(second.step("route-traffic").orElseThrow().evidence())
                .containsKey(TrafficRoutingStep.SKIPPED)
                .containsEntry(TrafficRoutingStep.DISTRIBUTION, "");
        assertThat(second.step("swap-slots").orElseThrow().evidence()).containsEntry(SlotSwapStep.SWAPPED, "false");
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(second, "swap-slots");
        assertThat(routingPerSdk()).isEmpty();
    }

    @Test
    void knowingOnlyTheBrokenVersionASecondRunDoesNotSwapBackEither() {
        SlotSwapStep swap = swap().brokenVersion(V42).build();

        RollbackReport first = run(swapPlan("swap-broken", swap, Duration.ofSeconds(30)));
        RollbackReport second = run(swapPlan("swap-broken", swap, Duration.ofSeconds(30)));

        assertThat(first.step("swap-slots").orElseThrow().evidence())
                .containsEntry(SlotSwapStep.EXPECTED, V41)
                .containsEntry(SlotSwapStep.BROKEN, V42)
                .containsEntry(SlotSwapStep.SWAPPED, "true");
        assertThat(second.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(second.step("swap-slots").orElseThrow().evidence()).containsEntry(SlotSwapStep.SWAPPED, "false");
        assertThat(swaps()).hasSize(1);
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(second, "swap-slots");
    }

    @Test
    void aSlotThatDoesNotServeTheVersionToRollBackToIsRefusedBeforeAnySwap() {
        simulator.webApp(RG, app).slot(SLOT).serving("DOCKER|advisoros:v40-also-broken");

        RollbackReport report =
                run(swapPlan("swap-wrong-slot", swap().expectedVersion(V41).build(), Duration.ofSeconds(30)));

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("serves 'DOCKER|advisoros:v40-also-broken'")
                        .contains("so nothing was sent"));
        assertThat(swaps()).isEmpty();
        assertThat(productionServesPerSdk()).isEqualTo(V42);
    }

    @Test
    void aSwapWhoseAnswerIsLostAfterAzureAcceptedItTakesEffectOnceAndTheReportSaysSo() {
        // The fault model's "reset after accept": Azure starts the swap, then the connection drops.
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.resetAfterAccepting());
        RecordingListener events = new RecordingListener();

        RollbackReport report = run(azure.runbookPlan(runbook()), events);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(swaps()).as("the pipeline never sent it again").hasSize(1);
        assertThat(simulator.webApp(RG, app).slot(SLOT).swapCount()).isEqualTo(1);
        StepReport swap = report.step("swap-slots").orElseThrow();
        assertThat(swap.attempts()).hasSize(1);
        assertThat(swap.evidence())
                .hasEntrySatisfying(
                        SlotSwapStep.RECONCILED,
                        r -> assertThat(r)
                                .contains("outcome is unknown")
                                .contains("after the request was sent")
                                .contains("took effect"));
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(report, "swap-slots");
        assertThat(routingPerSdk()).isEmpty();
    }

    @Test
    void aSwapResetBeforeAzureGotItIsSettledByReadingProductionAndSentOnceMore() {
        // Reset before any effect: the pipeline cannot know that, so the step reads production, which
        // still serves v42; the executor asks tookEffect (false) and the next attempt swaps.
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.connectionReset());
        RecordingListener events = new RecordingListener();
        SlotSwapStep swap = swap().expectedVersion(V41)
                .reconcileWindow(Duration.ofMillis(200))
                .build();

        RollbackReport report = run(swapPlan("swap-reset", swap, Duration.ofSeconds(30)), events);

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f)
                        .contains("outcome indeterminate")
                        .contains("production still serves '" + V42 + "'")
                        .contains("did not take effect"));
        assertThat(events.eventsOf(StepReconciled.class))
                .extracting(StepReconciled::verdict)
                .containsExactly(StepReconciled.Verdict.DID_NOT_TAKE_EFFECT);
        assertThat(simulator.webApp(RG, app).slot(SLOT).swapCount()).isEqualTo(1);
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(report, "swap-slots");
    }

    @Test
    void aSwapThatFailsAfterRoutingMovedRoutesTheTrafficBackToProductionAndSaysSo() {
        // Azure exchanges the slots, then reports the swap Failed: the route step had sent 100 % of the
        // traffic to blue-previous, which now serves the broken v42.
        simulator.inject(
                AzureOperation.SLOT_SWAP,
                AzureFault.operationFailedAfterEffect("SwapFailed", "Post-swap step failed."));

        RollbackReport report = run(azure.runbookPlan(runbook()));

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("Azure reports the operation FAILED with SwapFailed")
                        .contains("traffic routing: routed " + SLOT + "=100 back to production")
                        .contains(SLOT + " serves '" + V42 + "' and production serves '" + V41 + "'"));
        assertThat(report.step("clear-traffic-routing").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(routingPerSdk())
                .as("no user is sent to the slot that serves v42")
                .isEmpty();
        assertThat(simulator.webApp(RG, app).slot(SLOT).content()).contains(V42);
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(report, "swap-slots");
    }

    @Test
    void aSwapThatFailsBeforeAnyEffectLeavesTheTrafficOnTheSlotThatServesThePreviousVersion() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.operationFailed("SwapFailed", "Warm-up failed."));

        RollbackReport report = run(azure.runbookPlan(runbook()));

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("swapping slot " + SLOT)
                        .contains("SwapFailed")
                        .contains("traffic routing: left " + SLOT + "=100: " + SLOT + " serves '" + V41 + "'"));
        assertThat(routingPerSdk()).containsExactly(SLOT + "=100.0");
        assertThat(productionServesPerSdk()).isEqualTo(V42);
        reportAgreesWithProduction(report, "swap-slots");
    }

    @Test
    void aSwapStillRunningAtTheDeadlineNeedsAHumanDecisionAndIsNotSentAgain() {
        try (AzureControlPlaneSimulator slow = AzureControlPlaneSimulator.builder()
                .inProgressPolls(50)
                .operationRetryAfter(Duration.ofSeconds(60))
                .start()) {
            AppServiceRollback slowAzure =
                    AppServiceRollback.ofAppServiceManager(AzureSimulatorClients.resourceManager(slow, POLICY)
                            .webApps()
                            .manager());
            slow.webApp(RG, app).serving(V42).slot(SLOT).serving(V41);
            SlotSwapStep swap = slowAzure
                    .slotSwap()
                    .resourceGroup(RG)
                    .app(app)
                    .slot(SLOT)
                    .expectedVersion(V41)
                    .reconcileWindow(Duration.ZERO)
                    .build();

            RollbackReport report = run(swapPlan("swap-slow", swap, Duration.ofSeconds(20)));

            StepReport step = report.step("swap-slots").orElseThrow();
            assertThat(step.outcome())
                    .as(JsonReportRenderer.render(report))
                    .isEqualTo(StepOutcome.HUMAN_DECISION_REQUIRED);
            assertThat(step.attempts()).hasSize(1);
            assertThat(step.reason())
                    .hasValueSatisfying(r -> assertThat(r)
                            .contains("is still running")
                            .contains("as the server asked (Retry-After)")
                            .contains("the swap may yet land"));
            assertThat(slow.requests().forOperation(AzureOperation.SLOT_SWAP).count())
                    .isEqualTo(1);
        }
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
        assertThat(productionServesPerSdk()).isEqualTo(V42);
    }

    @Test
    void theSwapStepsOwnPreflightRefusesAStoppedSlotWithoutSendingASwap() {
        simulator.webApp(RG, app).slot(SLOT).state("Stopped");
        RollbackReport report = run(RollbackPlan.builder("swap-only", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(swap().expectedVersion(V41).build())
                .build());
        assertThat(report.step("swap-slots").orElseThrow().reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("backup slot check failed").contains("state Stopped"));
        assertThat(swaps()).isEmpty();
    }

    @Test
    void a429WithRetryAfterIsWaitedAsAskedThenTheRoutingSucceeds() {
        // 4 refusals: the pipeline's 4 tries; the step then fails transiently with Retry-After.
        simulator.inject(
                AzureOperation.WEB_APP_CONFIG_UPDATE,
                AzureFault.tooManyRequests(Duration.ofSeconds(1)).times(TRIES));
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
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 429").contains("(Retry-After: 1)"));
        Instant firstEnded = first.startedAt().plus(first.duration());
        assertThat(Duration.between(firstEnded, step.attempts().get(1).startedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(routingWrites()).hasSize(TRIES + 1);
        assertThat(routingPerSdk()).containsExactly(SLOT + "=100.0");
    }

    @Test
    void aRetryAfterFarBeyondTheBudgetOnTheSwapFailsAtOnceNamingBoth() {
        simulator.inject(
                AzureOperation.SLOT_SWAP,
                AzureFault.throttled(429, Duration.ofHours(1), RetryAfterForm.X_MS_RETRY_AFTER_MS)
                        .times(10));
        Duration timeout = Duration.ofSeconds(30);

        RollbackReport report =
                run(swapPlan("swap-throttled", swap().expectedVersion(V41).build(), timeout));

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).as("ended at once, long before its deadline").isEqualTo(StepOutcome.FAILED);
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("the server asked to wait PT1H (x-ms-retry-after-ms: 3600000)")
                        .contains("that step 'swap-slots' has left before its deadline")
                        .contains("retries stopped"));
        assertThat(step.duration()).isLessThan(timeout);
        assertThat(swaps()).hasSize(1);
        assertThat(productionServesPerSdk()).isEqualTo(V42);
        reportAgreesWithProduction(report, "swap-slots");
    }

    @Test
    void aSwapAnsweredLaterThanTheTryTimeoutIsATimeoutThatIsSettledByReadingProductionNeverASuccessOnItsOwn() {
        // Azure applies the swap and answers 8 s later, after the 5 s try timeout.
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.slowResponse(Duration.ofSeconds(8)));

        RollbackReport report =
                run(swapPlan("swap-slow-answer", swap().expectedVersion(V41).build(), Duration.ofSeconds(30)));

        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.evidence())
                .hasEntrySatisfying(SlotSwapStep.RECONCILED, r -> assertThat(r).contains("no answer within PT5S"));
        assertThat(simulator.webApp(RG, app).slot(SLOT).swapCount()).isEqualTo(1);
        assertThat(productionServesPerSdk()).isEqualTo(V41);
        reportAgreesWithProduction(report, "swap-slots");
    }

    @Test
    void a403OnTheSwapIsACredentialProblemAndIsNotRetried() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.status(403).times(10));
        RollbackReport report = run(RollbackPlan.builder("swap-403", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(swap().expectedVersion(V41).build(), s -> s.timeout(Duration.ofSeconds(30)))
                .build());
        StepReport step = report.step("swap-slots").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason()).hasValueSatisfying(r -> assertThat(r).contains("credential problem (HTTP 403"));
        assertThat(swaps()).hasSize(1);
        assertThat(productionServesPerSdk()).isEqualTo(V42);
    }

    @Test
    void a503StormEndsAsAFailureInsideTheDeadlineWithBoundedAttempts() {
        simulator.inject(AzureOperation.SLOT_SWAP, AzureFault.status(503).times(1000));
        Duration timeout = Duration.ofSeconds(20);
        RollbackPlan plan = RollbackPlan.builder("swap-503", AppServiceRollback.RUNBOOK_OBJECTIVES)
                .step(
                        swap().expectedVersion(V41).build(),
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
        // a 503 is a refusal, so even the swap is sent again: the pipeline's tries in each attempt
        assertThat(swaps()).hasSize(4 * TRIES);
        assertThat(productionServesPerSdk()).isEqualTo(V42);
        reportAgreesWithProduction(report, "swap-slots");
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
        SlotSwapStep swap = swap().expectedVersion(V41).build();
        TestStepContext context = TestStepContext.of("swap-slots", Duration.ofSeconds(30));
        assertThat(swap.tookEffect(context)).contains(false);

        swap.execute(context);

        assertThat(swap.tookEffect(TestStepContext.of("swap-slots", Duration.ofSeconds(30))))
                .contains(true);
        assertThat(context.evidence())
                .containsEntry(SlotSwapStep.BEFORE, V42)
                .containsEntry(SlotSwapStep.AFTER, V41)
                .containsEntry(SlotSwapStep.SWAPPED, "true");

        TestStepContext again = TestStepContext.of("swap-slots", Duration.ofSeconds(30));
        swap.execute(again);
        assertThat(again.evidence()).containsEntry(SlotSwapStep.SWAPPED, "false");
        assertThat(swaps()).hasSize(1);
        assertThat(productionServesPerSdk()).isEqualTo(V41);
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
