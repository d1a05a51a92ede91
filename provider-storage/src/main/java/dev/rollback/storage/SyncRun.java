package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.storage.internal.Blobs.Entry;
import dev.rollback.storage.internal.Blobs.Outcome;
import dev.rollback.storage.internal.Listing;
import dev.rollback.storage.internal.Merge;
import dev.rollback.storage.internal.Workers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** One attempt of a {@link BlobSyncStep}: the merge of both listings, the copies, the deletes. */
final class SyncRun {
    private static final int SAMPLES = 20;
    private static final long PROGRESS_EVERY_NANOS = Duration.ofMillis(500).toNanos();

    private final BlobSyncStep step;
    private final Blobs blobs;
    private final StepContext context;

    final AtomicLong listedSource = new AtomicLong();
    final AtomicLong listedDestination = new AtomicLong();
    final AtomicLong matched = new AtomicLong();
    final AtomicLong compared = new AtomicLong();
    final AtomicLong unchanged = new AtomicLong();
    final AtomicLong copied = new AtomicLong();
    final AtomicLong overwritten = new AtomicLong();
    final AtomicLong bytesCopied = new AtomicLong();
    final AtomicLong snapshots = new AtomicLong();
    final AtomicLong md5Computed = new AtomicLong();
    final AtomicLong md5Stored = new AtomicLong();
    final AtomicLong sourceChanged = new AtomicLong();
    final AtomicLong destinationChanged = new AtomicLong();
    final AtomicLong sourceGone = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong extra = new AtomicLong();
    final AtomicLong deleted = new AtomicLong();
    private final ConcurrentLinkedQueue<String> changedNames = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger changedSampled = new AtomicInteger();
    private final AtomicInteger failuresSampled = new AtomicInteger();
    /** When progress was last reported, on the monotonic clock. */
    private final AtomicLong lastProgress = new AtomicLong();

    SyncRun(BlobSyncStep step, Blobs blobs, StepContext context) {
        this.step = step;
        this.blobs = blobs;
        this.context = context;
    }

    private Duration timeout() {
        return context.remaining();
    }

    void run() throws InterruptedException {
        List<Entry> deleteCandidates = new ArrayList<>();
        long destinationMatched = 0;
        lastProgress.set(context.clock().monotonicNanos());
        try (Workers workers = new Workers(step.concurrency(), "sync");
                Listing sources = Listing.start(
                        blobs, step.sourceContainer(), step.prefix(), timeout(), listedSource::addAndGet);
                Listing destinations = Listing.start(
                        blobs, step.destinationContainer(), step.prefix(), timeout(), listedDestination::addAndGet)) {
            Merge merge = new Merge(sources, destinations);
            while (merge.hasNext()) {
                context.checkpoint();
                Merge.Pair pair = merge.next();
                boolean included = step.patterns().matches(pair.name());
                if (!included) {
                    continue;
                }
                if (pair.destination().isPresent()) {
                    destinationMatched++;
                }
                if (pair.source().isEmpty()) {
                    extra.incrementAndGet();
                    if (step.deleteExtraneous()) {
                        deleteCandidates.add(pair.destination().get());
                    }
                    continue;
                }
                matched.incrementAndGet();
                Entry source = pair.source().get();
                Optional<Entry> destination = pair.destination();
                if (destination.isPresent()
                        && destination.get().size() == source.size()
                        && source.hasMd5()
                        && destination.get().sameMd5(source.md5())) {
                    compared.incrementAndGet();
                    unchanged.incrementAndGet();
                    maybeReportProgress();
                    continue;
                }
                workers.submit(context, () -> syncOne(source, destination));
                maybeReportProgress();
            }
            workers.awaitAll(context);
            reportProgress();
            if (sourceChanged.get() > 0 || failed.get() > 0 || sourceGone.get() > 0 || destinationChanged.get() > 0) {
                // never delete on a sync that did not complete: what looked extraneous may be in flux
                deleteCandidates.clear();
            } else if (!deleteCandidates.isEmpty()) {
                delete(workers, deleteCandidates, destinationMatched);
            }
        }
    }

