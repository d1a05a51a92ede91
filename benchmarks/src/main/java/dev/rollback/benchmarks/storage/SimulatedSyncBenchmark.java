package dev.rollback.benchmarks.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.rollback.benchmarks.support.BenchContext;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.BlobSyncStep;
import dev.rollback.storage.StorageRollback;
import dev.rollback.storage.internal.Blobs;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The blob sync against a simulated Blob endpoint that answers every request after {@code latencyMs}
 * and serves requests in parallel ({@link SimulatedBlobEndpoint}), with its peers in the same run,
 * all through the same {@code BlobServiceClient}:
 * <ul>
 *   <li>{@code sync}: {@link BlobSyncStep} of {@code blobs} blobs into an empty container, at
 *       {@code concurrency};</li>
 *   <li>{@code sequentialLoop}: the obvious loop: list the source, then copy each blob, one after
 *       the other, with the same one-request {@code Copy Blob} the step sends;</li>
 *   <li>{@code resync}: the step against a destination already in sync (nothing to copy);</li>
 *   <li>{@code listBoth}: list both containers once, in parallel, touching every entry: what any
 *       comparison costs at least;</li>
 *   <li>{@code pairedResync}: {@code resync} and {@code listBoth} one right after the other in the
 *       same invocation, in alternating order, each timed: the ratio inside one invocation, fair on
 *       a machine whose load drifts; the median is printed at the end of the trial.</li>
 * </ul>
 * After each invocation it prints (untimed) the requests served, this JVM's CPU time, and the live
 * heap's high-water mark ({@link HeapWatch}); the simulator runs in the same JVM, so its share is in
 * both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx512m"})
public class SimulatedSyncBenchmark {
    @Param({"10000"})
    public int blobs;

    @Param({"32"})
    public int concurrency;

    @Param({"20"})
    public int latencyMs;

    @Param({"sync", "resync", "listBoth", "sequentialLoop", "pairedResync"})
    public String way;

    /**
     * Whether a thread forces a full collection every 250 ms and records the heap in use right after
     * it: the exact live set, sampled (slows the run down; for the memory figures, not the timings).
     */
    @Param({"false"})
    public boolean sampleLiveHeap;

    private SimulatedBlobEndpoint endpoint;
    private BlobServiceClient client;
    private Blobs blobsApi;
    private StorageRollback storage;
    private int invocation;
    private String destination;
    private long requestsBefore;
    private long cpuBefore;
    private long wallBefore;
    private HeapWatch heap;
    private long copied;
    private LiveHeapSampler sampler;
    private final List<Double> ratios = new ArrayList<>();

    @Setup(Level.Trial)
    public void start() {
        endpoint = new SimulatedBlobEndpoint(blobs, latencyMs);
        client = new BlobServiceClientBuilder()
                .connectionString(endpoint.connectionString())
                .httpClient(HttpClient.createDefault(new HttpClientOptions().setMaximumConnectionPoolSize(128)))
                .buildClient();
        blobsApi = Blobs.of(client, Optional.empty());
        storage = StorageRollback.ofBlobs(BlobStorage.ofBlobServiceClient(client));
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (!ratios.isEmpty()) {
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(Double::compare);
            System.out.printf(
                    "%n[%s] resync / listBoth ratios %s, median %.3f%n", way, sorted, sorted.get(sorted.size() / 2));
        }
        endpoint.close();
    }

    @Setup(Level.Invocation)
    public void before() {
        destination = "empty-" + (++invocation);
        System.gc();
        heap = new HeapWatch();
        sampler = sampleLiveHeap ? LiveHeapSampler.start(Duration.ofMillis(250)) : null;
        requestsBefore = endpoint.requests.get();
        cpuBefore = cpuNanos();
        wallBefore = System.nanoTime();
        copied = 0;
    }

