package dev.rollback.kubernetes;

import static dev.rollback.kubernetes.MockCluster.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import dev.rollback.testkit.azure.SimulatedCdnEndpoint;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * CdnPurgeStep with the real Azure SDK (its pipeline retrying with rollback-azure's
 * {@code DeadlineAwareRetryPolicy}) against the testkit's control-plane simulator. The fault tests count
 * the purge requests the simulator received.
 */
class CdnPurgeStepIT {
    private static final String RG = "advisoros-prod-primary-rg";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int MAX_ATTEMPTS = 4;
    static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(MAX_ATTEMPTS)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .build();
    private static AzureControlPlaneSimulator azure;
    private static AzureCdnControlPlane cdn;
    private String endpoint;

    @BeforeAll
    static void start() {
        azure = AzureControlPlaneSimulator.builder().inProgressPolls(2).start();
        cdn = AzureCdnControlPlane.ofCdnManager(AzureSimulatorClients.resourceManager(azure, POLICY)
                .cdnProfiles()
                .manager());
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void seed() {
        endpoint = "advisoros-web-" + COUNTER.incrementAndGet();
        azure.clearFaults();
        azure.resetRequests();
    }

    private CdnPurgeStep.Builder purge(CdnEndpoint target) {
        return CdnPurgeStep.builder(cdn)
                .endpoint(target)
                .addContentPath("/_next/static/*")
                .addContentPath("/favicon.ico")
                .pollInterval(Duration.ofMillis(20));
    }

    private List<RecordedRequest> purgeRequests() {
        return azure.requests().forOperation(AzureOperation.CDN_ENDPOINT_PURGE).all();
    }

    @Test
    void purgesTheStaticAssetPathsOfACdnEndpointAsALongRunningOperation() {
        SimulatedCdnEndpoint simulated = azure.cdnEndpoint(RG, "advisoros-cdn", endpoint);

        RollbackReport report = run(RollbackPlan.builder("purge", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(purge(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint)).build())
                .build());

        StepReport step = report.step("purge-cdn").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.evidence())
                .containsEntry(CdnPurgeStep.HOST, endpoint + ".azureedge.net")
                .containsEntry(CdnPurgeStep.PATHS, "/_next/static/*,/favicon.ico")
                .containsEntry(CdnPurgeStep.POLLS, "3");
        assertThat(simulated.purges())
                .singleElement()
                .satisfies(p -> assertThat(p.contentPaths()).containsExactly("/_next/static/*", "/favicon.ico"));
        assertThat(purgeRequests()).singleElement().satisfies(r -> {
            assertThat(r.queryParameter("api-version")).contains("2024-02-01");
            assertThat(r.body()).contains("\"contentPaths\":[\"/_next/static/*\",\"/favicon.ico\"]");
            assertThat(r.status()).isEqualTo(202);
        });
    }

    @Test
    void purgesAFrontDoorEndpointForItsDomains() throws Exception {
        SimulatedCdnEndpoint simulated = azure.frontDoorEndpoint(RG, "advisoros-afd", endpoint);
        CdnPurgeStep step = purge(CdnEndpoint.frontDoor(RG, "advisoros-afd", endpoint))
                .addDomain("advisoros.com")
                .build();

        step.execute(TestStepContext.of("purge-cdn", Duration.ofSeconds(30)));

        assertThat(simulated.purges()).singleElement().satisfies(p -> {
            assertThat(p.contentPaths()).contains("/_next/static/*");
            assertThat(p.domains()).containsExactly("advisoros.com");
        });
        assertThat(step.tookEffect(TestStepContext.of("purge-cdn", Duration.ofSeconds(5))))
                .as("nothing to read back: a resumed run purges again")
                .contains(false);
    }

    @Test
    void anEndpointThatDoesNotExistFailsInPreflightBeforeAnyPurge() {
        assertThatThrownBy(() -> purge(CdnEndpoint.cdn(RG, "advisoros-cdn", "absent"))
                        .build()
                        .preflight(TestStepContext.of("purge-cdn", Duration.ofSeconds(10))))
                .isInstanceOfSatisfying(
                        RollbackException.class,
                        e -> assertThat(e.getMessage())
                                .contains("CDN endpoint " + RG + "/advisoros-cdn/absent does not exist")
                                .contains("nothing was purged"));
        assertThat(purgeRequests()).isEmpty();
    }

