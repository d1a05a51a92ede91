package dev.rollback.benchmarks.journal;

import dev.rollback.cli.RollbackCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * {@code rollback journal verify} of a journal of one 100,000-record run ({@link LargeJournal}),
 * run in this JVM through the command line's own entry point: every CRC, hash, link and the anchor.
 * Single shots, each in a fresh fork, so the first (cold) verification is measured as an operator's
 * command meets it; docs/benchmarks.md also gives the wall time of the whole command, JVM start
 * included.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(5)
public class JournalVerifyBenchmark {
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("journal-verify");
        LargeJournal.write(dir, "run-large", 100_000);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        BenchFiles.deleteTree(dir);
    }

    @Benchmark
    public int verify100kRecords() {
        StringWriter out = new StringWriter();
        int code = RollbackCli.commandLine()
                .setOut(new PrintWriter(out))
                .execute("journal", "verify", "--journal", dir.toString());
        if (code != 0 || !out.toString().contains("100000 records")) {
            throw new IllegalStateException("verify failed (" + code + "): " + out);
        }
        return code;
    }
}