    @TearDown(Level.Invocation)
    public void after() {
        long wall = System.nanoTime() - wallBefore;
        long cpu = cpuNanos() - cpuBefore;
        heap.close();
        if (sampler != null) {
            LiveHeapSampler.Result live = sampler.stop();
            System.out.printf(
                    "%n[%s %d blobs] live heap (full GC every 250 ms, %d samples): %.1f MB before, peak %.1f MB,"
                            + " so the work held at most %.1f MB%n",
                    way,
                    blobs,
                    live.samples(),
                    live.before() / 1e6,
                    live.peak() / 1e6,
                    (live.peak() - live.before()) / 1e6);
        }
        System.out.printf(
                "%n[%s %d blobs] %.0f ms wall, %d requests, %d copies, JVM CPU %.0f ms (%.0f%% of one core),"
                        + " live heap high-water mark %.1f MB over %d collections%n",
                way,
                blobs,
                wall / 1e6,
                endpoint.requests.get() - requestsBefore,
                copied,
                cpu / 1e6,
                100.0 * cpu / wall,
                heap.peakAfterGc() / 1e6,
                heap.collections());
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Benchmark
    public long run() throws Exception {
        return switch (way) {
            case "sync" -> sync();
            case "resync" -> resync();
            case "listBoth" -> listBoth();
            case "pairedResync" -> pairedResync();
            case "sequentialLoop" -> sequentialLoop();
            default -> throw new IllegalArgumentException("unknown way " + way);
        };
    }

    private long sync() throws InterruptedException {
        BlobSyncStep step = storage.blobSync()
                .sourceContainer(SimulatedBlobEndpoint.SOURCE)
                .destinationContainer(destination)
                .concurrency(concurrency)
                .build();
        BenchContext context = new BenchContext("storage-blob-sync", "file-storage");
        step.execute(context);
        copied = Long.parseLong(context.evidence().get(BlobSyncStep.COPIED));
        return copied;
    }

    /** The obvious loop, with the same client and the same one-request Copy Blob the step sends. */
    private long sequentialLoop() throws InterruptedException {
        for (BlobItem item : client.getBlobContainerClient(SimulatedBlobEndpoint.SOURCE)
                .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(Blobs.PAGE_SIZE), null)) {
            Blobs.Entry entry = new Blobs.Entry(
                    item.getName(),
                    item.getProperties().getContentLength(),
                    item.getProperties().getContentMd5(),
                    item.getProperties().getETag(),
                    null);
            blobsApi.copy(SimulatedBlobEndpoint.SOURCE, entry, destination, Optional.empty(), Duration.ofMinutes(1));
            copied++;
        }
        return copied;
    }

    private long pairedResync() throws Exception {
        boolean resyncFirst = invocation % 2 == 0;
        long[] took = new long[2];
        long result = 0;
        for (int i = 0; i < 2; i++) {
            boolean runResync = (i == 0) == resyncFirst;
            long t = System.nanoTime();
            result += runResync ? resync() : listBoth();
            took[runResync ? 0 : 1] = System.nanoTime() - t;
        }
        double ratio = took[0] / (double) took[1];
        ratios.add(Math.round(ratio * 1000) / 1000.0);
        System.out.printf(
                "%n[pairedResync] resync %d ms, listBoth %d ms, ratio %.3f (%s first)%n",
                took[0] / 1_000_000, took[1] / 1_000_000, ratio, resyncFirst ? "resync" : "listBoth");
        return result;
    }

    private long resync() throws InterruptedException {
        BlobSyncStep step = storage.blobSync()
                .sourceContainer(SimulatedBlobEndpoint.SOURCE)
                .destinationContainer(SimulatedBlobEndpoint.SYNCED)
                .concurrency(concurrency)
                .build();
        BenchContext context = new BenchContext("storage-blob-sync", "file-storage");
        step.execute(context);
        if (!context.evidence().get(BlobSyncStep.UNCHANGED).equals(Integer.toString(blobs))) {
            throw new IllegalStateException("resync did not find every blob unchanged: " + context.evidence());
        }
        return Long.parseLong(context.evidence().get(BlobSyncStep.COPIED));
    }

    private long listBoth() throws Exception {
        CompletableFuture<Long> source = CompletableFuture.supplyAsync(() -> count(SimulatedBlobEndpoint.SOURCE));
        long synced = count(SimulatedBlobEndpoint.SYNCED);
        return source.get() + synced;
    }

    private long count(String container) {
        long n = 0;
        for (BlobItem item : client.getBlobContainerClient(container)
                .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(Blobs.PAGE_SIZE), null)) {
            n += item.getProperties().getContentLength() > 0 ? 1 : 0;
        }
        return n;
    }
}
