package dev.rollback.testkit.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.storage.fluent.StorageAccountsClient;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.FailoverType;
import com.azure.resourcemanager.storage.models.GeoReplicationStats;
import com.azure.resourcemanager.storage.models.GeoReplicationStatus;
import com.azure.resourcemanager.storage.models.StorageAccountExpand;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AzureStorageIT {

    private static AzureControlPlaneSimulator azure;
    private static StorageAccountsClient accounts;

    @BeforeAll
    static void start() {
        azure = AzureControlPlaneSimulator.builder().start();
        AzureResourceManager arm = AzureSimulatorClients.resourceManager(azure);
        accounts = arm.storageAccounts().manager().serviceClient().getStorageAccounts();
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void forgetRequests() {
        azure.resetRequests();
    }

    private static StorageAccountInner read(String resourceGroup, String name) {
        return accounts.getByResourceGroupWithResponse(
                        resourceGroup, name, StorageAccountExpand.GEO_REPLICATION_STATS, Context.NONE)
                .getValue();
    }

    @Test
    void geoReplicationStatsComeBackOnlyWhenExpanded() {
        Instant lastSync = Instant.parse("2026-03-01T10:15:30Z");
        azure.storageAccount("rg-geo", "st1").geoReplication("Bootstrap", lastSync, false);

        GeoReplicationStats stats = read("rg-geo", "st1").geoReplicationStats();

        assertThat(stats.status()).isEqualTo(GeoReplicationStatus.BOOTSTRAP);
        assertThat(stats.lastSyncTime().toInstant()).isEqualTo(lastSync);
        assertThat(stats.canFailover()).isFalse();
        assertThat(azure.requests()
                        .forOperation(AzureOperation.STORAGE_ACCOUNT_GET)
                        .last()
                        .queryParameter("$expand"))
                .contains("geoReplicationStats");
        assertThat(accounts.getByResourceGroup("rg-geo", "st1").geoReplicationStats())
                .isNull();
    }

    @Test
    void anUnplannedFailoverMakesTheSecondaryPrimaryAndLeavesTheAccountLocallyRedundant() {
        azure.storageAccount("rg-fo", "st1").locations("westeurope", "northeurope");
        assertThat(read("rg-fo", "st1").geoReplicationStats().canFailover()).isTrue();

        accounts.failover("rg-fo", "st1");

        StorageAccountInner after = read("rg-fo", "st1");
        assertThat(after.primaryLocation()).isEqualTo("northeurope");
        assertThat(after.location()).isEqualTo("northeurope");
        assertThat(after.secondaryLocation()).isNull();
        assertThat(after.sku().name().toString()).isEqualTo("Standard_LRS");
        assertThat(after.geoReplicationStats()).isNull();
        assertThat(after.lastGeoFailoverTime()).isNotNull();
        assertThat(azure.requests()
                        .forOperation(AzureOperation.STORAGE_ACCOUNT_FAILOVER)
                        .last()
                        .queryParameter("failoverType"))
                .isEmpty();
        assertThat(azure.requests()
                        .forOperation(AzureOperation.OPERATION_RESULT)
                        .count())
                .isEqualTo(2);
    }

    @Test
    void aPlannedFailoverFlipsPrimaryAndSecondaryAndStaysGeoRedundant() {
        azure.storageAccount("rg-pfo", "st1").locations("westeurope", "northeurope");

        accounts.failover("rg-pfo", "st1", FailoverType.PLANNED, Context.NONE);

        StorageAccountInner after = read("rg-pfo", "st1");
        assertThat(after.primaryLocation()).isEqualTo("northeurope");
        assertThat(after.secondaryLocation()).isEqualTo("westeurope");
        assertThat(after.sku().name().toString()).isEqualTo("Standard_RAGRS");
        assertThat(after.geoReplicationStats().status()).isEqualTo(GeoReplicationStatus.LIVE);
        assertThat(azure.requests()
                        .forOperation(AzureOperation.STORAGE_ACCOUNT_FAILOVER)
                        .last()
                        .queryParameter("failoverType"))
                .contains("Planned");
    }

    @Test
    void theFailoverTakesEffectOnlyWhenItsOperationCompletes() {
        SimulatedStorageAccount account = azure.storageAccount("rg-lro", "st1");

        SyncPoller<PollResult<Void>, Void> poller = accounts.beginFailover("rg-lro", "st1");
        assertThat(account.failoverInProgress()).isTrue();
        assertThat(account.primaryLocation()).isEqualTo("westeurope");
        assertThat(read("rg-lro", "st1").failoverInProgress()).isTrue();
        assertThatThrownBy(() -> accounts.failover("rg-lro", "st1"))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("FailoverInProgress"));

        poller.waitForCompletion();
        assertThat(account.failoverInProgress()).isFalse();
        assertThat(account.primaryLocation()).isEqualTo("northeurope");
    }

    @Test
    void aFailoverThatIsNotAllowedIsRefusedWithoutEffect() {
        azure.storageAccount("rg-no", "st1").geoReplication("Unavailable", Instant.now(), false);

        assertThatThrownBy(() -> accounts.failover("rg-no", "st1"))
                .isInstanceOf(ManagementException.class)
                .satisfies(e -> assertThat(((ManagementException) e).getValue().getCode())
                        .isEqualTo("FailoverNotAllowed"));
        assertThat(azure.storageAccount("rg-no", "st1").primaryLocation()).isEqualTo("westeurope");
    }
}
