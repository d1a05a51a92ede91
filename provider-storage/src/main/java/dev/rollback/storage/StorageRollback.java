package dev.rollback.storage;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.Names;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The entry point of provider-storage: one Azure storage account (its Resource Manager side, for the
 * geo-replication status and the failover), and the builders of the steps and verifiers that act on
 * it, with the runbook's two storage sections as plan fragments.
 *
 * <pre>{@code
 * StorageRollback storage = StorageRollback.ofAccount(
 *         AzureStorageControlPlane.ofStorageManager(azure.storageAccounts().manager()),
 *         "advisoros-prod-primary-rg", "advisorosprodstore");
 * RollbackPlan plan = storage.accountRollbackPlan();   // replication status -> failover
 * }</pre>
 *
 * <pre>{@code
 * StorageRollback files = StorageRollback.ofBlobs(BlobStorage.builder()
 *         .connectionString(Secret.fromEnvironment("STORAGE_CONNECTION_STRING")).build());
 * RollbackPlan plan = files.fileRecoveryPlan();        // sync documents-backup -> documents, verified
 * }</pre>
 *
 * <p>Register what you use explicitly in a {@link RollbackPlan}; nothing is discovered from the
 * class path. Immutable and thread-safe; {@code with...} methods return a new instance. It calls
 * nothing until a step or verifier runs, and never logs or reports a key, a SAS or a connection
 * string.
 */
