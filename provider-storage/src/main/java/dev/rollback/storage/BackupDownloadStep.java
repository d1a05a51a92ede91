package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.BackupManifest;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.Md5;
import dev.rollback.storage.internal.Names;
import dev.rollback.storage.internal.Workers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads a backup that {@link BackupUploadStep} put in a blob container back, and verifies it: every
 * file its manifest lists is downloaded through an MD5 digest and compared with the manifest (and
 * with the blob's {@code Content-MD5} and size); with {@link Builder#target(Path) a target folder}
 * the files are written there (each under a {@code .partial} name, renamed only once verified), so a
 * restore can use them; without one the download only verifies. A manifest missing means the upload
 * never completed; a file missing, of another size or with another MD5 fails the step, naming the
 * first ones. A file already in the target with the manifest's size and MD5 is not downloaded again
 * (resumable).
 *
 * <p>Paths come from the manifest and are checked before anything is written: no absolute path and
 * no {@code ..}, so a tampered manifest cannot write outside the target folder.
 *
 * <p>Idempotent; not destructive (it writes only new files in its target folder, never replaces a
 * file that differs: that fails the step). Preflight (read-only): the container exists. Evidence:
 * {@value #MANIFEST}, {@value #FILES}, {@value #BYTES}, {@value #VERIFIED}, {@value #SKIPPED},
 * {@value #MISMATCHES}, {@value #FIRST_MISMATCHES}, {@value #TARGET}. Immutable and thread-safe.
 */
public final class BackupDownloadStep implements RollbackStep {
    /** Evidence key: the manifest read. */
    public static final String MANIFEST = "download.manifest";
    /** Evidence key: files the manifest lists. */
    public static final String FILES = "download.files";
    /** Evidence key: bytes the manifest lists. */
    public static final String BYTES = "download.bytes";
    /** Evidence key: files downloaded and found equal to the manifest. */
    public static final String VERIFIED = "download.verified";
    /** Evidence key: files found in the target already, equal to the manifest. */
    public static final String SKIPPED = "download.skipped";
    /** Evidence key: files missing or different. */
    public static final String MISMATCHES = "download.mismatches";
    /** Evidence key: the first of them, with what differs. */
    public static final String FIRST_MISMATCHES = "download.firstMismatches";
    /** Evidence key: the folder written to, or {@code none (verify only)}. */
    public static final String TARGET = "download.target";

    private static final int MAX_MANIFEST = 16 * 1024 * 1024;

    private final Blobs blobs;
    private final String id;
    private final String component;
    private final String container;
    private final Optional<String> root;
    private final Optional<String> rootFromStep;
    private final Optional<Path> target;
    private final int concurrency;

    private BackupDownloadStep(Builder b, Blobs blobs) {
        this.blobs = blobs;
        this.id = b.id;
        this.component = b.component;
        this.container = b.container;
        this.root = Optional.ofNullable(b.root);
        this.rootFromStep = Optional.ofNullable(b.rootFromStep);
        this.target = Optional.ofNullable(b.target);
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

    /** The container the backup is read from: the account's Blob endpoint (no credentials) and the container. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(blobs.describe() + "/" + container);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        if (!blobs.containerExists(container, context.remaining())) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "container " + container + " does not exist in " + blobs.describe());
        }
    }

    private String rootName(StepContext context) {
        if (root.isPresent()) {
            return root.get();
        }
        String step = rootFromStep.orElseThrow();
        return context.evidenceOf(step, BackupUploadStep.ROOT)
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "step " + step + " recorded no " + BackupUploadStep.ROOT + ": it did not upload a backup"));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.checkpoint();
        String rootName = rootName(context);
        int slash = rootName.lastIndexOf('/');
        String prefix = rootName.substring(0, slash + 1);
        String manifestName = BackupManifest.blobName(prefix, rootName.substring(slash + 1));
        if (blobs.current(container, manifestName, context.remaining()).isEmpty()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "backup " + rootName + " has no manifest " + manifestName + " in container " + container
                            + ": its upload never completed");
        }
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        blobs.download(container, manifestName, new LimitedStream(raw, MAX_MANIFEST), context.remaining());
        BackupManifest manifest = BackupManifest.parse(raw.toByteArray(), "blob " + manifestName);
        context.evidence(MANIFEST, manifestName);
        context.evidence(FILES, Integer.toString(manifest.files().size()));
        context.evidence(BYTES, Long.toString(manifest.bytes()));
        context.evidence(TARGET, target.map(Path::toString).orElse("none (verify only)"));
        if (target.isPresent()) {
            try {
                Files.createDirectories(target.get());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create the target folder " + target.get(), e);
            }
        }
        AtomicLong verified = new AtomicLong();
        AtomicLong skipped = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        AtomicLong bytes = new AtomicLong();
        ConcurrentLinkedQueue<String> first = new ConcurrentLinkedQueue<>();
        AtomicInteger shown = new AtomicInteger();
        try (Workers workers = new Workers(concurrency, "download")) {
            for (BackupManifest.FileEntry file : manifest.files()) {
                context.checkpoint();
                Optional<Path> destination = target.map(t -> inside(t, file.path()));
                workers.submit(context, () -> {
                    Optional<String> problem = fetch(prefix, file, destination, skipped, context);
                    if (problem.isPresent()) {
                        mismatches.incrementAndGet();
                        if (shown.incrementAndGet() <= 10) {
                            first.add(Arguments.printable(file.path()) + ": " + problem.get());
                        }
                    } else {
                        verified.incrementAndGet();
                        context.progress(
                                "verified " + bytes.addAndGet(file.size()) + " of " + manifest.bytes() + " bytes");
                    }
                });
            }
            workers.awaitAll(context);
        } finally {
            context.evidence(VERIFIED, Long.toString(verified.get()));
            context.evidence(SKIPPED, Long.toString(skipped.get()));
            context.evidence(MISMATCHES, Long.toString(mismatches.get()));
            context.evidence(FIRST_MISMATCHES, first.isEmpty() ? "none" : String.join("; ", first));
        }
        if (mismatches.get() > 0) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "backup " + rootName + " in container " + container + " does not match its manifest: "
                            + mismatches.get() + " of " + manifest.files().size() + " files ("
                            + String.join("; ", first) + ")");
        }
    }

    /** {@code relative} under {@code folder}, refused if it would leave it. */
    private static Path inside(Path folder, String relative) {
        Path base = folder.toAbsolutePath().normalize();
        Path resolved = base.resolve(BackupManifest.requirePath(relative)).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED, "manifest path '" + Arguments.printable(relative) + "' leaves " + base);
        }
        return resolved;
    }

    /** Downloads and checks one file; the problem found, if any. */
    private Optional<String> fetch(
            String prefix,
            BackupManifest.FileEntry file,
            Optional<Path> destination,
            AtomicLong skipped,
            StepContext context) {
        String blobName = prefix + file.path();
        try {
            if (destination.isPresent() && Files.exists(destination.get())) {
                if (Files.size(destination.get()) == file.size()
                        && Arrays.equals(md5Of(destination.get()), file.md5())) {
                    skipped.incrementAndGet();
                    return Optional.empty();
                }
                return Optional.of("a different file " + destination.get() + " is in the way; it is not replaced");
            }
            Optional<Blobs.Entry> blob = blobs.current(container, blobName, context.remaining());
            if (blob.isEmpty()) {
                return Optional.of("blob " + blobName + " is missing");
            }
            if (blob.get().size() != file.size()) {
                return Optional.of("blob size " + blob.get().size() + " != " + file.size());
            }
            if (blob.get().hasMd5() && !blob.get().sameMd5(file.md5())) {
                return Optional.of("blob Content-MD5 " + Md5.hex(blob.get().md5()) + " != " + Md5.hex(file.md5()));
            }
            MessageDigest md5 = Md5.newDigest();
            Path partial = destination
                    .map(d -> d.resolveSibling("." + d.getFileName() + ".partial"))
                    .orElse(null);
            if (partial != null) {
                Files.createDirectories(partial.getParent());
            }
            try (OutputStream out = new DigestOutputStream(
                    partial == null ? OutputStream.nullOutputStream() : Files.newOutputStream(partial), md5)) {
                blobs.download(container, blobName, out, context.remaining());
            }
            byte[] got = md5.digest();
            if (!Arrays.equals(got, file.md5())) {
                if (partial != null) {
                    Files.deleteIfExists(partial);
                }
                return Optional.of("downloaded content MD5 " + Md5.hex(got) + " != " + Md5.hex(file.md5()));
            }
            if (partial != null) {
                Files.move(partial, destination.get(), StandardCopyOption.ATOMIC_MOVE);
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write " + destination.map(Path::toString).orElse(blobName), e);
        }
    }

    private static byte[] md5Of(Path file) throws IOException {
        MessageDigest md5 = Md5.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                md5.update(buffer, 0, n);
            }
        }
        return md5.digest();
    }

    /** A stream that refuses more than a limit (a manifest is small; anything else is not one). */
    private static final class LimitedStream extends OutputStream {
        private final OutputStream out;
        private long left;

        LimitedStream(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if ((left -= len) < 0) {
                throw new IOException("a backup manifest is at most " + MAX_MANIFEST + " bytes");
            }
            out.write(b, off, len);
        }
    }

    @Override
    public String toString() {
        return "BackupDownloadStep[" + id + ", " + container + "/"
                + root.orElseGet(() -> "root from " + rootFromStep.get()) + " -> "
                + target.map(Path::toString).orElse("verify only") + "]";
    }

    /**
     * Builds a {@link BackupDownloadStep}: a container and exactly one root. Setters check their
     * argument at once (IllegalArgumentException naming the field and value); not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String id = "storage-backup-download";
        private String component = "storage-backup";
        private String container;
        private String root;
        private String rootFromStep;
        private Path target;
        private int concurrency = 4;

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The step id. Default: {@code storage-backup-download}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@code storage-backup}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The container the backup is in. Required. */
        public Builder container(String container) {
            this.container = Names.container(container, "container");
            return this;
        }

        /** The backup's root name in the container, prefix included ({@code postgres/appdb-20260301T120000Z}). */
        public Builder root(String root) {
            String checked = Names.prefix(Arguments.requireText(root, "root"), "root");
            BackupManifest.requirePath(checked);
            this.root = checked;
            this.rootFromStep = null;
            return this;
        }

        /** The backup a {@link BackupUploadStep} of the run uploaded (its {@value BackupUploadStep#ROOT} evidence). */
        public Builder rootFromStep(String uploadStepId) {
            this.rootFromStep = Arguments.requireId(uploadStepId, "uploadStepId");
            this.root = null;
            return this;
        }

        /** Where to write the files; without it the step only verifies. Default: verify only. */
        public Builder target(Path folder) {
            this.target =
                    Objects.requireNonNull(folder, "target").toAbsolutePath().normalize();
            return this;
        }

        /** How many files are downloaded at once; 1 to 64. Default: 4. */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.requireInRange(concurrency, "concurrency", 1, 64);
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the container or the root is missing
         * @throws IllegalArgumentException if the {@link StorageRollback} has no Blob service
         */
        public BackupDownloadStep build() {
            if (container == null || (root == null && rootFromStep == null)) {
                throw new IllegalStateException("container and a root (root or rootFromStep) are required");
            }
            return new BackupDownloadStep(this, storage.requireBlobs("a backup download"));
        }
    }
}
