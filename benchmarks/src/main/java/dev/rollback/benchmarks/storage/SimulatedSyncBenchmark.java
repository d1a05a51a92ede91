package dev.rollback.benchmarks.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.BlobSyncStep;
import dev.rollback.storage.StorageRollback;
import dev.rollback.storage.internal.Blobs;
import java.lang.management.ManagementFactory;
import java.time.Duration;
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
 *       comparison costs at least.</li>
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

    @Param({"sync", "resync", "listBoth", "sequentialLoop"})
    public String way;

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
        endpoint.close();
    }

    @Setup(Level.Invocation)
    public void before() {
        destination = "empty-" + (++invocation);
        System.gc();
        heap = new HeapWatch();
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
        switch (way) {
            case "sync" -> {
                BlobSyncStep step = storage.blobSync()
                        .sourceContainer(SimulatedBlobEndpoint.SOURCE)
                        .destinationContainer(destination)
                        .concurrency(concurrency)
                        .build();
                BenchContext context = new BenchContext();
                step.execute(context);
                copied = Long.parseLong(context.evidence().get(BlobSyncStep.COPIED));
                return copied;
            }
            case "resync" -> {
                BlobSyncStep step = storage.blobSync()
                        .sourceContainer(SimulatedBlobEndpoint.SOURCE)
                        .destinationContainer(SimulatedBlobEndpoint.SYNCED)
                        .concurrency(concurrency)
                        .build();
                BenchContext context = new BenchContext();
                step.execute(context);
                if (!context.evidence().get(BlobSyncStep.UNCHANGED).equals(Integer.toString(blobs))) {
                    throw new IllegalStateException("resync did not find every blob unchanged: " + context.evidence());
                }
                return Long.parseLong(context.evidence().get(BlobSyncStep.COPIED));
            }
            case "listBoth" -> {
                CompletableFuture<Long> source =
                        CompletableFuture.supplyAsync(() -> count(SimulatedBlobEndpoint.SOURCE));
                long synced = count(SimulatedBlobEndpoint.SYNCED);
                return source.get() + synced;
            }
            case "sequentialLoop" -> {
                for (BlobItem item : client.getBlobContainerClient(SimulatedBlobEndpoint.SOURCE)
                        .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(Blobs.PAGE_SIZE), null)) {
                    Blobs.Entry entry = new Blobs.Entry(
                            item.getName(),
                            item.getProperties().getContentLength(),
                            item.getProperties().getContentMd5(),
                            item.getProperties().getETag(),
                            null);
                    blobsApi.copy(
                            SimulatedBlobEndpoint.SOURCE, entry, destination, Optional.empty(), Duration.ofMinutes(1));
                    copied++;
                }
                return copied;
            }
            default -> throw new IllegalArgumentException("unknown way " + way);
        }
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
