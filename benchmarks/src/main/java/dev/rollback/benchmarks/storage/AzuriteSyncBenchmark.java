package dev.rollback.benchmarks.storage;

import com.azure.core.http.HttpClient;
import com.azure.core.util.BinaryData;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobBeginCopyOptions;
import dev.rollback.api.Verification;
import dev.rollback.benchmarks.support.BenchContext;
import dev.rollback.storage.BlobIntegrityVerifier;
import dev.rollback.storage.BlobStorage;
import dev.rollback.storage.BlobSyncStep;
import dev.rollback.storage.StorageRollback;
import dev.rollback.storage.internal.Blobs;
import dev.rollback.testkit.azurite.AzuriteServer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * The blob sync on a real Azurite against every other way the same client can move the same blobs
 * there, and the re-sync and the integrity check against listing both containers, all in the same
 * run, with the same {@code BlobServiceClient}. Each trial starts its own Azurite (in memory) and
 * fills container {@code source} with {@code blobs} blobs of random content whose sizes are
 * log-uniform between 1 KB and 1 MB (seeded: every trial has the same), then syncs them once into
 * {@code synced}. Each invocation that writes gets a new empty destination container, deleted after
 * it (not timed). The {@code way}s:
 * <ul>
 *   <li>{@code sync}: {@link BlobSyncStep} into the empty container, at {@code concurrency};</li>
 *   <li>{@code copySequential}, {@code copyParallel}: list the source, then one server-side
 *       {@code Copy Blob} per blob (the single request the step sends), one after the other, or on
 *       {@code concurrency} threads;</li>
 *   <li>{@code sdkCopyParallel}: the same with the SDK's {@code beginCopy(...).waitForCompletion()}
 *       (Copy Blob, then a poll of the destination);</li>
 *   <li>{@code downloadUploadSequential}, {@code downloadUploadParallel}: download each blob and
 *       upload it to the destination;</li>
 *   <li>{@code resync}: the step against {@code synced} (nothing to copy);</li>
 *   <li>{@code integrity}: {@link BlobIntegrityVerifier} of {@code source} against {@code synced};</li>
 *   <li>{@code listBothSequential}, {@code listBothParallel}: list both containers once, touching
 *       every entry: what any comparison costs at least;</li>
 *   <li>{@code pairedSync}, {@code pairedResync}, {@code pairedIntegrity}: the step and its peer
 *       ({@code copyParallel}, {@code listBothParallel}) one right after the other in the same
 *       invocation, in alternating order, each timed on its own: on a shared machine whose load
 *       drifts between trials, the ratio inside one invocation is the fair comparison. The median
 *       ratio is printed at the end of the trial.</li>
 * </ul>
 * After each invocation it prints (untimed) where the time went: Azurite's CPU time (from
 * {@code /proc/<pid>/stat}) and this JVM's.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class AzuriteSyncBenchmark {
    @Param({"2000"})
    public int blobs;

    @Param({"16"})
    public int concurrency;

    @Param({
        "sync",
        "copyParallel",
        "sdkCopyParallel",
        "downloadUploadParallel",
        "copySequential",
        "downloadUploadSequential",
        "resync",
        "integrity",
        "listBothParallel",
        "listBothSequential",
        "pairedSync",
        "pairedResync",
        "pairedIntegrity"
    })
    public String way;

    private static final String SOURCE = "source";
    private static final String SYNCED = "synced";

    private AzuriteServer azurite;
    private BlobServiceClient client;
    private Blobs blobsApi;
    private StorageRollback storage;
    private ExecutorService pool;
    private int invocation;
    private String destination;
    private long azuriteCpuBefore;
    private long jvmCpuBefore;
    private long wallBefore;
    private final List<Double> ratios = new ArrayList<>();

    @Setup(Level.Trial)
    public void start() throws Exception {
        azurite = AzuriteServer.builder().build();
        azurite.start();
        client = new BlobServiceClientBuilder()
                .connectionString(azurite.connectionString())
                .httpClient(HttpClient.createDefault(new HttpClientOptions().setMaximumConnectionPoolSize(64)))
                .buildClient();
        blobsApi = Blobs.of(client, Optional.empty());
        storage = StorageRollback.ofBlobs(BlobStorage.ofBlobServiceClient(client));
        pool = Executors.newFixedThreadPool(concurrency);
        BlobContainerClient source = client.createBlobContainer(SOURCE);
        client.createBlobContainer(SYNCED);
        Random random = new Random(42);
        double low = Math.log(1024);
        double high = Math.log(1024 * 1024);
        List<Future<?>> uploads = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < blobs; i++) {
            int size = (int) Math.exp(low + random.nextDouble() * (high - low));
            byte[] data = new byte[size];
            random.nextBytes(data);
            total += size;
            String name = String.format("documents/%04d/blob-%05d.pdf", i % 50, i);
            uploads.add(pool.submit(() -> source.getBlobClient(name).upload(BinaryData.fromBytes(data))));
        }
        for (Future<?> f : uploads) {
            f.get();
        }
        long t = System.nanoTime();
        storage.blobSync()
                .sourceContainer(SOURCE)
                .destinationContainer(SYNCED)
                .concurrency(concurrency)
                .build()
                .execute(new BenchContext("storage-blob-sync", "file-storage"));
        System.out.printf(
                "%nseeded %d blobs, %,d bytes (mean %,d), first sync into %s in %d ms%n",
                blobs, total, total / blobs, SYNCED, (System.nanoTime() - t) / 1_000_000);
    }

    @TearDown(Level.Trial)
    public void stop() {
        if (!ratios.isEmpty()) {
            List<Double> sorted = new ArrayList<>(ratios);
            sorted.sort(Double::compare);
            System.out.printf(
                    "%n[%s] step / peer ratios %s, median %.3f%n", way, sorted, sorted.get(sorted.size() / 2));
        }
        pool.shutdownNow();
        azurite.close();
    }

    @Setup(Level.Invocation)
    public void before() throws IOException {
        destination = "destination-" + (++invocation);
        if (writes()) {
            client.createBlobContainer(destination);
        }
        if (way.equals("pairedSync")) {
            client.createBlobContainer(destination + "-peer");
        }
        azuriteCpuBefore = azuriteCpuMillis();
        jvmCpuBefore = jvmCpuMillis();
        wallBefore = System.nanoTime();
    }

    @TearDown(Level.Invocation)
    public void after() throws IOException {
        long wall = (System.nanoTime() - wallBefore) / 1_000_000;
        long azuriteCpu = azuriteCpuMillis() - azuriteCpuBefore;
        long jvmCpu = jvmCpuMillis() - jvmCpuBefore;
        System.out.printf(
                "%n[%s] %d ms wall; Azurite CPU %d ms (%.0f%% of one core), this JVM's CPU %d ms (%.0f%%)%n",
                way, wall, azuriteCpu, 100.0 * azuriteCpu / wall, jvmCpu, 100.0 * jvmCpu / wall);
        if (writes()) {
            client.getBlobContainerClient(destination).delete();
        }
        if (way.equals("pairedSync")) {
            client.getBlobContainerClient(destination + "-peer").delete();
        }
    }

    private boolean writes() {
        return !(way.equals("resync")
                || way.equals("integrity")
                || way.startsWith("listBoth")
                || way.equals("pairedResync")
                || way.equals("pairedIntegrity"));
    }

    /** Runs {@code step} and {@code peer}, in an order that alternates per invocation; records step / peer. */
    private long paired(String stepName, Callable<Long> step, String peerName, Callable<Long> peer) throws Exception {
        boolean stepFirst = invocation % 2 == 0;
        long[] took = new long[2];
        long result = 0;
        for (int i = 0; i < 2; i++) {
            boolean runStep = (i == 0) == stepFirst;
            long t = System.nanoTime();
            result += (runStep ? step : peer).call();
            took[runStep ? 0 : 1] = System.nanoTime() - t;
        }
        double ratio = took[0] / (double) took[1];
        ratios.add(Math.round(ratio * 1000) / 1000.0);
        System.out.printf(
                "%n[%s] %s %d ms, %s %d ms, ratio %.3f (%s first)%n",
                way,
                stepName,
                took[0] / 1_000_000,
                peerName,
                took[1] / 1_000_000,
                ratio,
                stepFirst ? stepName : peerName);
        return result;
    }

    private long sync(String target) throws InterruptedException {
        BenchContext context = new BenchContext("storage-blob-sync", "file-storage");
        storage.blobSync()
                .sourceContainer(SOURCE)
                .destinationContainer(target)
                .concurrency(concurrency)
                .build()
                .execute(context);
        return Long.parseLong(context.evidence().get(BlobSyncStep.COPIED));
    }

    private long resync() throws InterruptedException {
        BenchContext context = new BenchContext("storage-blob-sync", "file-storage");
        storage.blobSync()
                .sourceContainer(SOURCE)
                .destinationContainer(SYNCED)
                .concurrency(concurrency)
                .build()
                .execute(context);
        if (!context.evidence().get(BlobSyncStep.UNCHANGED).equals(Integer.toString(blobs))) {
            throw new IllegalStateException("the re-sync found work: " + context.evidence());
        }
        return Long.parseLong(context.evidence().get(BlobSyncStep.UNCHANGED));
    }

    private long integrity() throws InterruptedException {
        Verification v = storage.integrityVerifier()
                .sourceContainer(SOURCE)
                .destinationContainer(SYNCED)
                .build()
                .verify(new BenchContext("storage-blob-sync", "file-storage"));
        if (!v.passed()) {
            throw new IllegalStateException("the integrity check failed: " + v);
        }
        return Long.parseLong(v.details().get(BlobIntegrityVerifier.MATCHED));
    }

    private long listBothParallel() throws Exception {
        CompletableFuture<Long> source = CompletableFuture.supplyAsync(() -> count(SOURCE), pool);
        long synced = count(SYNCED);
        return source.get() + synced;
    }

    private long copyParallelInto(String target) throws Exception {
        String saved = destination;
        destination = target;
        try {
            return parallel(this::copy);
        } finally {
            destination = saved;
        }
    }

    private long azuriteCpuMillis() throws IOException {
        long pid = azurite.pid().orElseThrow();
        long ticks = 0;
        // the azurite-blob launcher is node itself; its children (if any) are counted too
        for (ProcessHandle p : List.of(ProcessHandle.of(pid).orElseThrow())) {
            String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        return ticks * 10; // USER_HZ = 100 on Linux
    }

    private static long jvmCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                        .getProcessCpuTime()
                / 1_000_000;
    }

    private List<Blobs.Entry> listSource() {
        List<Blobs.Entry> entries = new ArrayList<>();
        for (BlobItem item : client.getBlobContainerClient(SOURCE)
                .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(Blobs.PAGE_SIZE), null)) {
            entries.add(new Blobs.Entry(
                    item.getName(),
                    item.getProperties().getContentLength(),
                    item.getProperties().getContentMd5(),
                    item.getProperties().getETag(),
                    null));
        }
        return entries;
    }

    private long count(String container) {
        long n = 0;
        for (BlobItem item : client.getBlobContainerClient(container)
                .listBlobs(new ListBlobsOptions().setMaxResultsPerPage(Blobs.PAGE_SIZE), null)) {
            n += item.getProperties().getContentLength() >= 0 ? 1 : 0;
        }
        return n;
    }

    private void copy(Blobs.Entry e) {
        try {
            blobsApi.copy(SOURCE, e, destination, Optional.empty(), Duration.ofMinutes(1));
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private void sdkCopy(Blobs.Entry e) {
        client.getBlobContainerClient(destination)
                .getBlobClient(e.name())
                .beginCopy(new BlobBeginCopyOptions(client.getBlobContainerClient(SOURCE)
                                .getBlobClient(e.name())
                                .getBlobUrl())
                        .setPollInterval(Duration.ofMillis(10)))
                .waitForCompletion(Duration.ofMinutes(1));
    }

    private void downloadUpload(Blobs.Entry e) {
        BinaryData data =
                client.getBlobContainerClient(SOURCE).getBlobClient(e.name()).downloadContent();
        client.getBlobContainerClient(destination).getBlobClient(e.name()).upload(data, true);
    }

    private long parallel(Consumer<Blobs.Entry> op) throws Exception {
        List<Future<?>> all = new ArrayList<>();
        for (Blobs.Entry e : listSource()) {
            all.add(pool.submit(() -> op.accept(e)));
        }
        for (Future<?> f : all) {
            f.get();
        }
        return all.size();
    }

    private long sequential(Consumer<Blobs.Entry> op) {
        long n = 0;
        for (Blobs.Entry e : listSource()) {
            op.accept(e);
            n++;
        }
        return n;
    }

    @Benchmark
    public long run() throws Exception {
        return switch (way) {
            case "sync" -> sync(destination);
            case "copySequential" -> sequential(this::copy);
            case "copyParallel" -> parallel(this::copy);
            case "sdkCopyParallel" -> parallel(this::sdkCopy);
            case "downloadUploadSequential" -> sequential(this::downloadUpload);
            case "downloadUploadParallel" -> parallel(this::downloadUpload);
            case "resync" -> resync();
            case "integrity" -> integrity();
            case "listBothSequential" -> count(SOURCE) + count(SYNCED);
            case "listBothParallel" -> listBothParallel();
            case "pairedSync" ->
                paired("sync", () -> sync(destination), "copyParallel", () -> copyParallelInto(destination + "-peer"));
            case "pairedResync" -> paired("resync", this::resync, "listBothParallel", this::listBothParallel);
            case "pairedIntegrity" -> paired("integrity", this::integrity, "listBothParallel", this::listBothParallel);
            default -> throw new IllegalArgumentException("unknown way " + way);
        };
    }
}
