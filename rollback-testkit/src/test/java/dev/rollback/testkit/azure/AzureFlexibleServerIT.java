package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import com.azure.resourcemanager.postgresqlflexibleserver.models.CreateMode;
import com.azure.resourcemanager.postgresqlflexibleserver.models.Server;
import com.azure.resourcemanager.postgresqlflexibleserver.models.ServerState;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AzureFlexibleServerIT {

    private static final Instant EARLIEST =
            Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    private static AzureControlPlaneSimulator azure;
    private static PostgreSqlManager postgres;

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
    void forgetRequests() {
        azure.resetRequests();
    }

    private static Server restore(Server source, String target, Instant pointInTime) {
        return postgres.servers()
                .define(target)
                .withRegion(source.regionName())
                .withExistingResourceGroup(source.resourceGroupName())
                .withCreateMode(CreateMode.POINT_IN_TIME_RESTORE)
                .withSourceServerResourceId(source.id())
                .withPointInTimeUtc(OffsetDateTime.ofInstant(pointInTime, ZoneOffset.UTC))
                .create();
    }

    @Test
    void aPointInTimeRestoreCreatesANewReadyServerAndLeavesTheSourceAlone() {
        azure.flexibleServer("rg-pitr", "pg-src").earliestRestoreDate(EARLIEST);
        Server source = postgres.servers().getByResourceGroup("rg-pitr", "pg-src");
        assertThat(source.backup().earliestRestoreDate().toInstant()).isEqualTo(EARLIEST);
        Instant target = EARLIEST.plus(1, ChronoUnit.DAYS);

        Server restored = restore(source, "pg-restored", target);

        assertThat(restored.state()).isEqualTo(ServerState.READY);
        assertThat(restored.name()).isEqualTo("pg-restored");
        SimulatedFlexibleServer simulated =
                azure.findFlexibleServer("rg-pitr", "pg-restored").orElseThrow();
        assertThat(simulated.restoredFrom()).contains(source.id());
        assertThat(simulated.restorePointInTime()).contains(target);
        SimulatedFlexibleServer untouched =
                azure.findFlexibleServer("rg-pitr", "pg-src").orElseThrow();
        assertThat(untouched.state()).isEqualTo("Ready");
        assertThat(untouched.restoredFrom()).isEmpty();
        assertThat(untouched.earliestRestoreDate()).isEqualTo(EARLIEST);

        RecordedRequest put = azure.requests()
                .forOperation(AzureOperation.FLEXIBLE_SERVER_CREATE)
                .last();
        assertThat(put.path()).endsWith("/flexibleServers/pg-restored");
        assertThat(put.body())
                .contains("\"pointInTimeUTC\":\"" + target + "\"")
                .contains("\"createMode\":\"PointInTimeRestore\"");
        assertThat(put.queryParameter("api-version")).contains("2022-12-01");
        assertThat(azure.requests()
                        .forOperation(AzureOperation.OPERATION_STATUS)
                        .count())
                .isEqualTo(2);
        assertThat(azure.requests().matching("PUT", "/flexibleServers/pg-src").count())
                .isZero();
    }

    @Test
    void aRestoreTimeBeforeTheEarliestRestorePointIsRefusedAndCreatesNothing() {
        azure.flexibleServer("rg-early", "pg-src").earliestRestoreDate(EARLIEST);
        Server source = postgres.servers().getByResourceGroup("rg-early", "pg-src");

        assertThatThrownBy(() -> restore(source, "pg-too-early", EARLIEST.minusSeconds(1)))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("InvalidParameterValue"));
        assertThat(azure.findFlexibleServer("rg-early", "pg-too-early")).isEmpty();
    }

    @Test
    void aConnectionResetAfterTheRestoreWasAcceptedLeavesTheServerToAdoptAndTheRetryIsRefused() {
        azure.flexibleServer("rg-reset", "pg-src").earliestRestoreDate(EARLIEST);
        Server source = postgres.servers().getByResourceGroup("rg-reset", "pg-src");
        azure.inject(AzureOperation.FLEXIBLE_SERVER_CREATE, AzureFault.resetAfterAccepting());

        assertThatThrownBy(() -> restore(source, "pg-adopt", EARLIEST.plusSeconds(60)))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("ServerAlreadyExists"));

        assertThat(azure.requests().matching("PUT", "/flexibleServers/pg-adopt").all())
                .extracting(RecordedRequest::status)
                .containsExactly(0, 409);
        assertThat(azure.findFlexibleServer("rg-reset", "pg-adopt")).isPresent();
        assertThat(postgres.servers().getByResourceGroup("rg-reset", "pg-adopt").state())
                .isEqualTo(ServerState.UPDATING);
        assertThat(postgres.servers().getByResourceGroup("rg-reset", "pg-adopt").state())
                .as("the accepted restore goes on although its polling URL was lost")
                .isEqualTo(ServerState.READY);
    }

    @Test
    void aFailedRestoreOperationRemovesTheServerItHadStarted() {
        azure.flexibleServer("rg-fail", "pg-src").earliestRestoreDate(EARLIEST);
        Server source = postgres.servers().getByResourceGroup("rg-fail", "pg-src");
        azure.inject(
                AzureOperation.FLEXIBLE_SERVER_CREATE,
                AzureFault.operationFailed("InternalServerError", "Restore failed."));

        assertThatThrownBy(() -> restore(source, "pg-failed", EARLIEST.plusSeconds(60)))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("InternalServerError"));
        assertThat(azure.findFlexibleServer("rg-fail", "pg-failed")).isEmpty();
    }
}
