package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.StorageAccountExpand;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.SimulatedStorageAccount;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The storage account rollback with the real Azure SDK against the testkit's control-plane
 * simulator, run by the executor: the RPO gate, the failover, and a failover whose answer is lost
 * after Azure accepted it.
 */
class AccountFailoverIT {
    private static final String RG = "advisoros-prod-primary-rg";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int MAX_ATTEMPTS = 4;
    /** The pipeline's retry policy, as the control plane requires it (fast backoff for the test). */
    private static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(MAX_ATTEMPTS)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .build();

    private static AzureControlPlaneSimulator simulator;
    /** An independent client (the SDK's default pipeline) that reads the accounts again after a run. */
    private static AzureResourceManager arm;

    private static AzureStorageControlPlane controlPlane;
    private String name;
    private StorageRollback storage;

    @BeforeAll
    static void start() {
        simulator = AzureControlPlaneSimulator.builder().inProgressPolls(2).start();
        arm = AzureSimulatorClients.resourceManager(simulator);
        controlPlane =
                AzureStorageControlPlane.ofStorageManager(AzureSimulatorClients.resourceManager(simulator, POLICY)
                        .storageAccounts()
                        .manager());
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void seed() {
        name = "advisorosprodstore" + COUNTER.incrementAndGet();
        simulator.storageAccount(RG, name).geoReplication("Live", Instant.now().minusSeconds(90), true);
        simulator.clearFaults();
        simulator.resetRequests();
        storage = StorageRollback.ofAccount(controlPlane, RG, name);
    }

    private SimulatedStorageAccount account() {
        return simulator.storageAccount(RG, name);
    }

    private int failoverRequests() {
        return simulator
                .requests()
                .forOperation(AzureOperation.STORAGE_ACCOUNT_FAILOVER)
                .count();
    }

    private AccountFailoverStep.Builder failover() {
        return storage.accountFailover().pollInterval(Duration.ofMillis(20)).reconcileTimeout(Duration.ofSeconds(5));
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            return executor.run(plan, RunRequest.drill("storage-it"));
        }
    }

    private RollbackPlan plan(AccountFailoverStep step) {
        return storage.addAccountRollback(
                        RollbackPlan.builder("storage-account-rollback", StorageRollback.ACCOUNT_OBJECTIVES), step)
                .build();
    }