public final class StorageRollback {
    /** The component of the runbook's "Storage Account Rollback". */
    public static final String ACCOUNT_COMPONENT = "storage-account";
    /** The runbook's objectives for the storage account rollback: RTO 2 minutes, RPO 5 minutes (geo-replication). */
    public static final RecoveryObjectives ACCOUNT_OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(2), Duration.ofMinutes(5));

    /** The component of the runbook's "File Storage Recovery". */
    public static final String FILES_COMPONENT = "file-storage";
    /** The runbook's objectives for file storage recovery: RTO 15 minutes, RPO 10 minutes. */
    public static final RecoveryObjectives FILE_STORAGE_OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(10));
    /** The runbook's source container of the file storage recovery. */
    public static final String RUNBOOK_SOURCE_CONTAINER = "documents-backup";
    /** The runbook's destination container of the file storage recovery. */
    public static final String RUNBOOK_DESTINATION_CONTAINER = "documents";
    /** The runbook's include pattern of the file storage recovery. */
    public static final String RUNBOOK_INCLUDE_PATTERN = "*.pdf,*.docx,*.xlsx";

    private final Account account;
    private final BlobStorage blobs;

    record Account(AzureStorageControlPlane controlPlane, String resourceGroup, String name) {}

    private StorageRollback(Account account, BlobStorage blobs) {
        this.account = account;
        this.blobs = blobs;
    }

    /**
     * The Blob service {@code blobs}: what {@link BlobSyncStep}, {@link BlobIntegrityVerifier},
     * {@link BackupUploadStep} and {@link BackupDownloadStep} act on.
     */
    public static StorageRollback ofBlobs(BlobStorage blobs) {
        return new StorageRollback(null, Objects.requireNonNull(blobs, "blobs"));
    }

    /** The same account with its Blob service: for a {@code StorageRollback} made with {@link #ofAccount}. */
    public StorageRollback withBlobs(BlobStorage blobs) {
        return new StorageRollback(account, Objects.requireNonNull(blobs, "blobs"));
    }

    Blobs requireBlobs(String what) {
        if (blobs == null) {
            throw new IllegalArgumentException("blobs is required for " + what + ", but was not set on " + this
                    + "; use StorageRollback.ofBlobs(BlobStorage.builder()...build()) or withBlobs(..)");
        }
        return blobs.blobs();
    }

    /**
     * The storage account {@code resourceGroup/accountName} behind {@code controlPlane}: what
     * {@link ReplicationStatusCheck} and {@link AccountFailoverStep} act on.
     *
     * @throws IllegalArgumentException for a malformed resource group or account name
     */
    public static StorageRollback ofAccount(
            AzureStorageControlPlane controlPlane, String resourceGroup, String accountName) {
        return new StorageRollback(account(controlPlane, resourceGroup, accountName), null);
    }

    private static Account account(AzureStorageControlPlane controlPlane, String resourceGroup, String accountName) {
        Objects.requireNonNull(controlPlane, "controlPlane");
        return new Account(
                controlPlane,
                Names.resourceGroup(resourceGroup, "resourceGroup"),
                Names.account(accountName, "accountName"));
    }

    Optional<Account> account() {
        return Optional.ofNullable(account);
    }

    Account requireAccount(String what) {
        if (account == null) {
            throw new IllegalArgumentException("account is required for " + what + ", but was not set on " + this
                    + "; use StorageRollback.ofAccount(AzureStorageControlPlane.ofStorageManager(..), resourceGroup, name)"
                    + " or withAccount(..)");
        }
        return account;
    }

    /** A builder of a {@link ReplicationStatusCheck} of this account. */
    public ReplicationStatusCheck.Builder replicationCheck() {
        return ReplicationStatusCheck.builder(this);
    }

    /** A builder of an {@link AccountFailoverStep} of this account. */
    public AccountFailoverStep.Builder accountFailover() {
        return AccountFailoverStep.builder(this);
    }

    /**
     * Adds the runbook's "Storage Account Rollback" to {@code plan}: component
     * {@value #ACCOUNT_COMPONENT} with {@link #ACCOUNT_OBJECTIVES}; step
     * {@code storage-replication-status} (read-only: the runbook's {@code az storage account show
     * --query geoReplicationStats}; fails when the RPO gate refuses), then
     * {@code storage-account-failover} (the runbook's {@code az storage account failover}, a
     * customer-managed failover gated again right before it is sent, within the RPO of 5 minutes).
     * The runbook's third step, updating the CDN and the application configuration, is the
     * application's: the failover step's evidence names the new primary region and endpoints.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addAccountRollback(RollbackPlan.Builder plan) {
        return addAccountRollback(plan, accountFailover().build());
    }

    /**
     * As {@link #addAccountRollback(RollbackPlan.Builder)}, with the failover configured by the caller
     * (another RPO, a planned failover, an RPO override with its reason); the status step uses the
     * same gate.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addAccountRollback(RollbackPlan.Builder plan, AccountFailoverStep failover) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(failover, "failover");
        requireAccount("the storage account rollback");
        ReplicationStatusCheck.Builder check =
                replicationCheck().maxDataLoss(failover.maxDataLoss()).type(failover.type());
        failover.rpoOverride().ifPresent(check::overrideRpo);
        RollbackStep status = check.build().asStep("storage-replication-status", failover.component());
        return plan.component(failover.component(), ACCOUNT_OBJECTIVES)
                .step(status)
                .step(failover, s -> s.dependsOn(status.id()));
    }

    /** A plan {@code storage-account-rollback} holding only {@link #addAccountRollback the runbook fragment}. */
    public RollbackPlan accountRollbackPlan() {
        return addAccountRollback(RollbackPlan.builder("storage-account-rollback", ACCOUNT_OBJECTIVES))
                .build();
    }

    /**
     * The same account with its Resource Manager side: for a {@code StorageRollback} made for blobs
     * only.
     */
    public StorageRollback withAccount(
            AzureStorageControlPlane controlPlane, String resourceGroup, String accountName) {
        return new StorageRollback(account(controlPlane, resourceGroup, accountName), blobs);
    }

    /** A builder of a {@link BlobSyncStep} on this Blob service. */
    public BlobSyncStep.Builder blobSync() {
        return BlobSyncStep.builder(this);
    }

    /** A builder of a {@link BackupUploadStep} on this Blob service. */
    public BackupUploadStep.Builder backupUpload() {
        return BackupUploadStep.builder(this);
    }

    /** A builder of a {@link BackupDownloadStep} on this Blob service. */
    public BackupDownloadStep.Builder backupDownload() {
        return BackupDownloadStep.builder(this);
    }

    /** A builder of a {@link BlobIntegrityVerifier} on this Blob service. */
    public BlobIntegrityVerifier.Builder integrityVerifier() {
        return BlobIntegrityVerifier.builder(this);
    }

    /**
     * Adds the runbook's "File Storage Recovery" to {@code plan}: component {@value #FILES_COMPONENT}
     * with {@link #FILE_STORAGE_OBJECTIVES}; step {@code storage-blob-sync} from
     * {@value #RUNBOOK_SOURCE_CONTAINER} to {@value #RUNBOOK_DESTINATION_CONTAINER} for
     * {@value #RUNBOOK_INCLUDE_PATTERN} (no deletes; overwritten blobs kept as snapshots), verified by
     * {@code storage-blob-integrity} (the runbook's "verify file integrity": names, sizes and MD5s of
     * both sides compared).
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addFileRecovery(RollbackPlan.Builder plan) {
        return addFileRecovery(
                plan,
                blobSync()
                        .sourceContainer(RUNBOOK_SOURCE_CONTAINER)
                        .destinationContainer(RUNBOOK_DESTINATION_CONTAINER)
                        .include(RUNBOOK_INCLUDE_PATTERN)
                        .build());
    }

    /**
     * As {@link #addFileRecovery(RollbackPlan.Builder)} with a sync configured by the caller; the
     * integrity check compares the same containers, prefix and patterns. A destructive sync (one that
     * deletes, or overwrites without snapshots) needs a safeguard step before it: the plan's
     * {@code build()} refuses it otherwise, naming the step.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addFileRecovery(RollbackPlan.Builder plan, BlobSyncStep sync) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(sync, "sync");
        BlobIntegrityVerifier integrity = integrityVerifier().sameAs(sync).build();
        return plan.component(sync.component(), FILE_STORAGE_OBJECTIVES).step(sync, s -> s.verifier(integrity));
    }

    /** A plan {@code file-storage-recovery} holding only {@link #addFileRecovery the runbook fragment}. */
    public RollbackPlan fileRecoveryPlan() {
        return addFileRecovery(RollbackPlan.builder("file-storage-recovery", FILE_STORAGE_OBJECTIVES))
                .build();
    }

    /** Where the account is; never a credential. */
    @Override
    public String toString() {
        return "StorageRollback["
                + (account == null ? "no account" : "account " + account.resourceGroup() + "/" + account.name())
                + (blobs == null ? ", no blobs" : ", " + blobs) + "]";
    }
}
