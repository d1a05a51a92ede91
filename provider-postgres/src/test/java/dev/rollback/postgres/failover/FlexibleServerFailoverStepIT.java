package dev.rollback.postgres.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.models.Server;
import com.azure.resourcemanager.postgresqlflexibleserver.models.ServerHAState;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
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

/** The forced failover of a flexible server with high availability, against the simulated control plane. */
class FlexibleServerFailoverStepIT {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static AzureControlPlaneSimulator simulator;
    private static PostgreSqlManager manager;
    private static HighAvailabilityControlPlane controlPlane;
    private String server;

    @BeforeAll
    static void simulator() {
        simulator = AzureControlPlaneSimulator.builder().inProgressPolls(2).start();
        manager = AzureSimulatorClients.postgreSqlManager(simulator);
        controlPlane = HighAvailabilityControlPlane.ofPostgreSqlManager(manager);
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
                .containsEntry(FlexibleServerFailoverStep.ANSWER, "answered HTTP 202")
                .containsEntry(EvidenceKey.DATA_LOSS_WINDOW.name(), "PT0S");
        // two "InProgress" answers, then "Succeeded": one progress report per answered poll
        assertThat(context.progress())
                .filteredOn(p -> p.contains("(poll "))
                .containsExactly(
                        "failover of rg1/" + server + ": InProgress (poll 1)",
                        "failover of rg1/" + server + ": InProgress (poll 2)",
                        "failover of rg1/" + server + ": Succeeded (poll 3)");
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
        assertThat(context.evidence().get(FlexibleServerFailoverStep.ANSWER)).isEqualTo("no answer within PT0.5S");
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
    void aThrottledRequestIsRetriedAndARepeatAfterSuccessAdoptsInsteadOfFailingBack() throws Exception {
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.tooManyRequests(Duration.ZERO));
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
        assertThat(failoverRequests()).isEqualTo(2);
    }

    @Test
    void noWaitOutlivesTheDeadlineAndResumeSeesTheFailoverUnderWay() {
        AzureControlPlaneSimulator slow =
                AzureControlPlaneSimulator.builder().inProgressPolls(1_000_000).start();
        try {
            slow.flexibleServer("rg1", server).availabilityZone("1").highAvailability("ZoneRedundant", "2");
            HighAvailabilityControlPlane slowPlane =
                    HighAvailabilityControlPlane.ofPostgreSqlManager(AzureSimulatorClients.postgreSqlManager(slow));
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
            assertThat(context.progress()).anyMatch(p -> p.contains("InProgress (poll "));
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