    @Test
    void theRunbookFragmentFailsOverWithinTheRpoAndReportsTheDataLossWindow() {
        RollbackPlan plan = plan(failover().build());
        assertThat(plan.objectivesOf(StorageRollback.ACCOUNT_COMPONENT)).isEqualTo(StorageRollback.ACCOUNT_OBJECTIVES);

        RollbackReport report = run(plan);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(account().primaryLocation()).isEqualTo("northeurope");
        assertThat(account().secondaryLocation()).isEmpty();
        assertThat(account().sku()).isEqualTo("Standard_LRS");

        StepReport status = report.step("storage-replication-status").orElseThrow();
        assertThat(status.evidence())
                .containsEntry("replication.status", "Live")
                .containsEntry("replication.canFailover", "true")
                .containsEntry("replication.refusals", "none");
        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.evidence())
                .containsEntry(AccountFailoverStep.PRIMARY_BEFORE, "westeurope")
                .containsEntry(AccountFailoverStep.EXPECTED_PRIMARY, "northeurope")
                .containsEntry(AccountFailoverStep.PRIMARY_AFTER, "northeurope")
                .containsEntry(AccountFailoverStep.SECONDARY_AFTER, "none")
                .containsEntry(AccountFailoverStep.SKU_AFTER, "Standard_LRS")
                .containsEntry(AccountFailoverStep.ANSWER, "COMPLETED")
                .containsEntry(AccountFailoverStep.ADOPTED, "false")
                .containsEntry("failover.endpoint.blob", "https://" + name + ".blob.core.windows.net/")
                .containsKey(AccountFailoverStep.LAST_FAILOVER_TIME);
        Duration window = EvidenceKey.DATA_LOSS_WINDOW
                .read(step.evidence().get(EvidenceKey.DATA_LOSS_WINDOW.name()))
                .orElseThrow();
        assertThat(window).isBetween(Duration.ofSeconds(90), Duration.ofSeconds(150));
        ComponentReport component =
                report.component(StorageRollback.ACCOUNT_COMPONENT).orElseThrow();
        assertThat(component.dataLossWindow()).contains(window);
        assertThat(component.rpo()).isEqualTo(TargetStatus.MET);
    }

    @Test
    void aLastSyncOlderThanTheRpoIsRefusedBeforeAnyWrite() {
        account().geoReplication("Live", Instant.now().minus(Duration.ofMinutes(7)), true);

        RollbackReport report = run(plan(failover().build()));

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        assertThat(failoverRequests()).isZero();
        assertThat(account().primaryLocation()).isEqualTo("westeurope");
        StepReport status = report.step("storage-replication-status").orElseThrow();
        assertThat(status.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(status.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("RPO gate")
                        .contains("would lose the writes of the last PT7M")
                        .contains("more than the RPO of PT5M")
                        .contains("nothing was changed"));
        assertThat(report.step("storage-account-failover").orElseThrow().outcome())
                .isEqualTo(StepOutcome.SKIPPED);
        // nothing was lost, so nothing claims a data-loss window
        assertThat(report.component(StorageRollback.ACCOUNT_COMPONENT)
                        .orElseThrow()
                        .dataLossWindow())
                .isEmpty();
    }

    @Test
    void theFailoverStepsOwnGateRefusesWithoutSendingWhenPlacedAlone() {
        account().geoReplication("Live", Instant.now().minus(Duration.ofMinutes(7)), true);
        AccountFailoverStep step = failover().build();

        RollbackReport report = run(RollbackPlan.builder("failover-only", StorageRollback.ACCOUNT_OBJECTIVES)
                .step(step)
                .build());

        StepReport failed = report.step(step.id()).orElseThrow();
        assertThat(failed.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(failed.attempts()).hasSize(1);
        assertThat(failed.reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("RPO gate refused").contains("nothing was sent"));
        assertThat(failed.evidence())
                .containsEntry("replication.canFailover", "true")
                .hasEntrySatisfying(
                        "replication.lag",
                        lag -> assertThat(Duration.parse(lag)).isGreaterThan(Duration.ofMinutes(7)));
        assertThat(failoverRequests()).isZero();
    }

    @Test
    void anAccountThatNeverSyncedOrCannotFailOverIsRefused() {
        account().geoReplication("Bootstrap", Instant.now(), false);
        RollbackReport report = run(plan(failover().build()));
        assertThat(report.step("storage-replication-status").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("never synced").contains("canFailover false"));

        account().geoReplication("Unavailable", Instant.now().minusSeconds(30), false);
        report = run(plan(failover().build()));
        assertThat(report.step("storage-replication-status").orElseThrow().reason())
                .hasValueSatisfying(
                        r -> assertThat(r).contains("not possible now").doesNotContain("never synced"));
        assertThat(failoverRequests()).isZero();
    }

    @Test
    void anOverrideWithAReasonFailsOverAnywayAndTheReportShowsTheMissedRpo() {
        account().geoReplication("Live", Instant.now().minus(Duration.ofMinutes(20)), true);
        String reason = "primary region down for 40 minutes; CTO accepts losing 20 minutes of uploads";

        RollbackReport report = run(plan(failover().overrideRpo(reason).build()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(report.step("storage-replication-status").orElseThrow().evidence())
                .containsEntry(ReplicationStatusCheck.RPO_OVERRIDE, reason);
        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.evidence()).containsEntry(AccountFailoverStep.RPO_OVERRIDE, reason);
        assertThat(step.evidence().get("replication.refusals")).contains("more than the RPO of PT5M");
        ComponentReport component =
                report.component(StorageRollback.ACCOUNT_COMPONENT).orElseThrow();
        assertThat(component.dataLossWindow())
                .hasValueSatisfying(w -> assertThat(w).isBetween(Duration.ofMinutes(20), Duration.ofMinutes(21)));
        assertThat(component.rpo()).isEqualTo(TargetStatus.MISSED);
        assertThat(JsonReportRenderer.render(report)).contains(reason);
    }

    @Test
    void aFailoverAcceptedByAzureWhoseAnswerIsLostIsReconciledNotSentTwice() {
        simulator.inject(AzureOperation.STORAGE_ACCOUNT_FAILOVER, AzureFault.resetAfterAccepting());

        RollbackReport report = run(plan(failover().build()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(failoverRequests()).as("failover POSTs received").isEqualTo(1);
        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.evidence())
                .containsEntry(AccountFailoverStep.ANSWER, "ANSWER_LOST")
                .containsEntry(AccountFailoverStep.PRIMARY_AFTER, "northeurope")
                .containsKey(EvidenceKey.DATA_LOSS_WINDOW.name());
        assertThat(report.component(StorageRollback.ACCOUNT_COMPONENT)
                        .orElseThrow()
                        .rpo())
                .isEqualTo(TargetStatus.MET);

        // what the report says is what Azure serves, read back through the SDK after the run
        StorageAccountInner after = arm.storageAccounts()
                .manager()
                .serviceClient()
                .getStorageAccounts()
                .getByResourceGroupWithResponse(
                        RG, name, StorageAccountExpand.GEO_REPLICATION_STATS, com.azure.core.util.Context.NONE)
                .getValue();
        assertThat(after.primaryLocation()).isEqualTo(step.evidence().get(AccountFailoverStep.PRIMARY_AFTER));
        assertThat(after.failoverInProgress()).isFalse();
        assertThat(after.secondaryLocation()).isNull();
        assertThat(after.lastGeoFailoverTime()).isNotNull();
    }

    @Test
    void aRefusedFailoverRequestIsSentAgainOnlyBecauseTheRefusalProvesItHadNoEffect() {
        simulator.inject(
                AzureOperation.STORAGE_ACCOUNT_FAILOVER, AzureFault.status(503).times(MAX_ATTEMPTS));
        AccountFailoverStep step = failover().build();

        RollbackReport report = run(RollbackPlan.builder("failover-503", StorageRollback.ACCOUNT_OBJECTIVES)
                .step(
                        step,
                        s -> s.retry(RetrySettings.custom()
                                .maxAttempts(3)
                                .initialBackoff(Duration.ofMillis(10))
                                .build()))
                .build());

        StepReport failover = report.step(step.id()).orElseThrow();
        assertThat(failover.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(failover.attempts()).hasSize(2);
        assertThat(failover.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("HTTP 503"));
        // four refused tries in the first attempt (a 503 is a refusal: nothing was done), one accepted
        assertThat(failoverRequests()).isEqualTo(MAX_ATTEMPTS + 1);
        assertThat(account().primaryLocation()).isEqualTo("northeurope");
        assertThat(readBack().primaryLocation()).isEqualTo(failover.evidence().get(AccountFailoverStep.PRIMARY_AFTER));
    }

    @Test
    void a503AskingForAWaitBeyondTheBudgetFailsAtOnceNamingBothAndNothingChanges() {
        simulator.inject(
                AzureOperation.STORAGE_ACCOUNT_FAILOVER,
                AzureFault.throttled(503, Duration.ofHours(1), AzureFault.RetryAfterForm.SECONDS));

        RollbackReport report = run(plan(failover().build()));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isNotEqualTo(RunOutcome.SUCCEEDED);
        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.attempts())
                .as("the executor does not wait an hour either")
                .hasSize(1);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f)
                        .contains("HTTP 503")
                        .contains("Retry-After: 3600")
                        .contains("step 'storage-account-failover'")
                        .contains("was not waited for"));
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(readBack().primaryLocation())
                .as("the account did not fail over")
                .isEqualTo("westeurope");
        assertThat(readBack().failoverInProgress()).isFalse();
    }

    @Test
    void aPollThatLosesItsAnswerIsReconciledByReadingTheAccountAndTheFailoverIsNotSentAgain() throws Exception {
        simulator.inject(
                AzureOperation.OPERATION_RESULT,
                AzureFault.resetAfterAccepting().times(MAX_ATTEMPTS));
        AccountFailoverStep step = failover().build();
        TestStepContext context = TestStepContext.of(step.id(), Duration.ofSeconds(30));

        step.execute(context);

        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(context.evidence()).containsEntry(AccountFailoverStep.ANSWER, "STILL_RUNNING");
        StorageAccountInner after = readBack();
        assertThat(after.primaryLocation())
                .isEqualTo("northeurope")
                .isEqualTo(context.evidence().get(AccountFailoverStep.PRIMARY_AFTER));
        assertThat(after.failoverInProgress()).isFalse();
    }

    @Test
    void aFailoverStillRunningAtTheDeadlineStopsWaitingBeforeItAndIsNotSentAgain() {
        AzureControlPlaneSimulator slow =
                AzureControlPlaneSimulator.builder().inProgressPolls(1_000_000).start();
        try {
            slow.storageAccount(RG, name).geoReplication("Live", Instant.now().minusSeconds(90), true);
            StorageRollback slowStorage = StorageRollback.ofAccount(
                    AzureStorageControlPlane.ofStorageManager(AzureSimulatorClients.resourceManager(slow, POLICY)
                            .storageAccounts()
                            .manager()),
                    RG,
                    name);
            AccountFailoverStep step = slowStorage
                    .accountFailover()
                    .pollInterval(Duration.ofMillis(100))
                    .build();
            TestStepContext context = TestStepContext.of(step.id(), Duration.ofSeconds(3));

            Assertions.assertThatThrownBy(() -> step.execute(context))
                    .hasMessageContaining("still in progress at the step's deadline");

            assertThat(slow.requests()
                            .forOperation(AzureOperation.STORAGE_ACCOUNT_FAILOVER)
                            .count())
                    .isEqualTo(1);
            assertThat(slow.requests().last().receivedAt()).isBefore(context.deadline());
            assertThat(context.evidence()).containsEntry(AccountFailoverStep.ANSWER, "STILL_RUNNING");
            assertThat(context.progress()).anyMatch(p -> p.contains("IN_PROGRESS (poll "));
            assertThat(slow.storageAccount(RG, name).failoverInProgress()).isTrue();
        } finally {
            slow.close();
        }
    }

    @Test
    void aFailoverOperationThatFailsInAzureFailsTheStepAndChangesNothing() {
        simulator.inject(
                AzureOperation.STORAGE_ACCOUNT_FAILOVER,
                AzureFault.operationFailed("FailoverFailed", "The failover could not complete."));

        RollbackReport report = run(plan(failover().build()));

        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason()).hasValueSatisfying(r -> assertThat(r).contains("FailoverFailed"));
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(account().primaryLocation()).isEqualTo("westeurope");
    }

    @Test
    void aFailoverAlreadyInProgressIsAdoptedNotSentAgain() throws Exception {
        AccountFailoverStep step = failover().build();
        simulator.inject(AzureOperation.STORAGE_ACCOUNT_FAILOVER, AzureFault.resetAfterAccepting());
        // someone (or an earlier, crashed run) sent a failover; its answer was lost
        Assertions.assertThatThrownBy(() -> arm.storageAccounts()
                        .manager()
                        .serviceClient()
                        .getStorageAccounts()
                        .beginFailover(RG, name))
                .isInstanceOf(RuntimeException.class);
        assertThat(account().failoverInProgress()).isTrue();
        simulator.resetRequests();
        simulator.inject(
                AzureOperation.STORAGE_ACCOUNT_FAILOVER, AzureFault.status(409).times(5));

        TestStepContext context = TestStepContext.of(step.id(), Duration.ofSeconds(30));
        assertThat(step.tookEffect(context)).contains(false);
        step.execute(context);

        assertThat(failoverRequests()).isZero();
        assertThat(context.evidence())
                .containsEntry(AccountFailoverStep.ADOPTED, "true")
                .containsEntry(AccountFailoverStep.ANSWER, "NOT_SENT")
                .containsEntry(AccountFailoverStep.PRIMARY_AFTER, "northeurope")
                .doesNotContainKey(EvidenceKey.DATA_LOSS_WINDOW.name());
        assertThat(step.tookEffect(TestStepContext.of(step.id(), Duration.ofSeconds(5))))
                .contains(true);
    }

    @Test
    void resumeAsksTheAccountWhetherTheFailoverTookEffect() throws Exception {
        AccountFailoverStep step = failover().build();
        assertThat(step.tookEffect(TestStepContext.of(step.id(), Duration.ofSeconds(5))))
                .contains(false);
        step.execute(TestStepContext.of(step.id(), Duration.ofSeconds(30)));
        assertThat(step.tookEffect(TestStepContext.of(step.id(), Duration.ofSeconds(5))))
                .contains(true);
        // a second execute of a done failover adopts it and sends nothing
        simulator.resetRequests();
        TestStepContext again = TestStepContext.of(step.id(), Duration.ofSeconds(5));
        step.execute(again);
        assertThat(failoverRequests()).isZero();
        assertThat(again.evidence()).containsEntry(AccountFailoverStep.ADOPTED, "true");
    }

    @Test
    void aDryRunSeesTheRefusalAndSendsNothing() {
        account().geoReplication("Live", Instant.now().minus(Duration.ofMinutes(9)), true);
        AccountFailoverStep step = failover().build();
        Assertions.assertThatThrownBy(() -> step.preflight(TestStepContext.of(step.id(), Duration.ofSeconds(5))))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.STEP_FAILED))
                .hasMessageContaining("PT9M");
        assertThat(failoverRequests()).isZero();
        assertThat(simulator
                        .requests()
                        .forOperation(AzureOperation.STORAGE_ACCOUNT_GET)
                        .count())
                .isEqualTo(1);
    }

    @Test
    void aPlannedFailoverSwapsTheRegionsLosesNothingAndIgnoresTheLag() {
        account().geoReplication("Live", Instant.now().minus(Duration.ofHours(1)), true);
        AccountFailoverStep planned = failover().type(FailoverType.PLANNED).build();

        RollbackReport report = run(plan(planned));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(simulator
                        .requests()
                        .forOperation(AzureOperation.STORAGE_ACCOUNT_FAILOVER)
                        .last()
                        .queryParameter("failoverType"))
                .contains("Planned");
        assertThat(account().primaryLocation()).isEqualTo("northeurope");
        assertThat(account().secondaryLocation()).contains("westeurope");
        StepReport step = report.step("storage-account-failover").orElseThrow();
        assertThat(step.evidence())
                .containsEntry(AccountFailoverStep.TYPE, "PLANNED")
                .containsEntry(AccountFailoverStep.SECONDARY_AFTER, "westeurope")
                .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT0S");
        assertThat(report.component(StorageRollback.ACCOUNT_COMPONENT)
                        .orElseThrow()
                        .rpo())
                .isEqualTo(TargetStatus.MET);
    }

    @Test
    void aMissingAccountIsAClearConfigurationError() {
        StorageRollback missing = StorageRollback.ofAccount(controlPlane, RG, "nosuchaccount");
        AccountFailoverStep step = missing.accountFailover().build();
        Assertions.assertThatThrownBy(() -> step.preflight(TestStepContext.of(step.id(), Duration.ofSeconds(5))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("storage account " + RG + "/nosuchaccount not found (HTTP 404");
    }

    @Test
    void aManagerBuiltWithTheSdkDefaultPipelineIsRefusedNamingHowToBuildIt() {
        Assertions.assertThatThrownBy(() -> AzureStorageControlPlane.ofStorageManager(
                        arm.storageAccounts().manager()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the StorageManager's HTTP pipeline retries with")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
    }

    /** The account as Azure serves it, read again through the SDK. */
    private StorageAccountInner readBack() {
        return arm.storageAccounts()
                .manager()
                .serviceClient()
                .getStorageAccounts()
                .getByResourceGroupWithResponse(
                        RG, name, StorageAccountExpand.GEO_REPLICATION_STATS, com.azure.core.util.Context.NONE)
                .getValue();
    }
}
