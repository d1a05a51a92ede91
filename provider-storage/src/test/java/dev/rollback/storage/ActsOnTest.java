package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.storage.StorageManager;
import dev.rollback.api.Secret;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every storage step names what it acts on, with the account and the container, and never the SAS. */
class ActsOnTest {
    private static final String SIGNATURE = "sig=ActsOnCanary0123456789abcdef";

    private final StorageRollback blobs = StorageRollback.ofBlobs(BlobStorage.builder()
            .connectionString(Secret.of("BlobEndpoint=https://advisorosstaging.blob.core.windows.net/;"
                    + "SharedAccessSignature=sv=2024-08-04&ss=b&srt=co&sp=rwdl&" + SIGNATURE))
            .build());

    @Test
    void blobStepsNameTheBlobEndpointAndTheContainerWithoutTheSignature() {
        BackupUploadStep upload = BackupUploadStep.builder(blobs)
                .container("db-backups")
                .source(Path.of("backup.dump"))
                .build();
        BlobSyncStep sync = BlobSyncStep.builder(blobs)
                .sourceContainer("documents-backup")
                .destinationContainer("documents")
                .build();

        assertThat(upload.actsOn()).contains("https://advisorosstaging.blob.core.windows.net/db-backups");
        assertThat(sync.actsOn())
                .contains("https://advisorosstaging.blob.core.windows.net/documents from documents-backup");
        assertThat(upload.actsOn().orElseThrow() + sync.actsOn().orElseThrow())
                .doesNotContain("ActsOnCanary")
                .doesNotContain("sig=");
    }

    @Test
    void theAccountFailoverNamesTheResourceGroupAndTheAccount() {
        StorageRollback account = StorageRollback.ofAccount(
                // a manager over a pipeline that holds only the retry policy: building it calls nothing
                AzureStorageControlPlane.ofStorageManager(StorageManager.authenticate(
                        new HttpPipelineBuilder()
                                .policies(DeadlineAwareRetryPolicy.ofDefaults())
                                .build(),
                        new AzureProfile("tenant", "subscription", AzureEnvironment.AZURE))),
                "rg-staging",
                "advisorosstaging");

        assertThat(AccountFailoverStep.builder(account).build().actsOn()).contains("rg-staging/advisorosstaging");
        assertThat(ReplicationStatusCheck.builder(account)
                        .build()
                        .asStep("gate", "storage-account")
                        .actsOn())
                .contains("rg-staging/advisorosstaging");
    }
}
