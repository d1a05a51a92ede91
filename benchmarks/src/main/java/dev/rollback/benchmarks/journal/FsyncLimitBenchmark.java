package dev.rollback.benchmarks.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The limit for {@link JournalAppendBenchmark}: a bare loop of {@code FileChannel.write} of 330
 * bytes and {@code FileChannel.force(false)}, with no encoding, hashing or locking, on the same
 * directory. Each thread has its own file, so with {@code -t 2,4} this is what the disk gives
 * independent fsyncs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class FsyncLimitBenchmark {
    private static final byte[] RECORD = new byte[330];

    static {
        Arrays.fill(RECORD, (byte) 'x');
        RECORD[RECORD.length - 1] = '\n';
    }

    private Path directory;
    private FileChannel channel;
    private long position;

    @Setup(Level.Iteration)
    public void open() throws IOException {
        directory = Files.createTempDirectory(
                Path.of(System.getProperty("rollback.bench.dir", System.getProperty("java.io.tmpdir"))), "fsync-bench");
        channel = FileChannel.open(
                directory.resolve("bare.log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        position = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
        channel.close();
        BenchFiles.deleteTree(directory);
    }

    @Benchmark
    public void writeAndForce() throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(RECORD);
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
        channel.force(false);
    }
}