    private void delete(Workers workers, List<Entry> candidates, long destinationMatched) throws InterruptedException {
        double share = destinationMatched == 0 ? 1.0 : candidates.size() / (double) destinationMatched;
        if (share > step.maxDeleteShare()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the sync would delete " + candidates.size() + " of the " + destinationMatched
                            + " blobs of container " + step.destinationContainer()
                            + " that match the patterns (" + percent(share) + "), more than the "
                            + percent(step.maxDeleteShare()) + " allowed (maxDeleteShare); nothing was deleted");
        }
        for (Entry e : candidates) {
            context.checkpoint();
            workers.submit(context, () -> {
                if (blobs.delete(step.destinationContainer(), e, timeout())) {
                    deleted.incrementAndGet();
                } else {
                    destinationChanged.incrementAndGet();
                    sample(changedNames, changedSampled, e.name() + " (destination changed; not deleted)");
                }
            });
        }
        workers.awaitAll(context);
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }

    /** Compares one blob (hashing what has no MD5) and copies it when it differs; on a pool thread. */
    private void syncOne(Entry listedSource, Optional<Entry> listedDestination) {
        String name = listedSource.name();
        try {
            Entry source = listedSource;
            if (!source.hasMd5()) {
                Optional<Entry> hashed = withMd5(step.sourceContainer(), source);
                if (hashed.isEmpty()) {
                    changed(name, "source changed while it was hashed");
                    return;
                }
                source = hashed.get();
            }
            Optional<Entry> destination = listedDestination;
            if (destination.isPresent() && destination.get().size() == source.size()) {
                Entry d = destination.get();
                if (!d.hasMd5()) {
                    Optional<Entry> hashed = withMd5(step.destinationContainer(), d);
                    if (hashed.isEmpty()) {
                        destinationChanged(name);
                        return;
                    }
                    d = hashed.get();
                    destination = Optional.of(d);
                }
                compared.incrementAndGet();
                if (d.sameMd5(source.md5())) {
                    unchanged.incrementAndGet();
                    return;
                }
            } else {
                compared.incrementAndGet();
            }
            if (destination.isPresent() && step.keepOverwritten()) {
                if (!blobs.snapshot(step.destinationContainer(), destination.get(), timeout())) {
                    destinationChanged(name);
                    return;
                }
                snapshots.incrementAndGet();
            }
            Outcome outcome = blobs.copy(
                    step.sourceContainer(),
                    source,
                    step.destinationContainer(),
                    destination.map(Entry::etag),
                    timeout());
            switch (outcome) {
                case DONE -> copiedOne(source, destination.isPresent());
                case SOURCE_CHANGED -> changed(name, "source changed during the sync");
                case SOURCE_GONE -> {
                    sourceGone.incrementAndGet();
                    sample(changedNames, changedSampled, name + " (source deleted during the sync)");
                }
                case CONDITION_FAILED -> conditionFailed(source, destination);
            }
        } catch (StepInterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
            failed.incrementAndGet();
            sample(failures, failuresSampled, Arguments.printable(name) + ": " + Redaction.describe(e));
        }
    }

    /**
     * A copy's condition failed and the service did not say which: the destination as it is now
     * tells. Unchanged from the listing means the source changed; the source's size and MD5 mean the
     * copy itself (retried by the SDK after it had succeeded); anything else means the destination
     * changed.
     */
    private void conditionFailed(Entry source, Optional<Entry> listed) {
        String name = source.name();
        Optional<Entry> now = blobs.current(step.destinationContainer(), name, timeout());
        boolean asListed = listed.isEmpty()
                ? now.isEmpty()
                : now.isPresent() && listed.get().etag().equals(now.get().etag());
        if (asListed) {
            changed(name, "source changed during the sync");
        } else if (now.isPresent()
                && now.get().size() == source.size()
                && source.sameMd5(now.get().md5())) {
            copiedOne(source, listed.isPresent());
        } else {
            destinationChanged(name);
        }
    }

    private void copiedOne(Entry source, boolean overwrite) {
        copied.incrementAndGet();
        bytesCopied.addAndGet(source.size());
        if (overwrite) {
            overwritten.incrementAndGet();
        }
        maybeReportProgress();
    }

    /** The entry with its MD5 computed by download, and stored on the blob unless configured not to. */
    private Optional<Entry> withMd5(String container, Entry entry) {
        Optional<byte[]> md5 = blobs.computeMd5(container, entry, timeout());
        if (md5.isEmpty()) {
            return Optional.empty();
        }
        md5Computed.incrementAndGet();
        if (!step.storeComputedMd5()) {
            return Optional.of(entry.withMd5(md5.get(), entry.etag()));
        }
        Optional<String> etag = blobs.storeMd5(container, entry, md5.get(), timeout());
        if (etag.isEmpty()) {
            return Optional.empty();
        }
        md5Stored.incrementAndGet();
        return Optional.of(entry.withMd5(md5.get(), etag.get()));
    }

    private void changed(String name, String why) {
        sourceChanged.incrementAndGet();
        sample(changedNames, changedSampled, Arguments.printable(name) + " (" + why + ")");
    }

    private void destinationChanged(String name) {
        destinationChanged.incrementAndGet();
        sample(changedNames, changedSampled, Arguments.printable(name) + " (destination changed during the sync)");
    }

    private static void sample(ConcurrentLinkedQueue<String> into, AtomicInteger count, String what) {
        if (count.incrementAndGet() <= SAMPLES) {
            into.add(what);
        }
    }

    private void maybeReportProgress() {
        long now = context.clock().monotonicNanos();
        long last = lastProgress.get();
        if (now - last >= PROGRESS_EVERY_NANOS && lastProgress.compareAndSet(last, now)) {
            reportProgress();
        }
    }

    private void reportProgress() {
        context.progress("listed " + listedSource.get() + " + " + listedDestination.get() + ", compared "
                + compared.get() + ", copied " + copied.get() + " (" + bytesCopied.get() + " bytes)");
    }

    /** The evidence of this attempt, in a stable order. */
    Map<String, String> evidence() {
        Map<String, String> e = new LinkedHashMap<>();
        e.put(BlobSyncStep.LISTED_SOURCE, Long.toString(listedSource.get()));
        e.put(BlobSyncStep.LISTED_DESTINATION, Long.toString(listedDestination.get()));
        e.put(BlobSyncStep.MATCHED, Long.toString(matched.get()));
        e.put(BlobSyncStep.UNCHANGED, Long.toString(unchanged.get()));
        e.put(BlobSyncStep.COPIED, Long.toString(copied.get()));
        e.put(BlobSyncStep.OVERWRITTEN, Long.toString(overwritten.get()));
        e.put(BlobSyncStep.BYTES_COPIED, Long.toString(bytesCopied.get()));
        e.put(BlobSyncStep.SNAPSHOTS, Long.toString(snapshots.get()));
        e.put(BlobSyncStep.MD5_COMPUTED, Long.toString(md5Computed.get()));
        e.put(BlobSyncStep.MD5_STORED, Long.toString(md5Stored.get()));
        e.put(BlobSyncStep.SOURCE_CHANGED, Long.toString(sourceChanged.get() + sourceGone.get()));
        e.put(BlobSyncStep.DESTINATION_CHANGED, Long.toString(destinationChanged.get()));
        e.put(BlobSyncStep.CHANGED_NAMES, changedNames.isEmpty() ? "none" : String.join("; ", changedNames));
        e.put(BlobSyncStep.FAILED, Long.toString(failed.get()));
        e.put(BlobSyncStep.FAILURES, failures.isEmpty() ? "none" : String.join("; ", failures));
        e.put(BlobSyncStep.EXTRA, Long.toString(extra.get()));
        e.put(BlobSyncStep.DELETED, Long.toString(deleted.get()));
        return e;
    }

    /** Throws when the attempt did not leave the destination in sync. */
    void requireComplete() {
        long changed = sourceChanged.get() + sourceGone.get() + destinationChanged.get();
        if (changed > 0 || failed.get() > 0) {
            String message = "the sync of " + step.sourceContainer() + " to " + step.destinationContainer()
                    + " did not complete: " + copied.get() + " copied, "
                    + (changed > 0
                            ? changed + " changed during the sync (" + String.join("; ", changedNames) + ")"
                            : "")
                    + (changed > 0 && failed.get() > 0 ? ", " : "")
                    + (failed.get() > 0 ? failed.get() + " failed (" + String.join("; ", failures) + ")" : "")
                    + "; nothing was deleted; a retry copies only what still differs";
            throw new TransientFailureException(message, null);
        }
    }
}
