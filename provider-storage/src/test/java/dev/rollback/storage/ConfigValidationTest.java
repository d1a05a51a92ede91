package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.storage.StorageManager;
import java.time.Duration;
import java.time.OffsetDateTime;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Bad configuration is refused with a message naming the field and the value, before anything is called. */
class ConfigValidationTest {
    private static final AzureStorageControlPlane CONTROL_PLANE =
            AzureStorageControlPlane.ofStorageManager(StorageManager.authenticate(
                    request ->
                            Mono.just(new AccessToken("t", OffsetDateTime.now().plusHours(1))),
                    new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE)));

    @Test
    void accountAndResourceGroupNamesFollowAzuresRules() {
        assertThatThrownBy(() -> StorageRollback.ofAccount(CONTROL_PLANE, "rg", "Advisoros-Prod"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accountName must be 3-24 lower-case letters and digits")
                .hasMessageContaining("'Advisoros-Prod'");
        assertThatThrownBy(() -> StorageRollback.ofAccount(CONTROL_PLANE, "rg.", "store1"))
                .hasMessageContaining("resourceGroup")
                .hasMessageContaining("'rg.'");
        assertThatThrownBy(() -> StorageRollback.ofAccount(CONTROL_PLANE, "rg", "st"))
                .hasMessageContaining("'st'");
        assertThatThrownBy(() -> StorageRollback.ofAccount(null, "rg", "store1"))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("controlPlane");
    }

    @Test
    void failoverSettingsAreCheckedAtTheSetter() {
        StorageRollback storage = StorageRollback.ofAccount(CONTROL_PLANE, "rg", "store1");
        assertThatThrownBy(() -> storage.accountFailover().maxDataLoss(Duration.ZERO))
                .hasMessageContaining("maxDataLoss must be positive, but was PT0S");
        assertThatThrownBy(() -> storage.accountFailover().maxDataLoss(Duration.ofDays(31)))
                .hasMessageContaining("maxDataLoss must be at most PT720H");
        assertThatThrownBy(() -> storage.accountFailover().overrideRpo(" "))
                .hasMessageContaining("rpoOverride must not be blank");
        assertThatThrownBy(() -> storage.accountFailover().overrideRpo("ok\nFORGED LOG LINE"))
                .hasMessageContaining("rpoOverride must be one line");
        assertThatThrownBy(() -> storage.accountFailover().pollInterval(Duration.ofMillis(5)))
                .hasMessageContaining("pollInterval must be at least 10 ms, but was PT0.005S");
        assertThatThrownBy(() -> storage.accountFailover().id("no spaces")).hasMessageContaining("id must be");
        assertThatThrownBy(() -> storage.replicationCheck().maxDataLoss(Duration.ofSeconds(-1)))
                .hasMessageContaining("maxDataLoss must be positive");
    }

    @Test
    void theFailoverDefaultsAreTheRunbooks() {
        StorageRollback storage = StorageRollback.ofAccount(CONTROL_PLANE, "rg", "store1");
        AccountFailoverStep step = storage.accountFailover().build();
        assertThat(step.id()).isEqualTo("storage-account-failover");
        assertThat(step.component()).isEqualTo(StorageRollback.ACCOUNT_COMPONENT);
        assertThat(step.type()).isEqualTo(FailoverType.CUSTOMER_MANAGED);
        assertThat(step.maxDataLoss()).isEqualTo(Duration.ofMinutes(5));
        assertThat(step.idempotent()).isFalse();
        assertThat(step.rpoOverride()).isEmpty();
        assertThat(StorageRollback.ACCOUNT_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(2));
        assertThat(StorageRollback.ACCOUNT_OBJECTIVES.rpo()).isEqualTo(Duration.ofMinutes(5));
        assertThat(storage.accountRollbackPlan().steps())
                .extracting(s -> s.id())
                .containsExactly("storage-replication-status", "storage-account-failover");
    }
}
