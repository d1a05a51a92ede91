package dev.rollback.storage;

import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.Blobs.Entry;
import dev.rollback.storage.internal.Globs;
import dev.rollback.storage.internal.Listing;
import dev.rollback.storage.internal.Md5;
import dev.rollback.storage.internal.Merge;
import dev.rollback.storage.internal.Names;
import dev.rollback.storage.internal.Workers;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runbook's "verify file integrity" ({@code az storage blob list --query
 * "[].{name:name, size:properties.contentLength}"}), done thoroughly: a {@link Verifier} that lists
 * the source and destination containers (streamed and merged by name, as {@link BlobSyncStep} does)
 * and, for every source blob matching the patterns, checks that the destination has a blob of that
 * name with the same size and the same content MD5. It fails when any is missing or differs, and
 * names the first {@link Builder#mismatchesShown mismatchesShown} in its details. Destination blobs
 * the source lacks are counted; they fail the check only with {@link Builder#failOnExtra(boolean)
 * failOnExtra(true)}.
 *
 * <p>Where a side has no {@code Content-MD5} and the sizes are equal, the MD5 is computed by
 * downloading the blob through a digest (nothing is stored: a verifier writes nothing), on
 * {@link Builder#concurrency concurrency} threads; with {@link Builder#hashMissingMd5(boolean)
 * hashMissingMd5(false)} such a blob counts as unverified, which fails the check.
 *
 * <p>Details: {@value #SOURCE_BLOBS}, {@value #DESTINATION_BLOBS}, {@value #MATCHED}, {@value #MISSING},
 * {@value #SIZE_MISMATCH}, {@value #MD5_MISMATCH}, {@value #UNVERIFIED}, {@value #EXTRA},
 * {@value #HASHED}, {@value #FIRST_MISMATCHES}. An Azure failure while reading is thrown (mapped as
 * {@link BlobStorage} describes), never reported as a pass.
 *
 * <p>Read-only; immutable and thread-safe. It never writes to, creates or deletes anything.
 */
public final class BlobIntegrityVerifier implements Verifier {
    /** Detail key: source blobs matching the patterns. */
    public static final String SOURCE_BLOBS = "integrity.sourceBlobs";
    /** Detail key: destination blobs matching the patterns. */
    public static final String DESTINATION_BLOBS = "integrity.destinationBlobs";
    /** Detail key: source blobs found equal at the destination. */
    public static final String MATCHED = "integrity.matched";
    /** Detail key: source blobs missing at the destination. */
    public static final String MISSING = "integrity.missing";
    /** Detail key: source blobs whose destination differs in size. */
    public static final String SIZE_MISMATCH = "integrity.sizeMismatch";
    /** Detail key: source blobs whose destination differs in content MD5. */
    public static final String MD5_MISMATCH = "integrity.md5Mismatch";
    /** Detail key: blobs that could not be compared (no MD5, hashing off, or changed while hashed). */
    public static final String UNVERIFIED = "integrity.unverified";
    /** Detail key: matching destination blobs the source lacks. */
    public static final String EXTRA = "integrity.extraAtDestination";
    /** Detail key: MD5s computed by download. */
    public static final String HASHED = "integrity.hashed";
    /** Detail key: the first mismatches, with what differs. */
    public static final String FIRST_MISMATCHES = "integrity.firstMismatches";

    private final Blobs blobs;
    private final String name;
    private final String sourceContainer;
    private final String destinationContainer;
    private final String prefix;
    private final Globs patterns;
    private final int concurrency;
    private final boolean hashMissingMd5;
    private final boolean failOnExtra;
    private final int mismatchesShown;

    private BlobIntegrityVerifier(Builder b, Blobs blobs) {
        this.blobs = blobs;
        this.name = b.name;
        this.sourceContainer = b.sourceContainer;
        this.destinationContainer = b.destinationContainer;
        this.prefix = b.prefix;
        this.patterns = b.patterns;
        this.concurrency = b.concurrency;
        this.hashMissingMd5 = b.hashMissingMd5;
        this.failOnExtra = b.failOnExtra;
        this.mismatchesShown = b.mismatchesShown;
    }

    /** A builder on {@code storage}, which must know its Blob service. */
    public static Builder builder(StorageRollback storage) {
        return new Builder(storage);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) throws InterruptedException {
        Check check = new Check(context);
        check.run();
        long bad = check.missing.get()
                + check.sizeMismatch.get()
                + check.md5Mismatch.get()
                + check.unverified.get()
                + (failOnExtra ? check.extra.get() : 0);
        String checked = "every blob of " + sourceContainer + "/" + prefix + " matching " + patterns.describe()
                + " is in " + destinationContainer + " with the same size and MD5"
                + (failOnExtra ? ", and nothing else is" : "");
        String observed = check.matched.get() + " of " + check.source.get() + " equal, " + check.missing.get()
                + " missing, " + check.sizeMismatch.get() + " of another size, " + check.md5Mismatch.get()
                + " with another MD5, " + check.unverified.get() + " unverified, " + check.extra.get()
                + " extra at the destination";
        Verification v =
                bad == 0 ? Verification.passed(name, checked, observed) : Verification.failed(name, checked, observed);
        for (Map.Entry<String, String> e : check.details().entrySet()) {
            v = v.withDetail(e.getKey(), e.getValue());
        }
        return v;
    }

    /** One verification: the counters and the merge. */
    private final class Check {
        private final StepContext context;
        final AtomicLong source = new AtomicLong();
        final AtomicLong destination = new AtomicLong();
        final AtomicLong matched = new AtomicLong();
        final AtomicLong missing = new AtomicLong();
        final AtomicLong sizeMismatch = new AtomicLong();
        final AtomicLong md5Mismatch = new AtomicLong();
        final AtomicLong unverified = new AtomicLong();
        final AtomicLong extra = new AtomicLong();
        final AtomicLong hashed = new AtomicLong();
        private final ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
        private final AtomicInteger shown = new AtomicInteger();

        Check(StepContext context) {
            this.context = context;
        }

        void run() throws InterruptedException {
            try (Workers workers = new Workers(concurrency, "verify");
                    Listing sources = Listing.start(blobs, sourceContainer, prefix, context.remaining(), n -> {});
                    Listing destinations =
                            Listing.start(blobs, destinationContainer, prefix, context.remaining(), n -> {})) {
                Merge merge = new Merge(sources, destinations);
                long seen = 0;
                while (merge.hasNext()) {
                    context.checkpoint();
                    Merge.Pair pair = merge.next();
                    if (!patterns.matches(pair.name())) {
                        continue;
                    }
                    if (++seen % 1000 == 0) {
                        context.progress("verified " + seen + " names");
                    }
                    pair.destination().ifPresent(d -> destination.incrementAndGet());
                    if (pair.source().isEmpty()) {
                        extra.incrementAndGet();
                        if (failOnExtra) {
                            mismatch(pair.name() + ": only at the destination");
                        }
                        continue;
                    }
                    source.incrementAndGet();
                    Entry s = pair.source().get();
                    if (pair.destination().isEmpty()) {
                        missing.incrementAndGet();
                        mismatch(s.name() + ": missing");
                        continue;
                    }
                    Entry d = pair.destination().get();
                    if (d.size() != s.size()) {
                        sizeMismatch.incrementAndGet();
                        mismatch(s.name() + ": size " + d.size() + " != " + s.size());
                        continue;
                    }
                    if (s.hasMd5() && d.hasMd5()) {
                        compare(s.name(), s.md5(), d.md5());
                    } else if (!hashMissingMd5) {
                        unverified.incrementAndGet();
                        mismatch(s.name() + ": no MD5 to compare");
                    } else {
                        workers.submit(context, () -> hashAndCompare(s, d));
                    }
                }
                workers.awaitAll(context);
            }
        }

        private void hashAndCompare(Entry s, Entry d) {
            Optional<byte[]> sm = s.hasMd5() ? Optional.of(s.md5()) : hash(sourceContainer, s);
            Optional<byte[]> dm = d.hasMd5() ? Optional.of(d.md5()) : hash(destinationContainer, d);
            if (sm.isEmpty() || dm.isEmpty()) {
                unverified.incrementAndGet();
                mismatch(s.name() + ": changed while it was hashed");
                return;
            }
            compare(s.name(), sm.get(), dm.get());
        }

        private Optional<byte[]> hash(String container, Entry e) {
            Optional<byte[]> md5 = blobs.computeMd5(container, e, context.remaining());
            md5.ifPresent(m -> hashed.incrementAndGet());
            return md5;
        }

        private void compare(String blob, byte[] sourceMd5, byte[] destinationMd5) {
            if (Arrays.equals(sourceMd5, destinationMd5)) {
                matched.incrementAndGet();
            } else {
                md5Mismatch.incrementAndGet();
                mismatch(blob + ": md5 " + Md5.hex(destinationMd5) + " != " + Md5.hex(sourceMd5));
            }
        }

        private void mismatch(String what) {
            if (shown.incrementAndGet() <= mismatchesShown) {
                mismatches.add(Arguments.printable(what));
            }
        }

        Map<String, String> details() {
            Map<String, String> d = new LinkedHashMap<>();
            d.put(SOURCE_BLOBS, Long.toString(source.get()));
            d.put(DESTINATION_BLOBS, Long.toString(destination.get()));
            d.put(MATCHED, Long.toString(matched.get()));
            d.put(MISSING, Long.toString(missing.get()));
            d.put(SIZE_MISMATCH, Long.toString(sizeMismatch.get()));
            d.put(MD5_MISMATCH, Long.toString(md5Mismatch.get()));
            d.put(UNVERIFIED, Long.toString(unverified.get()));
            d.put(EXTRA, Long.toString(extra.get()));
            d.put(HASHED, Long.toString(hashed.get()));
            d.put(FIRST_MISMATCHES, mismatches.isEmpty() ? "none" : String.join("; ", mismatches));
            return d;
        }
    }

    @Override
    public String toString() {
        return "BlobIntegrityVerifier[" + name + ", " + sourceContainer + "/" + prefix + " vs " + destinationContainer
                + "/" + prefix + ", " + patterns.describe() + "]";
    }

    /**
     * Builds a {@link BlobIntegrityVerifier}. Setters check their argument at once
     * (IllegalArgumentException naming the field and value); not thread-safe; {@link #build()} may be
     * called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String name = "storage-blob-integrity";
        private String sourceContainer;
        private String destinationContainer;
        private String prefix = "";
        private Globs patterns = Globs.all();
        private int concurrency = 16;
        private boolean hashMissingMd5 = true;
        private boolean failOnExtra;
        private int mismatchesShown = 10;

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The verifier's name in reports. Default: {@code storage-blob-integrity}. */
        public Builder name(String name) {
            this.name = Arguments.requireId(name, "name");
            return this;
        }

        /** The containers, prefix and patterns of {@code sync}: checks what it should have copied. */
        public Builder sameAs(BlobSyncStep sync) {
            Objects.requireNonNull(sync, "sync");
            this.sourceContainer = sync.sourceContainer();
            this.destinationContainer = sync.destinationContainer();
            this.prefix = sync.prefix();
            this.patterns = sync.patterns();
            return this;
        }

        /** The container that holds the originals. Required. */
        public Builder sourceContainer(String container) {
            this.sourceContainer = Names.container(container, "sourceContainer");
            return this;
        }

        /** The container checked. Required. */
        public Builder destinationContainer(String container) {
            this.destinationContainer = Names.container(container, "destinationContainer");
            return this;
        }

        /** Only blobs whose names start with this, on both sides. Default: all. */
        public Builder prefix(String prefix) {
            this.prefix = Names.prefix(prefix, "prefix");
            return this;
        }

        /** Adds include patterns, comma-separated, as {@link BlobSyncStep.Builder#include}. Default: every blob. */
        public Builder include(String patterns) {
            this.patterns = this.patterns.include(patterns, "include");
            return this;
        }

        /** Adds exclude patterns, comma-separated. Default: none. */
        public Builder exclude(String patterns) {
            this.patterns = this.patterns.exclude(patterns, "exclude");
            return this;
        }

        /** How many blobs are hashed at once when an MD5 is missing; 1 to 256. Default: 16. */
        public Builder concurrency(int concurrency) {
            this.concurrency = Arguments.requireInRange(concurrency, "concurrency", 1, 256);
            return this;
        }

        /** Whether a missing MD5 is computed by download (else the blob is unverified). Default: true. */
        public Builder hashMissingMd5(boolean hashMissingMd5) {
            this.hashMissingMd5 = hashMissingMd5;
            return this;
        }

        /** Whether matching destination blobs the source lacks fail the check. Default: false. */
        public Builder failOnExtra(boolean failOnExtra) {
            this.failOnExtra = failOnExtra;
            return this;
        }

        /** How many mismatches the details name; 1 to 100. Default: 10. */
        public Builder mismatchesShown(int mismatchesShown) {
            this.mismatchesShown = Arguments.requireInRange(mismatchesShown, "mismatchesShown", 1, 100);
            return this;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if a container is missing or both name the same container
         * @throws IllegalArgumentException if the {@link StorageRollback} has no Blob service
         */
        public BlobIntegrityVerifier build() {
            if (sourceContainer == null || destinationContainer == null) {
                throw new IllegalStateException("sourceContainer and destinationContainer are required");
            }
            if (sourceContainer.equals(destinationContainer)) {
                throw new IllegalStateException("destinationContainer must differ from sourceContainer, but both were '"
                        + sourceContainer + "'");
            }
            return new BlobIntegrityVerifier(this, storage.requireBlobs("an integrity check"));
        }
    }
}
