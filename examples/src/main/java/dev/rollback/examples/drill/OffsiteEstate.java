package dev.rollback.examples.drill;

import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.StorageRollback;
import dev.rollback.testkit.azurite.AzuriteServer;
import java.util.function.Consumer;

/**
 * Where the drill ships backups off the runner: a local Azurite (the testkit's launcher; the first
 * run on a machine installs it from npm) with the {@value #CONTAINER} container, reached through the
 * Azure Storage SDK as a storage account would be. A runner that dies after the emergency backup
 * leaves a copy there, MD5-checked block by block, its manifest written last.
 */
final class OffsiteEstate implements AutoCloseable {
    static final String CONTAINER = "db-backups";
    static final String STEP = "ship-emergency-backup";

    private final AzuriteServer server;
    private StorageRollback storage;
    private BlobServiceClient client;

    private OffsiteEstate() {
        server = AzuriteServer.builder().build();
    }

    static OffsiteEstate start(Consumer<String> say) {
        OffsiteEstate estate = new OffsiteEstate();
        try {
            say.accept("starting Azurite (the off-site backup store)");
            estate.server.start();
            estate.client = new BlobServiceClientBuilder()
                    .connectionString(estate.server.connectionString())
                    .buildClient();
            estate.client.createBlobContainer(CONTAINER);
            estate.storage = StorageRollback.ofBlobs(BlobStorage.builder()
                    .connectionString(Secret.of(estate.server.connectionString()))
                    .build());
        } catch (RuntimeException e) {
            estate.close();
            throw e;
        }
        return estate;
    }

    /**
     * Adds the shipping of the emergency backup to {@code plan}: after step {@code emergency-backup},
     * under {@code component}, beside the backup's verification.
     */
    RollbackPlan.Builder addShipping(RollbackPlan.Builder plan, String component) {
        return plan.step(
                storage.backupUpload()
                        .id(STEP)
                        .component(component)
                        .sourceFromEvidence("emergency-backup", EmergencyBackupStep.PATH)
                        .container(CONTAINER)
                        .prefix("postgres/")
                        .build(),
                s -> s.dependsOn("emergency-backup"));
    }

    /** The connection string of the local Azurite, which also holds the documents' containers. */
    String connectionString() {
        return server.connectionString();
    }

    /** What the off-site store holds now. */
    String whatItHolds() {
        long blobs =
                client.getBlobContainerClient(CONTAINER).listBlobs().stream().count();
        return "the off-site store holds " + blobs + " blobs in " + CONTAINER;
    }

    @Override
    public void close() {
        server.close();
    }
}
