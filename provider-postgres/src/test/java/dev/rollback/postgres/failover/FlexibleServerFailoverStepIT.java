package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.models.Server;
import com.azure.resourcemanager.postgresqlflexibleserver.models.ServerHAState;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.PostgresRollback;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.RecordedRequest;
import dev.rollback.testkit.azure.SimulatedFlexibleServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forced failover of a flexible server with high availability, with the real SDK (its pipeline
 * retrying with rollback-azure's {@code DeadlineAwareRetryPolicy}) against the simulated control plane.
 * The fault tests count the failover requests the simulator received and read the server again
 * through the SDK afterwards.
 */
class FlexibleServerFailoverStepIT {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final int MAX_ATTEMPTS = 4;
    private static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(MAX_ATTEMPTS)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .build();
    private static AzureControlPlaneSimulator simulator;
    /** An independent SDK client (the SDK's default pipeline) that reads the servers after a run. */
    private static PostgreSqlManager manager;

    private static HighAvailabilityControlPlane controlPlane;
    private String server;

    @BeforeAll
    static void simulator() {
        simulator = AzureControlPlaneSimulator.builder().inProgressPolls(2).start();
        manager = AzureSimulatorClients.postgreSqlManager(simulator);
        controlPlane = HighAvailabilityControlPlane.ofPostgreSqlManager(
                AzureSimulatorClients.postgreSqlManager(simulator, POLICY));
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void server() {
        server = "pg-prod-" + COUNTER.incrementAndGet();
        simulator.flexibleServer("rg1", server).availabilityZone("1").highAvailability("ZoneRedundant", "2");
        simulator.clearFaults();
        simulator.resetRequests();
    }

    private FlexibleServerFailoverStep.Builder step() {
        return FlexibleServerFailoverStep.builder()
                .controlPlane(controlPlane)
                .resourceGroup("rg1")
                .server(server)
                .pollInterval(Duration.ofMillis(20))
                .reconcileWindow(Duration.ofMillis(300));
    }

    private static TestStepContext context() {
        return TestStepContext.of("flexible-server-failover", Duration.ofSeconds(30));
    }

    private int failoverRequests() {
        return simulator
                .requests()
                .forOperation(AzureOperation.FLEXIBLE_SERVER_RESTART)
                .count();
    }

    @Test
    void failsOverToTheStandbyAndRecordsTheServerBeforeAndAfter() throws Exception {
        TestStepContext context = context();
        FlexibleServerFailoverStep step = step().build();
        assertThat(step.idempotent()).as("a second failover fails back").isFalse();

        step.preflight(context);
        step.execute(context);

        SimulatedFlexibleServer simulated = simulator.flexibleServer("rg1", server);
        assertThat(simulated.failovers()).isEqualTo(1);
        assertThat(simulated.lastFailoverMode()).contains("ForcedFailover");
        assertThat(simulated.availabilityZone()).isEqualTo("2");
        assertThat(context.evidence())
                .containsEntry(FlexibleServerFailoverStep.HA_MODE, "ZoneRedundant")
                .containsEntry(FlexibleServerFailoverStep.BEFORE_PRIMARY_ZONE, "1")
                .containsEntry(FlexibleServerFailoverStep.BEFORE_STANDBY_ZONE, "2")
                .containsEntry(FlexibleServerFailoverStep.BEFORE_HA_STATE, "Healthy")
                .containsEntry(FlexibleServerFailoverStep.BEFORE_STATE, "Ready")
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, "2")
                .containsEntry(FlexibleServerFailoverStep.AFTER_STANDBY_ZONE, "1")
                .containsEntry(FlexibleServerFailoverStep.AFTER_HA_STATE, "Healthy")
                .containsEntry(FlexibleServerFailoverStep.AFTER_STATE, "Ready")
                .containsEntry(FlexibleServerFailoverStep.SENT, "true")
                .containsEntry(FlexibleServerFailoverStep.ANSWER, "accepted; the operation reported Succeeded")
                .containsEntry(FlexibleServerFailoverStep.POLLS, "3")
                .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT0S");
        // two "InProgress" answers, then "Succeeded": one progress report per answered poll
        String what = "the forced failover of flexible server rg1/" + server;
        assertThat(context.progress())
                .filteredOn(p -> p.contains("(poll "))
                .containsExactly(
                        what + ": IN_PROGRESS (poll 1)",
                        what + ": IN_PROGRESS (poll 2)",
                        what + ": SUCCESSFULLY_COMPLETED (poll 3)");
        RecordedRequest post = simulator
                .requests()
                .forOperation(AzureOperation.FLEXIBLE_SERVER_RESTART)
                .last();
        assertThat(post.path())
                .endsWith("/resourceGroups/rg1/providers/Microsoft.DBforPostgreSQL/flexibleServers/" + server
                        + "/restart");
        assertThat(post.body())
                .contains("\"restartWithFailover\":true")
                .contains("\"failoverMode\":\"ForcedFailover\"");
        assertThat(post.header("Authorization")).contains("Bearer " + AzureSimulatorClients.ACCESS_TOKEN);
        assertThat(failoverRequests()).isEqualTo(1);
    }

    @Test
    void preflightRefusesAServerWithoutHighAvailabilityNamingWhyAndSendsNothing() {
        simulator.flexibleServer("rg1", server).highAvailability("Disabled", "");

        assertThatThrownBy(() -> step().build().preflight(context()))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("flexible server rg1/" + server + " has no high availability (mode Disabled)")
                .hasMessageContaining("nothing was changed");
        assertThat(failoverRequests()).isZero();
    }

    @Test
    void preflightAndExecuteRefuseAStandbyThatIsNotHealthy() {
        simulator.flexibleServer("rg1", server).highAvailabilityState("ReplicatingData");
        FlexibleServerFailoverStep step = step().build();

        assertThatThrownBy(() -> step.preflight(context()))
                .hasMessageContaining("the standby of flexible server rg1/" + server
                        + " is not healthy (high availability ReplicatingData)");
        assertThatThrownBy(() -> step.execute(context())).hasMessageContaining("is not healthy");
        assertThat(failoverRequests()).isZero();
        assertThat(simulator.flexibleServer("rg1", server).availabilityZone()).isEqualTo("1");
    }

    @Test
    void preflightRefusesAServerThatDoesNotExist() {
        assertThatThrownBy(() -> step().server("pg-missing").build().preflight(context()))
                .hasMessageContaining("flexible server rg1/pg-missing not found");
    }

    @Test
    void aResetAfterTheServerAcceptedIsReconciledByReadingItAndTheReportAgreesWithTheServer() {
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.resetAfterAccepting());
        RollbackPlan plan = PostgresRollback.flexibleServerFailoverPlan(step().build());

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = executor.run(plan, RunRequest.drill("failover-test"));
        }

        assertThat(report.outcome()).as(report.toString()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(failoverRequests()).isEqualTo(1);
        StepReport failover = report.step("flexible-server-failover").orElseThrow();
        assertThat(failover.attempts()).hasSize(1);
        assertThat(failover.evidence())
                .containsEntry(FlexibleServerFailoverStep.RECONCILED, "true")
                .containsEntry(FlexibleServerFailoverStep.SENT, "true");
        assertThat(failover.evidence().get(FlexibleServerFailoverStep.ANSWER)).startsWith("no answer");
        Server readBack = manager.servers().getByResourceGroup("rg1", server);
        assertThat(failover.evidence())
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, readBack.availabilityZone())
                .containsEntry(
                        FlexibleServerFailoverStep.AFTER_STANDBY_ZONE,
                        readBack.highAvailability().standbyAvailabilityZone())
                .containsEntry(
                        FlexibleServerFailoverStep.AFTER_HA_STATE,
                        readBack.highAvailability().state().toString());
        assertThat(readBack.availabilityZone()).isEqualTo("2");
        assertThat(readBack.highAvailability().state()).isEqualTo(ServerHAState.HEALTHY);
        assertThat(report.component("postgres").orElseThrow().dataLossWindow()).contains(Duration.ZERO);
    }

    @Test
    void anAnswerSlowerThanTheRequestTimeoutIsReconciledByReadingTheServer() throws Exception {
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.slowResponse(Duration.ofSeconds(3)));
        TestStepContext context = context();

        step().requestTimeout(Duration.ofMillis(500)).build().execute(context);

        assertThat(context.evidence())
                .containsEntry(FlexibleServerFailoverStep.RECONCILED, "true")
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, "2");
        assertThat(context.evidence().get(FlexibleServerFailoverStep.ANSWER))
                .startsWith("no answer")
                .contains("no answer within PT0.5S");
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(failoverRequests()).isEqualTo(1);
    }

    @Test
    void aRequestLostBeforeTheServerSawItAsksAHumanAndIsNeverSentAgain() {
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.connectionReset());
        TestStepContext context = context();

        assertThatThrownBy(() -> step().build().execute(context))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.HUMAN_DECISION_REQUIRED))
                .hasMessageContaining("step 'flexible-server-failover'")
                .hasMessageContaining("it was NOT sent again");
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isZero();
        assertThat(context.evidence()).containsEntry(FlexibleServerFailoverStep.RECONCILED, "false");
    }

    @Test
    void aThrottledRequestHadNoEffectSoThePipelineSendsItAgainAndOnlyOneFailoverHappens() throws Exception {
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.tooManyRequests(Duration.ZERO));
        TestStepContext context = context();

        step().build().execute(context);

        assertThat(failoverRequests())
                .as("the refused request and the accepted one")
                .isEqualTo(2);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(context.evidence()).containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, "2");
    }

    @Test
    void aThrottledStepIsRetriedAndARepeatAfterSuccessAdoptsInsteadOfFailingBack() throws Exception {
        simulator.inject(
                AzureOperation.FLEXIBLE_SERVER_RESTART,
                AzureFault.tooManyRequests(Duration.ZERO).times(MAX_ATTEMPTS));
        TestStepContext context = context();
        FlexibleServerFailoverStep step = step().build();

        assertThatThrownBy(() -> step.execute(context)).isInstanceOf(TransientFailureException.class);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isZero();
        assertThat(step.tookEffect(context)).contains(false);

        step.execute(context);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(step.tookEffect(context)).contains(true);

        step.execute(context);
        assertThat(context.evidence()).containsEntry(FlexibleServerFailoverStep.SENT, "false");
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(simulator.flexibleServer("rg1", server).availabilityZone()).isEqualTo("2");
        assertThat(failoverRequests())
                .as("four refused tries, then one accepted")
                .isEqualTo(MAX_ATTEMPTS + 1);
    }

    @Test
    void a503AskingForAWaitBeyondTheBudgetFailsAtOnceNamingBothAndNothingChanges() {
        simulator.inject(
                AzureOperation.FLEXIBLE_SERVER_RESTART,
                AzureFault.throttled(503, Duration.ofHours(1), AzureFault.RetryAfterForm.SECONDS));
        RollbackPlan plan = PostgresRollback.flexibleServerFailoverPlan(step().build());

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = executor.run(plan, RunRequest.drill("failover-retry-after"));
        }

        assertThat(report.outcome()).as(report.toString()).isNotEqualTo(RunOutcome.SUCCEEDED);
        StepReport failover = report.step("flexible-server-failover").orElseThrow();
        assertThat(failover.attempts())
                .as("the executor does not wait an hour either")
                .hasSize(1);
        assertThat(failover.attempts().get(0).failure().orElseThrow())
                .contains("HTTP 503")
                .contains("Retry-After: 3600")
                .contains("step 'flexible-server-failover'")
                .contains("was not waited for");
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isZero();
        Server readBack = manager.servers().getByResourceGroup("rg1", server);
        assertThat(readBack.availabilityZone())
                .as("the primary stayed where it was")
                .isEqualTo("1");
        assertThat(failover.evidence()).doesNotContainKey(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE);
    }

    @Test
    void aPollThatLosesItsAnswerIsReconciledByReadingTheServerAndTheFailoverIsNotSentAgain() {
        simulator.inject(
                AzureOperation.OPERATION_STATUS,
                AzureFault.resetAfterAccepting().times(MAX_ATTEMPTS));
        TestStepContext context = context();

        assertThatCode(() -> step().build().execute(context)).doesNotThrowAnyException();

        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        Server readBack = manager.servers().getByResourceGroup("rg1", server);
        assertThat(context.evidence())
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, readBack.availabilityZone())
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, "2");
    }

    @Test
    void anOperationReportedFailedAfterTheStandbyTookOverIsReportedAsTheServerShowsIt() throws Exception {
        simulator.inject(
                AzureOperation.FLEXIBLE_SERVER_RESTART,
                AzureFault.operationFailedAfterEffect("InternalServerError", "a late phase failed"));
        TestStepContext context = context();

        step().build().execute(context);

        assertThat(simulator.flexibleServer("rg1", server).failovers()).isEqualTo(1);
        assertThat(failoverRequests()).isEqualTo(1);
        Server readBack = manager.servers().getByResourceGroup("rg1", server);
        assertThat(readBack.availabilityZone()).isEqualTo("2");
        assertThat(context.evidence())
                .containsEntry(FlexibleServerFailoverStep.RECONCILED, "true")
                .containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, readBack.availabilityZone());
        assertThat(context.evidence().get(FlexibleServerFailoverStep.ANSWER)).contains("InternalServerError");
    }

    @Test
    void anOperationReportedFailedWithoutEffectFailsTheStepAndSaysWhereThePrimaryIs() {
        simulator.inject(
                AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.operationFailed("FailoverFailed", "standby lost"));
        TestStepContext context = context();

        assertThatThrownBy(() -> step().build().execute(context))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("FailoverFailed")
                .hasMessageContaining("primary in zone 1");
        assertThat(failoverRequests()).isEqualTo(1);
        assertThat(manager.servers().getByResourceGroup("rg1", server).availabilityZone())
                .isEqualTo("1");
        assertThat(context.evidence()).containsEntry(FlexibleServerFailoverStep.AFTER_PRIMARY_ZONE, "1");
    }

    @Test
    void aManagerBuiltWithTheSdkDefaultPipelineIsRefusedNamingHowToBuildIt() {
        assertThatThrownBy(() -> HighAvailabilityControlPlane.ofPostgreSqlManager(
                        AzureSimulatorClients.postgreSqlManager(simulator)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the PostgreSqlManager's HTTP pipeline retries with")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
    }

    @Test
    void noWaitOutlivesTheDeadlineAndResumeSeesTheFailoverUnderWay() {
        AzureControlPlaneSimulator slow =
                AzureControlPlaneSimulator.builder().inProgressPolls(1_000_000).start();
        try {
            slow.flexibleServer("rg1", server).availabilityZone("1").highAvailability("ZoneRedundant", "2");
            HighAvailabilityControlPlane slowPlane = HighAvailabilityControlPlane.ofPostgreSqlManager(
                    AzureSimulatorClients.postgreSqlManager(slow, POLICY));
            FlexibleServerFailoverStep step = step().controlPlane(slowPlane)
                    .pollInterval(Duration.ofMillis(100))
                    .build();
            TestStepContext context = TestStepContext.of("flexible-server-failover", Duration.ofSeconds(4));

            assertThatThrownBy(() -> step.execute(context))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_TIMED_OUT))
                    .hasMessageContaining("goes on in Azure and was not sent again");

            List<RecordedRequest> requests = slow.requests().all();
            assertThat(requests).isNotEmpty();
            assertThat(requests.get(requests.size() - 1).receivedAt()).isBefore(context.deadline());
            assertThat(context.progress()).anyMatch(p -> p.contains("IN_PROGRESS (poll "));
            assertThat(slow.requests()
                            .forOperation(AzureOperation.FLEXIBLE_SERVER_RESTART)
                            .count())
                    .isEqualTo(1);
            assertThat(slow.flexibleServer("rg1", server).failovers()).isEqualTo(1);
            assertThat(step.tookEffect(TestStepContext.of("flexible-server-failover", Duration.ofSeconds(5))))
                    .as("another run recorded no 'before': it cannot tell")
                    .isEmpty();
            TestStepContext resume = TestStepContext.of("flexible-server-failover", Duration.ofSeconds(5));
            context.evidence().forEach(resume::evidence);
            assertThat(step.tookEffect(resume)).contains(true);
        } finally {
            slow.close();
        }
    }
}
