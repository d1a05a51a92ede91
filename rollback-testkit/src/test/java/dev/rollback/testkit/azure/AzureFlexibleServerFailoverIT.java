package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.models.FailoverMode;
import com.azure.resourcemanager.postgresqlflexibleserver.models.RestartParameter;
import com.azure.resourcemanager.postgresqlflexibleserver.models.Server;
import com.azure.resourcemanager.postgresqlflexibleserver.models.ServerHAState;
import com.azure.resourcemanager.postgresqlflexibleserver.models.ServerState;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The restart with failover of a flexible server with high availability, through the real SDK. */
class AzureFlexibleServerFailoverIT {

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static AzureControlPlaneSimulator azure;
    private static PostgreSqlManager postgres;
    private String name;

    @BeforeAll
    static void start() {
        azure = AzureControlPlaneSimulator.builder().start();
        postgres = AzureSimulatorClients.postgreSqlManager(azure);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void server() {
        name = "pg-ha-" + COUNTER.incrementAndGet();
        azure.flexibleServer("rg-ha", name).availabilityZone("1").highAvailability("ZoneRedundant", "2");
        azure.resetRequests();
    }

    private static RestartParameter forcedFailover() {
        return new RestartParameter().withRestartWithFailover(true).withFailoverMode(FailoverMode.FORCED_FAILOVER);
    }

    @Test
    void aForcedFailoverSwapsTheZonesOnlyWhenItsOperationCompletes() {
        SyncPoller<PollResult<Void>, Void> poller =
                postgres.serviceClient().getServers().beginRestart("rg-ha", name, forcedFailover(), Context.NONE);

        SimulatedFlexibleServer simulated = azure.flexibleServer("rg-ha", name);
        assertThat(simulated.failovers()).isEqualTo(1);
        assertThat(simulated.highAvailabilityState()).isEqualTo("FailingOver");
        assertThat(simulated.state()).isEqualTo("Updating");
        assertThat(simulated.availabilityZone()).isEqualTo("1");

        poller.waitForCompletion();

        Server after = postgres.servers().getByResourceGroup("rg-ha", name);
        assertThat(after.availabilityZone()).isEqualTo("2");
        assertThat(after.highAvailability().standbyAvailabilityZone()).isEqualTo("1");
        assertThat(after.highAvailability().state()).isEqualTo(ServerHAState.HEALTHY);
        assertThat(after.state()).isEqualTo(ServerState.READY);
        assertThat(simulated.lastFailoverMode()).contains("ForcedFailover");
        RecordedRequest post = azure.requests()
                .forOperation(AzureOperation.FLEXIBLE_SERVER_RESTART)
                .last();
        assertThat(post.path()).endsWith("/flexibleServers/" + name + "/restart");
        assertThat(post.queryParameter("api-version")).contains("2022-12-01");
        assertThat(post.body())
                .contains("\"restartWithFailover\":true")
                .contains("\"failoverMode\":\"ForcedFailover\"");
    }

    @Test
    void aSecondFailoverFailsBack() {
        postgres.servers().restart("rg-ha", name, forcedFailover(), Context.NONE);
        postgres.servers().restart("rg-ha", name, forcedFailover(), Context.NONE);

        SimulatedFlexibleServer simulated = azure.flexibleServer("rg-ha", name);
        assertThat(simulated.failovers()).isEqualTo(2);
        assertThat(simulated.availabilityZone()).isEqualTo("1");
        assertThat(simulated.standbyAvailabilityZone()).contains("2");
    }

    @Test
    void aServerWithoutHighAvailabilityIsRefusedAndNothingHappens() {
        azure.flexibleServer("rg-ha", name).highAvailability("Disabled", "");

        assertThatThrownBy(() -> postgres.servers().restart("rg-ha", name, forcedFailover(), Context.NONE))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getCode()).isEqualTo("HighAvailabilityNotEnabled");
                });
        assertThat(azure.flexibleServer("rg-ha", name).failovers()).isZero();
        assertThat(postgres.servers()
                        .getByResourceGroup("rg-ha", name)
                        .highAvailability()
                        .state())
                .isEqualTo(ServerHAState.NOT_ENABLED);
    }

    @Test
    void aStandbyThatIsNotHealthyIsRefused() {
        azure.flexibleServer("rg-ha", name).highAvailabilityState("ReplicatingData");

        assertThatThrownBy(() -> postgres.servers().restart("rg-ha", name, forcedFailover(), Context.NONE))
                .isInstanceOfSatisfying(
                        ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("StandbyNotHealthy"));
        assertThat(azure.flexibleServer("rg-ha", name).failovers()).isZero();
        assertThat(azure.flexibleServer("rg-ha", name).availabilityZone()).isEqualTo("1");
    }

    @Test
    void theSdkResendsAFailoverWhoseAnswerWasLostAndOnlyTheServerBeingBusyStopsTheSecond() {
        azure.inject(AzureOperation.FLEXIBLE_SERVER_RESTART, AzureFault.resetAfterAccepting());

        assertThatThrownBy(() -> postgres.servers().restart("rg-ha", name, forcedFailover(), Context.NONE))
                .isInstanceOfSatisfying(
                        ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("ServerNotReady"));

        assertThat(azure.requests()
                        .forOperation(AzureOperation.FLEXIBLE_SERVER_RESTART)
                        .count())
                .isEqualTo(2);
        assertThat(azure.flexibleServer("rg-ha", name).failovers()).isEqualTo(1);
        Server read = postgres.servers().getByResourceGroup("rg-ha", name);
        assertThat(read.highAvailability().state()).isEqualTo(ServerHAState.FAILING_OVER);
    }

    @Test
    void aRestartWithoutFailoverKeepsTheZones() {
        postgres.servers().restart("rg-ha", name);

        SimulatedFlexibleServer simulated = azure.flexibleServer("rg-ha", name);
        assertThat(simulated.restarts()).isEqualTo(1);
        assertThat(simulated.failovers()).isZero();
        assertThat(simulated.availabilityZone()).isEqualTo("1");
        assertThat(simulated.state()).isEqualTo("Ready");
    }
}
