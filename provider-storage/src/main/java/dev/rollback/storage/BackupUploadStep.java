package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.AzureErrors;
import dev.rollback.storage.internal.BackupManifest;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.BlockUploads;
import dev.rollback.storage.internal.Md5;
import dev.rollback.storage.internal.Names;
import dev.rollback.storage.internal.Workers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Copies a local backup (one file, or a folder such as a {@code pg_dump} directory-format dump) to a
 * blob container, so that it survives the runner: an emergency backup on the runner's own disk is
 * lost with the runner. A plan puts it right after the emergency backup and takes the path from that
 * step's evidence ({@link Builder#sourceFromEvidence(String, String)}); this provider does not depend
 * on provider-postgres, it takes a path.
 *
 * <p><b>How.</b> Each file becomes a block blob named {@code <prefix><root>/<relative path>} (a
 * single file: {@code <prefix><file name>}), uploaded in blocks of {@link Builder#blockSize
 * blockSize}, {@link Builder#concurrency concurrency} at a time. Every block is sent with its MD5,
 * which the service checks (it refuses a block whose bytes arrived different); the blob is committed
 * with the whole file's MD5 as its {@code Content-MD5}, then read back and compared. A file
 * {@code <root>.sha256} next to the backup (as provider-postgres writes one) goes with it. Last, a
 * manifest {@code <prefix><root>.manifest} lists every file with its size and MD5: its presence means
 * the upload completed, and {@link BackupDownloadStep} verifies against it.
 *
 * <p><b>Resumable and idempotent.</b> Block ids are made of the block's index and MD5; blocks already
 * staged with the same content (an upload interrupted earlier) are skipped, and a file whose blob is
 * already there with the same size and MD5 is skipped whole: a second run sends nothing. A blob of
 * that name holding other content is never overwritten (the step fails, naming it), and a file that
 * changes while it is uploaded fails the step (its blocks no longer match what was hashed).
 *
 * <p>A {@linkplain #safeguard() safeguard} (it protects data); not destructive: it never deletes or
 * overwrites a blob, never creates a container, and never changes the local backup. Preflight
 * (read-only): the path, when configured, exists and is readable, and the container exists.
 * Evidence: {@value #CONTAINER}, {@value #ROOT}, {@value #MANIFEST}, {@value #FILES}, {@value #BYTES},
 * {@value #BYTES_SENT}, {@value #BLOCKS_STAGED}, {@value #BLOCKS_SKIPPED}, {@value #FILES_SKIPPED}.
 * Immutable and thread-safe.
 */
public final class BackupUploadStep implements RollbackStep {
    /** Evidence key: the container. */
    public static final String CONTAINER = "upload.container";
    /** Evidence key: the root's name in the container (prefix included): what {@link BackupDownloadStep} reads. */
    public static final String ROOT = "upload.root";
    /** Evidence key: the manifest's blob name. */
    public static final String MANIFEST = "upload.manifest";
    /** Evidence key: files uploaded or found there. */
    public static final String FILES = "upload.files";
    /** Evidence key: their total size. */
    public static final String BYTES = "upload.bytes";
    /** Evidence key: bytes sent by this attempt. */
    public static final String BYTES_SENT = "upload.bytesSent";
    /** Evidence key: blocks staged by this attempt. */
    public static final String BLOCKS_STAGED = "upload.blocksStaged";
    /** Evidence key: blocks found staged already (same index and MD5), not sent again. */
    public static final String BLOCKS_SKIPPED = "upload.blocksSkipped";
    /** Evidence key: files found uploaded already (same size and MD5), not sent again. */
    public static final String FILES_SKIPPED = "upload.filesSkipped";

    private static final int MIB = 1024 * 1024;

    private final Blobs blobs;
    private final BlockUploads uploads;
    private final String id;
    private final String component;
    private final Optional<Path> source;
    private final Optional<String[]> sourceEvidence;
    private final String container;
    private final String prefix;
    private final int blockSize;
    private final int concurrency;

    private BackupUploadStep(Builder b, Blobs blobs) {
        this.blobs = blobs;
        this.uploads = new BlockUploads(blobs);
        this.id = b.id;
        this.component = b.component;
        this.source = Optional.ofNullable(b.source);
        this.sourceEvidence = Optional.ofNullable(b.sourceEvidence);
        this.container = b.container;
        this.prefix = b.prefix;
        this.blockSize = b.blockSize;
        this.concurrency = b.concurrency;
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

    /** The container the backup is shipped to: the account's Blob endpoint (no credentials) and the container. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(blobs.describe() + "/" + container);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public boolean safeguard() {
        return true;
    }

    /** The container it uploads to. */
    public String container() {
        return container;
    }

    /** The prefix of its blob names. */
    public String prefix() {
        return prefix;
    }

    @Override
    public void preflight(StepContext context) {
        if (source.isPresent()) {
            requireReadable(source.get());
        }
        requireContainer(context);
    }

    private void requireContainer(StepContext context) {
        if (!blobs.containerExists(container, context.remaining())) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "container " + container + " does not exist in " + blobs.describe() + "; nothing was uploaded");
        }
    }

    private static Path requireReadable(Path path) {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            throw new RollbackException(ErrorCode.INVALID_CONFIGURATION, "backup " + path + " does not exist");
        }
        if (!Files.isReadable(path)
                || !(Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)
                        || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS))) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "backup " + path + " is not a readable regular file or folder (symbolic links are not followed)");
        }
        return path;
    }

    private Path resolveSource(StepContext context) {
        if (source.isPresent()) {
            return requireReadable(source.get());
        }
        String[] from = sourceEvidence.orElseThrow();
        String path = context.evidenceOf(from[0], from[1])
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step " + from[0] + " recorded no evidence " + from[1] + " (the backup's path); nothing was"
                                + " uploaded"));
        return requireReadable(Path.of(path).toAbsolutePath());
    }

    /** One local file and its blob name relative to the prefix. */
    private record LocalFile(Path path, String relative) {}

    private static List<LocalFile> files(Path root) {
        String rootName = root.getFileName().toString();
        List<LocalFile> files = new ArrayList<>();
        if (Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                        .sorted()
                        .forEach(p -> files.add(new LocalFile(
                                p,
                                rootName + "/" + root.relativize(p).toString().replace('\\', '/'))));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list backup folder " + root, e);
            }
        } else {
            files.add(new LocalFile(root, rootName));
        }
        Path checksum = root.resolveSibling(rootName + ".sha256");
        if (Files.isRegularFile(checksum, LinkOption.NOFOLLOW_LINKS)) {
            files.add(new LocalFile(checksum, rootName + ".sha256"));
        }
        for (LocalFile f : files) {
            BackupManifest.requirePath(f.relative());
        }
        return files;
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.checkpoint();
        Path root = resolveSource(context);
        requireContainer(context);
        String rootName = root.getFileName().toString();
        context.evidence(CONTAINER, container);
        context.evidence(ROOT, prefix + rootName);
        List<LocalFile> files = files(root);
        Counters counters = new Counters();
        List<BackupManifest.FileEntry> entries = new ArrayList<>();
        try {
            for (LocalFile f : files) {
                context.checkpoint();
                entries.add(uploadFile(context, f, counters));
            }
            BackupManifest manifest = new BackupManifest(rootName, entries);
            String manifestName = BackupManifest.blobName(prefix, rootName);
            if (!uploads.putNew(container, manifestName, manifest.render(), context.remaining())) {
                byte[] there = download(manifestName, context);
                if (!Arrays.equals(there, manifest.render())) {
                    throw new RollbackException(
                            ErrorCode.STEP_FAILED,
                            "a manifest " + manifestName + " of another backup exists in container " + container
                                    + "; it is not overwritten");
                }
            }
            context.evidence(MANIFEST, manifestName);
            context.evidence(FILES, Integer.toString(files.size()));
            context.evidence(BYTES, Long.toString(manifest.bytes()));
        } finally {
            context.evidence(BYTES_SENT, Long.toString(counters.bytesSent.get()));
            context.evidence(BLOCKS_STAGED, Long.toString(counters.staged.get()));
            context.evidence(BLOCKS_SKIPPED, Long.toString(counters.skipped.get()));
            context.evidence(FILES_SKIPPED, Long.toString(counters.filesSkipped.get()));
        }
    }

    private byte[] download(String name, StepContext context) {
        try {
            return blobs.container(container)
                    .getBlobClient(name)
                    .downloadContent()
                    .toBytes();
        } catch (RuntimeException e) {
            throw AzureErrors.map("reading " + name + " of " + container, e);
        }
    }

    private static final class Counters {
        final AtomicLong bytesSent = new AtomicLong();
        final AtomicLong staged = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        final AtomicLong filesSkipped = new AtomicLong();
        final AtomicLong bytesDone = new AtomicLong();
    }

    /** Hashes the file block by block, then stages what is not staged yet, commits and checks. */
    private BackupManifest.FileEntry uploadFile(StepContext context, LocalFile file, Counters counters)
            throws InterruptedException {
        String blobName = prefix + file.relative();
        long size;
        List<byte[]> blockMd5s = new ArrayList<>();
        MessageDigest whole = Md5.newDigest();
        try (InputStream in = Files.newInputStream(file.path())) {
            byte[] buffer = new byte[blockSize];
            size = 0;
            while (true) {
                int n = in.readNBytes(buffer, 0, blockSize);
                if (n == 0) {
                    break;
                }
                whole.update(buffer, 0, n);
                MessageDigest block = Md5.newDigest();
                block.update(buffer, 0, n);
                blockMd5s.add(block.digest());
                size += n;
                if (n < blockSize) {
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read backup file " + file.path(), e);
        }
        byte[] md5 = whole.digest();
        BackupManifest.FileEntry entry = new BackupManifest.FileEntry(file.relative(), size, md5);
        Optional<Blobs.Entry> there = blobs.current(container, blobName, context.remaining());
        if (there.isPresent()) {
            if (there.get().size() == size && there.get().sameMd5(md5)) {
                counters.filesSkipped.incrementAndGet();
                context.progress("backup file " + file.relative() + " is uploaded already");
                return entry;
            }
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "blob " + blobName + " of container " + container + " exists with other content ("
                            + there.get().size()
                            + " bytes, MD5 " + Md5.hex(there.get().md5()) + ", the file: " + size + " bytes, MD5 "
                            + Md5.hex(md5) + "); it is not overwritten");
        }
        Map<String, Long> staged = uploads.uncommitted(container, blobName, context.remaining());
        List<String> ids = new ArrayList<>();
        try (Workers workers = new Workers(concurrency, "upload");
                FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.READ)) {
            for (int i = 0; i < blockMd5s.size(); i++) {
                context.checkpoint();
                long offset = (long) i * blockSize;
                int length = (int) Math.min(blockSize, size - offset);
                byte[] blockMd5 = blockMd5s.get(i);
                String blockId = BlockUploads.blockId(i, blockMd5);
                ids.add(blockId);
                Long stagedSize = staged.get(blockId);
                if (stagedSize != null && stagedSize == length) {
                    counters.skipped.incrementAndGet();
                    counters.bytesDone.addAndGet(length);
                    continue;
                }
                workers.submit(context, () -> {
                    byte[] data = read(channel, offset, length, file.path());
                    MessageDigest check = Md5.newDigest();
                    check.update(data, 0, length);
                    if (!Arrays.equals(check.digest(), blockMd5)) {
                        throw new RollbackException(
                                ErrorCode.STEP_FAILED,
                                "backup file " + file.path() + " changed while it was uploaded (block " + blockId
                                        + " at offset " + offset + "); the upload is not committed");
                    }
                    uploads.stage(container, blobName, blockId, data, length, blockMd5, context.remaining());
                    counters.staged.incrementAndGet();
                    counters.bytesSent.addAndGet(length);
                    long done = counters.bytesDone.addAndGet(length);
                    context.progress("uploaded " + done + " bytes (" + file.relative() + ")");
                });
            }
            workers.awaitAll(context);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read backup file " + file.path(), e);
        }
        context.checkpoint();
        if (!uploads.commitNew(
                container, blobName, ids, md5, Map.of("rollbacksource", "backup-upload"), context.remaining())) {
            Optional<Blobs.Entry> raced = blobs.current(container, blobName, context.remaining());
            if (raced.isEmpty() || raced.get().size() != size || !raced.get().sameMd5(md5)) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "blob " + blobName + " of container " + container
                                + " was written by someone else during the upload; it is not overwritten");
            }
        }
        Blobs.Entry committed = blobs.current(container, blobName, context.remaining())
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.STEP_FAILED, "blob " + blobName + " is gone right after it was committed"));
        if (committed.size() != size || !committed.sameMd5(md5)) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "blob " + blobName + " reads back as " + committed.size() + " bytes, MD5 "
                            + Md5.hex(committed.md5()) + ", not the file's " + size + " bytes, MD5 " + Md5.hex(md5));
        }
        return entry;
    }

    private static byte[] read(FileChannel channel, long offset, int length, Path path) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, offset + buffer.position()) < 0) {
                    throw new RollbackException(
                            ErrorCode.STEP_FAILED, "backup file " + path + " shrank while it was uploaded");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read backup file " + path, e);
        }
        return buffer.array();
    }

    /** Re-running is always safe (it skips what is there), so a resumed run runs it again. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(false);
    }

    @Override
    public String toString() {
        return "BackupUploadStep[" + id + ", "
                + source.map(Path::toString)
                        .orElseGet(() -> "path from " + sourceEvidence.get()[0] + "/"
                                + sourceEvidence.get()[1])
                + " -> " + container + "/" + prefix + "]";
    }

    /**
     * Builds a {@link BackupUploadStep}: a container and exactly one source. Setters check their
     * argument at once (IllegalArgumentException naming the field and value); not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String id = "storage-backup-upload";
        private String component = "storage-backup";
        private Path source;
        private String[] sourceEvidence;
        private String container;
        private String prefix = "";
        private int blockSize = 8 * MIB;
        private int concurrency = 4;

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The step id. Default: {@code storage-backup-upload}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component (that of the backup it protects, such as {@code postgres}). Default: {@code storage-backup}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The local backup: a file or a folder. */
        public Builder source(Path source) {
            Objects.requireNonNull(source, "source");
            Path absolute = source.toAbsolutePath().normalize();
            if (absolute.getFileName() == null) {
                throw new IllegalArgumentException("source must name a file or folder, but was '" + source + "'");
            }
            this.source = absolute;
            this.sourceEvidence = null;
            return this;
        }

        /**
         * The local backup is the path another step of the run recorded as evidence, such as
         * provider-postgres' {@code EmergencyBackupStep} under {@code backup.path}; place this step
         * after that one.
         */
        public Builder sourceFromEvidence(String stepId, String evidenceKey) {
            this.sourceEvidence = new String[] {
                Arguments.requireId(stepId, "stepId"), Arguments.requireText(evidenceKey, "evidenceKey")
            };
            this.source = null;
            return this;
        }

        /** The container uploaded to; it must exist. Required. */
        public Builder container(String container) {
            this.container = Names.container(container, "container");
            return this;
        }

        /** A prefix for the blob names (a "folder", such as {@code postgres/}). Default: none. */
        public Builder prefix(String prefix) {
            this.prefix = Names.prefix(prefix, "prefix");
            return this;
        }

        /** The block size: the unit of the MD5 check and of resumption; 1 to 100 MiB. Default: 8 MiB. */
        public Builder blockSize(int bytes) {
            this.blockSize = Arguments.requireInRange(bytes, "blockSize", MIB, 100 * MIB);
            return this;
        }

        /** How many blocks are sent at once; 1 to 64. Default: 4. */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.requireInRange(concurrency, "concurrency", 1, 64);
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the container or the source is missing
         * @throws IllegalArgumentException if the {@link StorageRollback} has no Blob service
         */
        public BackupUploadStep build() {
            if (container == null || (source == null && sourceEvidence == null)) {
                throw new IllegalStateException("container and a source (source or sourceFromEvidence) are required");
            }
            return new BackupUploadStep(this, storage.requireBlobs("a backup upload"));
        }
    }
}
