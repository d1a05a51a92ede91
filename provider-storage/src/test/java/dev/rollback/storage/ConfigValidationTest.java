package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.storage.StorageManager;
import dev.rollback.api.Secret;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Bad configuration is refused with a message naming the field and the value, before anything is called. */
class ConfigValidationTest {
    /** A manager over a pipeline that holds only the retry policy: building it calls nothing, and these tests send nothing. */
    private static final AzureStorageControlPlane CONTROL_PLANE =
            AzureStorageControlPlane.ofStorageManager(StorageManager.authenticate(
                    new HttpPipelineBuilder()
                            .policies(DeadlineAwareRetryPolicy.ofDefaults())
                            .build(),
                    new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE)));

    @Test
    void aManagerWhosePipelineHoldsNoDeadlineAwarePolicyIsRefusedSayingWhatToChange() {
        assertThatThrownBy(() -> AzureStorageControlPlane.ofStorageManager(StorageManager.authenticate(
                        new HttpPipelineBuilder().build(),
                        new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the StorageManager's HTTP pipeline holds 0 DeadlineAwareRetryPolicy")
                .hasMessageContaining(".withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
    }

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

    @Test
    void blobCredentialsAreCheckedWithoutShowingThem() {
        String key = "c2VjcmV0LWtleS1jYW5hcnktMTIzNDU2Nzg5MA==";
        assertThatThrownBy(() -> BlobStorage.builder().connectionString(Secret.of("AccountName=x;Password=" + key)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionString must hold AccountKey= or SharedAccessSignature=")
                .hasMessageNotContaining(key);
        assertThatThrownBy(() -> BlobStorage.builder()
                        .tokenCredential(
                                "https://x.blob.core.windows.net/?sv=1&sig=" + key, AzureSimulatorClients.credential()))
                .hasMessageContaining("endpoint must be an http(s) URL with a host and no query")
                .hasMessageNotContaining(key);
        assertThatThrownBy(() -> BlobStorage.builder().tokenCredential("ftp://x", AzureSimulatorClients.credential()))
                .hasMessageContaining("endpoint must be an http(s) URL");
        assertThatThrownBy(() -> BlobStorage.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a connectionString or a tokenCredential is required");
        assertThatThrownBy(() -> BlobStorage.builder().maxTries(0))
                .hasMessageContaining("maxTries must be between 1 and 10");
        assertThatThrownBy(() -> BlobStorage.builder().tryTimeout(Duration.ofMillis(100)))
                .hasMessageContaining("tryTimeout must be at least 1 s");
    }

    @Test
    void syncSettingsAreCheckedAtTheSetter() {
        StorageRollback blobs = StorageRollback.ofBlobs(BlobStorage.builder()
                .connectionString(
                        Secret.of("DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;"
                                + "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;"))
                .build());
        assertThatThrownBy(() -> blobs.blobSync().concurrency(0))
                .hasMessageContaining("concurrency must be between 1 and 256");
        assertThatThrownBy(() -> blobs.blobSync().maxDeleteShare(1.5))
                .hasMessageContaining("maxDeleteShare must be between 0 and 1, but was 1.5");
        assertThatThrownBy(() -> blobs.blobSync().prefix("../etc")).hasMessageContaining("no '.' or '..' segment");
        assertThatThrownBy(() -> blobs.blobSync().destinationContainer("ab")).hasMessageContaining("'ab'");
        assertThatThrownBy(() -> blobs.blobSync().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sourceContainer and destinationContainer are required");
        assertThatThrownBy(() -> StorageRollback.ofAccount(CONTROL_PLANE, "rg", "store1")
                        .blobSync()
                        .sourceContainer("a-b")
                        .destinationContainer("c-d")
                        .build())
                .hasMessageContaining("blobs is required for a blob sync");
        BlobSyncStep runbook = blobs.fileRecoveryPlan().steps().get(0).step() instanceof BlobSyncStep s ? s : null;
        assertThat(runbook).isNotNull();
        assertThat(runbook.idempotent()).isTrue();
        assertThat(runbook.destructive()).isFalse();
        assertThat(runbook.toString())
                .contains("documents-backup/ -> documents/")
                .contains("include=*.pdf,*.docx,*.xlsx");
        assertThat(StorageRollback.FILE_STORAGE_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(15));
        assertThat(StorageRollback.FILE_STORAGE_OBJECTIVES.rpo()).isEqualTo(Duration.ofMinutes(10));
    }
}
