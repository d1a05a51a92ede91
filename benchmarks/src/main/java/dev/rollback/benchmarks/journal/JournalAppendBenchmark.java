package dev.rollback.benchmarks.journal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.FileJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Durable journal appends, records per second: each operation is one {@code FileJournal.append} of
 * a typical STEP_STARTED record (about 330 bytes), returning only after fsync. All threads append to
 * the same run, as the parallel steps of one run do; run with {@code -t 1,2,4}. With
 * {@code groupCommit=true} concurrent appends share one force; with {@code false} each is forced
 * alone. Compare with {@link FsyncLimitBenchmark} on the same disk. The directory is
 * {@code -Drollback.bench.dir} (default: the temp directory).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class JournalAppendBenchmark {
    @Param({"true", "false"})
    public boolean groupCommit;

    private Path directory;
    private FileJournal journal;
    private String runId;
    private final AtomicLong sequence = new AtomicLong();

    @Setup(Level.Iteration)
    public void open() throws IOException {
        directory = Files.createTempDirectory(
                Path.of(System.getProperty("rollback.bench.dir", System.getProperty("java.io.tmpdir"))),
                "journal-bench");
        journal = FileJournal.custom()
                .directory(directory)
                .groupCommit(groupCommit)
                .build();
        runId = "bench-" + UUID.randomUUID();
        sequence.set(0);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        journal.close();
        BenchFiles.deleteTree(directory);
    }

    @Benchmark
    public void append() {
        long seq = sequence.getAndIncrement();
        journal.append(new JournalRecord(
                runId,
                seq,
                JournalRecord.Type.STEP_STARTED,
                Instant.EPOCH.plusMillis(seq),
                Optional.of("restore-database"),
                42,
                Map.of("attempt", "1", "component", "postgres-primary", "deadline", "2025-01-01T00:10:00Z")));
    }
}