    @Test
    void a503StormIsRetriedWithinTheDeadlineAndAFailedOperationFailsWithItsCode() {
        SimulatedCdnEndpoint simulated = azure.cdnEndpoint(RG, "advisoros-cdn", endpoint);
        azure.inject(AzureOperation.CDN_ENDPOINT_PURGE, AzureFault.status(503).times(MAX_ATTEMPTS));
        RollbackReport report = run(RollbackPlan.builder("purge-503", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(
                        purge(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint)).build(),
                        s -> s.retry(RetrySettings.custom()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .build()))
                .build());
        StepReport step = report.step("purge-cdn").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 503"));
        assertThat(simulated.purges()).hasSize(1);

        azure.inject(
                AzureOperation.CDN_ENDPOINT_PURGE, AzureFault.operationFailed("PurgeFailed", "Origin unreachable."));
        assertThatThrownBy(() -> purge(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint))
                        .build()
                        .execute(TestStepContext.of("purge-cdn", Duration.ofSeconds(30))))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE);
                    assertThat(e.getMessage()).contains("PurgeFailed");
                });
        assertThat(simulated.purges()).hasSize(1);
    }

    @Test
    void aPurgeThatNeverFinishesEndsBeforeTheStepDeadlineNeverAfterIt() {
        try (AzureControlPlaneSimulator slow =
                AzureControlPlaneSimulator.builder().inProgressPolls(100_000).start()) {
            slow.cdnEndpoint(RG, "advisoros-cdn", endpoint);
            AzureCdnControlPlane slowCdn =
                    AzureCdnControlPlane.ofCdnManager(AzureSimulatorClients.resourceManager(slow, POLICY)
                            .cdnProfiles()
                            .manager());
            CdnPurgeStep step = CdnPurgeStep.builder(slowCdn)
                    .endpoint(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint))
                    .addContentPath("/_next/static/*")
                    .pollInterval(Duration.ofMillis(50))
                    .build();
            RollbackReport report = run(RollbackPlan.builder("purge-slow", KubernetesRollback.FRONTEND_OBJECTIVES)
                    .step(step, s -> s.timeout(Duration.ofSeconds(3)).retry(RetrySettings.none()))
                    .build());

            StepReport failed = report.step("purge-cdn").orElseThrow();
            // it ends itself before the deadline, saying a repeat is harmless; on a machine so loaded that a poll
            // outlasts its margin the executor stops it at the deadline: never after it either way
            assertThat(failed.outcome()).isIn(StepOutcome.FAILED, StepOutcome.TIMED_OUT);
            if (failed.outcome() == StepOutcome.FAILED) {
                assertThat(failed.reason())
                        .hasValueSatisfying(
                                r -> assertThat(r).contains("still running").contains("purging again is harmless"));
            }
            assertThat(failed.attempts().get(0).duration()).isLessThan(Duration.ofSeconds(3));
            assertThat(Integer.parseInt(failed.evidence().get(CdnPurgeStep.POLLS)))
                    .isGreaterThan(2);
            assertThat(slow.requests()
                            .forOperation(AzureOperation.CDN_ENDPOINT_PURGE)
                            .count())
                    .isEqualTo(1);
        }
    }

    @Test
    void aResetAfterAzureAcceptedThePurgeIsNeverReSentByThePipelineTheExecutorSettlesItAndPurgesAgain() {
        SimulatedCdnEndpoint simulated = azure.cdnEndpoint(RG, "advisoros-cdn", endpoint);
        azure.inject(AzureOperation.CDN_ENDPOINT_PURGE, AzureFault.resetAfterAccepting());

        RollbackReport report = run(RollbackPlan.builder("purge-reset", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(
                        purge(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint)).build(),
                        s -> s.retry(RetrySettings.custom()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .build()))
                .build());

        StepReport step = report.step("purge-cdn").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        // attempt 1: one POST, its answer lost, not re-sent by the pipeline; the executor read tookEffect (a purge
        // leaves nothing to read back: "not in place") and, the step being idempotent, ran attempt 2: one POST
        assertThat(step.attempts()).hasSize(2);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("not sent again"));
        assertThat(purgeRequests()).hasSize(2);
        // the second purge completed (the first one's operation, its polling URL lost with the answer, is not
        // followed: the simulator completes an operation only when it is polled)
        assertThat(simulated.purges())
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p.contentPaths()).containsExactly("/_next/static/*", "/favicon.ico"));
        assertThat(step.evidence()).containsEntry(CdnPurgeStep.HOST, simulated.hostName());
    }

    @Test
    void a503AskingForAWaitBeyondTheBudgetFailsAtOnceNamingBothAndPurgesNothing() {
        SimulatedCdnEndpoint simulated = azure.cdnEndpoint(RG, "advisoros-cdn", endpoint);
        azure.inject(
                AzureOperation.CDN_ENDPOINT_PURGE,
                AzureFault.throttled(503, Duration.ofHours(1), AzureFault.RetryAfterForm.SECONDS));

        RollbackReport report = run(RollbackPlan.builder("purge-retry-after", KubernetesRollback.FRONTEND_OBJECTIVES)
                .step(purge(CdnEndpoint.cdn(RG, "advisoros-cdn", endpoint)).build())
                .build());

        StepReport step = report.step("purge-cdn").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.attempts())
                .as("the executor does not wait an hour either")
                .hasSize(1);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f)
                        .contains("HTTP 503")
                        .contains("Retry-After: 3600")
                        .contains("step 'purge-cdn'")
                        .contains("was not waited for"));
        assertThat(purgeRequests()).hasSize(1);
        assertThat(simulated.purges()).isEmpty();
    }

    @Test
    void aManagerBuiltWithTheSdkDefaultPipelineIsRefusedNamingHowToBuildIt() {
        assertThatThrownBy(() -> AzureCdnControlPlane.ofCdnManager(AzureSimulatorClients.resourceManager(azure)
                        .cdnProfiles()
                        .manager()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the CdnManager's HTTP pipeline retries with")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
    }
}
