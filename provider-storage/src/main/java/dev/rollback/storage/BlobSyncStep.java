package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.Globs;
import dev.rollback.storage.internal.Names;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's {@code az storage blob sync --source-container documents-backup --destination-container
 * documents --include-pattern "*.pdf,*.docx,*.xlsx"}, done carefully: makes the destination container
 * hold what the source holds, for the blobs whose names match the patterns, and reports what it did.
 *
 * <p><b>How.</b> Both containers are listed at once, page by page ({@code List Blobs}, 5,000 a page,
 * read ahead on their own threads) and merged by name, so memory stays bounded whatever the
 * containers hold. A source blob is <i>unchanged</i> when the destination has a blob of that name
 * with the same size and the same content MD5; otherwise it is copied server-side ({@code Copy
 * Blob}, the data never passes through the runner), in parallel on {@link Builder#concurrency
 * concurrency} threads, with at most twice that many blobs admitted at once (the listing waits:
 * backpressure).
 *
 * <p><b>MD5.</b> The service keeps a {@code Content-MD5} for blobs uploaded in one request and
 * copies it with the blob; a blob uploaded in blocks may have none. Where a side has none and the
 * sizes are equal, the step computes it by downloading the blob through a digest (nothing kept) and,
 * unless {@link Builder#storeComputedMd5(boolean) storeComputedMd5(false)}, stores it as the blob's
 * {@code Content-MD5} (its other headers kept, under an ETag condition) so the next run and the
 * integrity check need not download it again. A source blob without MD5 is hashed before it is
 * copied, so every copy carries one.
 *
 * <p><b>Changes during the sync.</b> Every write is conditional on what the listing showed: the copy
 * on the source's ETag ({@code x-ms-source-if-match}) and on the destination being the blob listed
 * ({@code If-Match}) or still absent ({@code If-None-Match: *}); a hash on the ETag listed. A blob
 * rewritten on either side during the sync is therefore never half-copied nor clobbered: it is
 * counted and named in the evidence, and the step fails with a transient failure (so the executor
 * retries it within the deadline, and the retry copies its new version). A blob the destination
 * holds and the sync overwrites is first kept as a blob snapshot, unless
 * {@link Builder#keepOverwritten(boolean) keepOverwritten(false)}.
 *
 * <p><b>Deletes.</b> Never, unless {@link Builder#deleteExtraneous(boolean) deleteExtraneous(true)}:
 * then the destination blobs matching the patterns that the source lacks are deleted, after every
 * copy succeeded, and only when they are at most {@link Builder#maxDeleteShare maxDeleteShare} of the
 * destination's matching blobs; otherwise the step fails before any delete, naming the share.
 *
 * <p><b>Idempotent</b>: a second run lists, compares and copies nothing. Destructive only when it may
 * delete, or overwrite without keeping a snapshot. Preflight (read-only): both containers exist.
 * Progress goes to {@link StepContext#progress} (listed, compared, copied, bytes) every half second
 * of work, so a stall timeout catches a sync that stopped moving.
 *
 * <p>Evidence: {@value #SOURCE}, {@value #DESTINATION}, {@value #PATTERNS}, {@value #LISTED_SOURCE},
 * {@value #LISTED_DESTINATION}, {@value #MATCHED}, {@value #UNCHANGED}, {@value #COPIED},
 * {@value #OVERWRITTEN}, {@value #BYTES_COPIED}, {@value #SNAPSHOTS}, {@value #MD5_COMPUTED},
 * {@value #MD5_STORED}, {@value #SOURCE_CHANGED}, {@value #DESTINATION_CHANGED}, {@value #CHANGED_NAMES}
 * (the first 20), {@value #FAILED}, {@value #FAILURES} (the first 20), {@value #EXTRA},
 * {@value #DELETED}.
 *
 * <p>Immutable and thread-safe. It never creates or deletes a container, never writes to a blob that
 * does not match the patterns, and never shows a credential.
 */
public final class BlobSyncStep implements RollbackStep {
    /** Evidence key: the source container and prefix. */
    public static final String SOURCE = "sync.source";
    /** Evidence key: the destination container and prefix. */
    public static final String DESTINATION = "sync.destination";
    /** Evidence key: the patterns. */
    public static final String PATTERNS = "sync.patterns";
    /** Evidence key: blobs listed at the source. */
    public static final String LISTED_SOURCE = "sync.listedSource";
    /** Evidence key: blobs listed at the destination. */
    public static final String LISTED_DESTINATION = "sync.listedDestination";
    /** Evidence key: source blobs matching the patterns. */
    public static final String MATCHED = "sync.matched";
    /** Evidence key: matching blobs already equal at the destination. */
    public static final String UNCHANGED = "sync.unchanged";
    /** Evidence key: blobs copied. */
    public static final String COPIED = "sync.copied";
    /** Evidence key: copies that replaced a different destination blob. */
    public static final String OVERWRITTEN = "sync.overwritten";
    /** Evidence key: bytes copied (server-side). */
    public static final String BYTES_COPIED = "sync.bytesCopied";
    /** Evidence key: destination blobs snapshotted before being overwritten. */
    public static final String SNAPSHOTS = "sync.snapshots";
    /** Evidence key: MD5s computed by download. */
    public static final String MD5_COMPUTED = "sync.md5Computed";
    /** Evidence key: computed MD5s stored on their blobs. */
    public static final String MD5_STORED = "sync.md5Stored";
    /** Evidence key: source blobs changed or deleted during the sync (not copied). */
    public static final String SOURCE_CHANGED = "sync.sourceChangedDuringSync";
    /** Evidence key: destination blobs changed during the sync (left as they were). */
    public static final String DESTINATION_CHANGED = "sync.destinationChangedDuringSync";
    /** Evidence key: the first 20 blobs changed during the sync, with what changed. */
    public static final String CHANGED_NAMES = "sync.changedDuringSync.names";
    /** Evidence key: blobs whose copy failed (after the SDK's retries). */
    public static final String FAILED = "sync.failed";
    /** Evidence key: the first 20 failures. */
    public static final String FAILURES = "sync.failures";
    /** Evidence key: matching destination blobs the source lacks. */
    public static final String EXTRA = "sync.extraAtDestination";
    /** Evidence key: blobs deleted at the destination. */
    public static final String DELETED = "sync.deleted";

    private final Blobs blobs;
    private final String id;
    private final String component;
    private final String sourceContainer;
    private final String destinationContainer;
    private final String prefix;
    private final Globs patterns;
    private final int concurrency;
    private final boolean keepOverwritten;
    private final boolean storeComputedMd5;
    private final boolean deleteExtraneous;
    private final double maxDeleteShare;

    private BlobSyncStep(Builder b, Blobs blobs) {
        this.blobs = blobs;
        this.id = b.id;
        this.component = b.component;
        this.sourceContainer = b.sourceContainer;
        this.destinationContainer = b.destinationContainer;
        this.prefix = b.prefix;
        this.patterns = b.patterns;
        this.concurrency = b.concurrency;
        this.keepOverwritten = b.keepOverwritten;
        this.storeComputedMd5 = b.storeComputedMd5;
        this.deleteExtraneous = b.deleteExtraneous;
        this.maxDeleteShare = b.maxDeleteShare;
    }

    /** A builder on {@code storage}, which must know its Blob service. */
    public static Builder builder(StorageRollback storage) {
        return new Builder(storage);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The container written (the account's Blob endpoint, no credentials) and the container copied from. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(blobs.describe() + "/" + destinationContainer + " from " + sourceContainer);
    }

    /** Always: a second run copies nothing, and deletes only what is still extraneous. */
    @Override
    public boolean idempotent() {
        return true;
    }

    /** When it may delete, or overwrite without keeping a snapshot. */
    @Override
    public boolean destructive() {
        return deleteExtraneous || !keepOverwritten;
    }

    /** Checks that both containers exist; changes nothing. */
    @Override
    public void preflight(StepContext context) {
        requireContainers(context);
    }

    private void requireContainers(StepContext context) {
        for (String container : List.of(sourceContainer, destinationContainer)) {
            if (!blobs.containerExists(container, context.remaining())) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "container " + container + " does not exist in " + blobs.describe() + "; nothing was copied");
            }
        }
    }

    /**
     * Syncs. A missing container is found by its listing, whose first page arrives before anything
     * is written (the merge needs the first page of both sides), so it fails before any write, as the
     * preflight would.
     */
    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.checkpoint();
        context.evidence(SOURCE, sourceContainer + "/" + prefix);
        context.evidence(DESTINATION, destinationContainer + "/" + prefix);
        context.evidence(PATTERNS, patterns.describe());
        SyncRun run = new SyncRun(this, blobs, context);
        try {
            run.run();
        } finally {
            run.evidence().forEach(context::evidence);
        }
        run.requireComplete();
    }

    /** Re-running is always safe (it only copies what differs), so a resumed run runs it again. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(false);
    }

    String sourceContainer() {
        return sourceContainer;
    }

    String destinationContainer() {
        return destinationContainer;
    }

    String prefix() {
        return prefix;
    }

    Globs patterns() {
        return patterns;
    }

    int concurrency() {
        return concurrency;
    }

    boolean keepOverwritten() {
        return keepOverwritten;
    }

    boolean storeComputedMd5() {
        return storeComputedMd5;
    }

    boolean deleteExtraneous() {
        return deleteExtraneous;
    }

    double maxDeleteShare() {
        return maxDeleteShare;
    }

    @Override
    public String toString() {
        return "BlobSyncStep[" + id + ", " + sourceContainer + "/" + prefix + " -> " + destinationContainer + "/"
                + prefix + ", " + patterns.describe() + (deleteExtraneous ? ", deletes" : "") + "]";
    }

    /**
     * Builds a {@link BlobSyncStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String id = "storage-blob-sync";
        private String component = StorageRollback.FILES_COMPONENT;
        private String sourceContainer;
        private String destinationContainer;
        private String prefix = "";
        private Globs patterns = Globs.all();
        private int concurrency = 16;
        private boolean keepOverwritten = true;
        private boolean storeComputedMd5 = true;
        private boolean deleteExtraneous;
        private double maxDeleteShare = 0.10;

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The step id. Default: {@code storage-blob-sync}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value StorageRollback#FILES_COMPONENT}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The container copied from (the backup). Required. */
        public Builder sourceContainer(String container) {
            this.sourceContainer = Names.container(container, "sourceContainer");
            return this;
        }

        /** The container copied to. Required; it must exist and differ from the source. */
        public Builder destinationContainer(String container) {
            this.destinationContainer = Names.container(container, "destinationContainer");
            return this;
        }

        /** Only blobs whose names start with this, on both sides (names are kept). Default: all. */
        public Builder prefix(String prefix) {
            this.prefix = Names.prefix(prefix, "prefix");
            return this;
        }

        /**
         * Adds include patterns, comma-separated, as the runbook's {@code "*.pdf,*.docx,*.xlsx"}; see
         * the provider's documentation for the matching rules (a pattern without {@code /} matches the
         * base name; case-sensitive). Default: every blob.
         */
        public Builder include(String patterns) {
            this.patterns = this.patterns.include(patterns, "include");
            return this;
        }

        /** Adds exclude patterns, comma-separated; an exclude wins over an include. Default: none. */
        public Builder exclude(String patterns) {
            this.patterns = this.patterns.exclude(patterns, "exclude");
            return this;
        }

        /** How many blobs are compared or copied at once; 1 to 256. Default: 16. */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.requireInRange(concurrency, "concurrency", 1, 256);
            return this;
        }

        /** Whether a destination blob is snapshotted before it is overwritten. Default: true. */
        public Builder keepOverwritten(boolean keepOverwritten) {
            this.keepOverwritten = keepOverwritten;
            return this;
        }

        /**
         * Whether an MD5 computed by download is stored on its blob (source or destination) as its
         * {@code Content-MD5}. Default: true; with false, the next run downloads it again.
         */
        public Builder storeComputedMd5(boolean storeComputedMd5) {
            this.storeComputedMd5 = storeComputedMd5;
            return this;
        }

        /** Whether matching destination blobs the source lacks are deleted. Default: false. */
        public Builder deleteExtraneous(boolean deleteExtraneous) {
            this.deleteExtraneous = deleteExtraneous;
            return this;
        }

        /**
         * The largest share of the destination's matching blobs a sync may delete; above it the step
         * fails before any delete. 0 to 1. Default: 0.10.
         */
        public Builder maxDeleteShare(double maxDeleteShare) {
            if (!(maxDeleteShare >= 0 && maxDeleteShare <= 1)) {
                throw new IllegalArgumentException("maxDeleteShare must be between 0 and 1, but was " + maxDeleteShare);
            }
            this.maxDeleteShare = maxDeleteShare;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if a container is missing or both name the same container
         * @throws IllegalArgumentException if the {@link StorageRollback} has no Blob service
         */
        public BlobSyncStep build() {
            if (sourceContainer == null || destinationContainer == null) {
                throw new IllegalStateException("sourceContainer and destinationContainer are required");
            }
            if (sourceContainer.equals(destinationContainer)) {
                throw new IllegalStateException("destinationContainer must differ from sourceContainer, but both were '"
                        + sourceContainer + "'");
            }
            return new BlobSyncStep(this, storage.requireBlobs("a blob sync"));
        }
    }
}
