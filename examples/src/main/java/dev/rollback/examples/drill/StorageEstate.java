package dev.rollback.examples.drill;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.storage.AzureStorageControlPlane;
import dev.rollback.storage.BlobIntegrityVerifier;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.BlobSyncStep;
import dev.rollback.storage.StorageRollback;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.SimulatedStorageAccount;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The AdvisorOS document storage as the drill sees it: the geo-redundant storage account
 * {@value #ACCOUNT} on the simulated Azure control plane (its replication status, its failover),
 * the {@value StorageRollback#RUNBOOK_DESTINATION_CONTAINER} container and its geo-replicated backup
 * {@value StorageRollback#RUNBOOK_SOURCE_CONTAINER} on Azurite, and the application's table of the
 * documents it stored (name and MD5), in PostgreSQL. A region outage fails the storage requests,
 * stops the replication and leaves documents missing or truncated; the runbook's answer is the
 * storage account failover (gated by its RPO) and the file storage recovery from the backup,
 * verified blob by blob, with the documents of record counted afterwards.
 */
final class StorageEstate {
    static final String ACCOUNT = "advisorosprodstore";
    static final String PRIMARY = "westeurope";
    static final String SECONDARY = "northeurope";
    /** The custom signal of storage requests, and the rule and the action it leads to. */
    static final String SIGNAL = "storage-requests";

    static final String RULE = "storage-region-outage";
    static final String ACTION = "storage-failover";
    private static final int DOCUMENTS = 60;

    private final AzureControlPlaneSimulator azure;
    private final BlobServiceClient blobs;
    private final DataSource db;
    private final StorageRollback storage;
    private volatile boolean outage;

    private StorageEstate(AzureControlPlaneSimulator azure, String connectionString, DataSource db) {
        this.azure = azure;
        this.db = db;
        this.blobs = new BlobServiceClientBuilder()
                .connectionString(connectionString)
                .buildClient();
        // the failover is never re-sent: the pipeline is deadline-aware, as for the App Service swap
        this.storage = StorageRollback.ofAccount(
                        AzureStorageControlPlane.ofStorageManager(
                                AzureSimulatorClients.resourceManager(azure, DeadlineAwareRetryPolicy.ofDefaults())
                                        .storageAccounts()
                                        .manager()),
                        ApplicationEstate.RG,
                        ACCOUNT)
                .withBlobs(BlobStorage.builder()
                        .connectionString(Secret.of(connectionString))
                        .build());
    }

    /**
     * Seeds the account (replicating to {@value #SECONDARY}), both containers with the same
     * documents, and the application's document table in {@code db}.
     */
    static StorageEstate start(AzureControlPlaneSimulator azure, String connectionString, DataSource db)
            throws SQLException {
        StorageEstate estate = new StorageEstate(azure, connectionString, db);
        estate.seed();
        return estate;
    }

    private void seed() throws SQLException {
        account().locations(PRIMARY, SECONDARY).geoReplication("Live", Instant.now(), true);
        BlobContainerClient documents = blobs.createBlobContainer(StorageRollback.RUNBOOK_DESTINATION_CONTAINER);
        BlobContainerClient backup = blobs.createBlobContainer(StorageRollback.RUNBOOK_SOURCE_CONTAINER);
        try (Connection c = db.getConnection();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE \"Document\"(name text PRIMARY KEY, md5 text NOT NULL, size int NOT NULL)");
        }
        String[] kinds = {"pdf", "docx", "xlsx"};
        try (Connection c = db.getConnection();
                PreparedStatement insert =
                        c.prepareStatement("INSERT INTO \"Document\"(name, md5, size) VALUES (?, ?, ?)")) {
            for (int i = 1; i <= DOCUMENTS; i++) {
                String name = String.format(Locale.ROOT, "clients/%02d/return-%d.%s", i % 20, i, kinds[i % 3]);
                byte[] content = ("document " + i + " of the firm's client files\n")
                        .repeat(40 + i)
                        .getBytes(StandardCharsets.UTF_8);
                upload(documents, name, content);
                upload(backup, name, content);
                insert.setString(1, name);
                insert.setString(2, Base64.getEncoder().encodeToString(md5(content)));
                insert.setInt(3, content.length);
                insert.executeUpdate();
            }
        }
    }

    private static void upload(BlobContainerClient container, String name, byte[] content) {
        container.getBlobClient(name).upload(BinaryData.fromBytes(content), true);
    }

    private SimulatedStorageAccount account() {
        return azure.storageAccount(ApplicationEstate.RG, ACCOUNT);
    }

    /**
     * The primary region goes down at {@code now} (the drill's clock): the replication stopped 20 s
     * before, storage requests fail from now on, and the outage left four documents missing and six
     * truncated in {@value StorageRollback#RUNBOOK_DESTINATION_CONTAINER}.
     */
    void regionOutage(Instant now) {
        account().geoReplication("Live", now.minusSeconds(20), true);
        outage = true;
        BlobContainerClient documents = blobs.getBlobContainerClient(StorageRollback.RUNBOOK_DESTINATION_CONTAINER);
        int n = 0;
        for (BlobItem item : documents.listBlobs()) {
            n++;
            if (n % 15 == 0) {
                documents.getBlobClient(item.getName()).delete();
            } else if (n % 10 == 0) {
                upload(documents, item.getName(), "truncated".getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    /** The share of storage requests failing now: all while the primary is in the failed region. */
    int failingPercent() {
        return outage && PRIMARY.equals(account().primaryLocation()) ? 100 : 0;
    }

    /**
     * Adds the runbook's storage account rollback (the replication status read and gated on the
     * RPO, then the customer-managed failover) and file storage recovery (the documents synced back
     * from the backup, verified name by name, size and MD5, and the documents of record counted) to
     * {@code plan}.
     */
    RollbackPlan.Builder addStorageRecovery(RollbackPlan.Builder plan) {
        storage.addAccountRollback(
                plan,
                storage.accountFailover()
                        .pollInterval(Duration.ofMillis(20))
                        .reconcileTimeout(Duration.ofSeconds(10))
                        .build());
        BlobSyncStep sync = storage.blobSync()
                .sourceContainer(StorageRollback.RUNBOOK_SOURCE_CONTAINER)
                .destinationContainer(StorageRollback.RUNBOOK_DESTINATION_CONTAINER)
                .include(StorageRollback.RUNBOOK_INCLUDE_PATTERN)
                .build();
        BlobIntegrityVerifier integrity =
                storage.integrityVerifier().sameAs(sync).build();
        return plan.component(sync.component(), StorageRollback.FILE_STORAGE_OBJECTIVES)
                .step(sync, s -> s.verifier(integrity).verifier(documentsOfRecord()));
    }

    /**
     * Every document the application's table lists is in the documents container with its MD5;
     * the ones that are not are the records lost.
     */
    Verifier documentsOfRecord() {
        return Verifier.of("documents-of-record", ctx -> {
            long lost = documentsLost();
            ctx.evidence(EvidenceKey.RECORDS_LOST, lost);
            return new Verification(
                            "documents-of-record",
                            lost == 0,
                            "every document of the application's table in '"
                                    + StorageRollback.RUNBOOK_DESTINATION_CONTAINER + "' with its MD5",
                            lost + " of " + DOCUMENTS + " missing or different",
                            Map.of())
                    .withDetail(EvidenceKey.RECORDS_LOST.name(), EvidenceKey.RECORDS_LOST.write(lost));
        });
    }

    private long documentsLost() throws SQLException {
        Map<String, String> stored = new HashMap<>();
        BlobContainerClient documents = blobs.getBlobContainerClient(StorageRollback.RUNBOOK_DESTINATION_CONTAINER);
        for (BlobItem item : documents.listBlobs(new ListBlobsOptions(), null)) {
            byte[] md5 = item.getProperties().getContentMd5();
            if (md5 == null) { // a blob stored without its MD5: hash what it holds
                md5 = md5(documents
                        .getBlobClient(item.getName())
                        .downloadContent()
                        .toBytes());
            }
            stored.put(item.getName(), Base64.getEncoder().encodeToString(md5));
        }
        long lost = 0;
        try (Connection c = db.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name, md5 FROM \"Document\"")) {
            while (rs.next()) {
                if (!rs.getString(2).equals(stored.get(rs.getString(1)))) {
                    lost++;
                }
            }
        }
        return lost;
    }

    /** What the storage looks like now, read back from the simulator, Azurite and the document table. */
    String whatItHolds() throws SQLException {
        SimulatedStorageAccount account = account();
        return "the storage account's primary is " + account.primaryLocation() + " (secondary "
                + account.secondaryLocation().orElse("none") + ", " + account.sku() + "); "
                + (DOCUMENTS - documentsLost()) + " of " + DOCUMENTS + " documents of record intact";
    }

    /** The plan's objectives: the widest of its parts' (the file storage recovery's, RTO 15 min, RPO 10 min). */
    static RecoveryObjectives planObjectives() {
        return StorageRollback.FILE_STORAGE_OBJECTIVES;
    }

    private static byte[] md5(byte[] content) {
        try {
            return MessageDigest.getInstance("MD5").digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }

    @Override
    public String toString() {
        return "StorageEstate[" + ACCOUNT + ", " + Arrays.asList(PRIMARY, SECONDARY) + "]";
    }
}
