package dev.rollback.benchmarks.journal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.RunHistory;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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
 * Resuming a 1,000-step run: one operation reads its journal file (2,000 records of 300 to 350 bytes),
 * verifies every checksum, hash, chain link and the anchor, and folds it into a {@link RunHistory}
 * (999 steps ended, the last one in doubt). The target is under 100 ms.
 *
 * <p>On a shared, overloaded machine wall time mostly measures waiting for a core; {@link #main}
 * also prints the CPU time of the resuming thread per operation, from {@link ThreadMXBean}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ResumeBenchmark {
    static final int STEPS = 1000;
    private static final String RUN = "resume-bench";

    private Path directory;
    private FileJournal journal;

    @Setup(Level.Trial)
    public void writeACrashedRun() throws IOException {
        directory = Files.createTempDirectory(
                Path.of(System.getProperty("rollback.bench.dir", System.getProperty("java.io.tmpdir"))),
                "resume-bench");
        journal = FileJournal.of(directory);
        long seq = 0;
        Instant at = Instant.parse("2025-01-01T00:00:00Z");
        journal.append(new JournalRecord(
                RUN,
                seq++,
                JournalRecord.Type.RUN_STARTED,
                at,
                Optional.empty(),
                1,
                Map.of("plan", "advisoros", "planKey", "advisoros", "initiator", "TRIGGER:error-rate")));
        for (int i = 0; i < STEPS; i++) {
            String step = "step-" + i;
            journal.append(new JournalRecord(
                    RUN,
                    seq++,
                    JournalRecord.Type.STEP_STARTED,
                    at.plusMillis(seq),
                    Optional.of(step),
                    1,
                    Map.of(
                            "attempt",
                            "1",
                            "deadline",
                            "2025-01-01T00:10:00Z",
                            "idempotent",
                            "true",
                            "destructive",
                            "false")));
            if (i < STEPS - 1) {
                Map<String, String> end = new LinkedHashMap<>();
                end.put("outcome", "SUCCEEDED");
                end.put("attempts", "1");
                end.put("evidence.status", "200");
                journal.append(new JournalRecord(
                        RUN, seq++, JournalRecord.Type.STEP_FINISHED, at.plusMillis(seq), Optional.of(step), 1, end));
            }
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        journal.close();
        BenchFiles.deleteTree(directory);
    }

    @Benchmark
    public RunHistory resume() {
        RunHistory history = RunHistory.replay(journal, RUN);
        if (history.inDoubt().size() != 1 || history.endedSteps().size() != STEPS - 1) {
            throw new IllegalStateException(
                    "the replay is wrong: " + history.inDoubt().size() + " in doubt");
        }
        return history;
    }

    /**
     * Prints wall and CPU time per resume for 10 rounds of 20 resumes, the first rounds being warm-up.
     *
     * @param args ignored
     * @throws IOException if the temporary journal cannot be written
     */
    public static void main(String[] args) throws IOException {
        ResumeBenchmark benchmark = new ResumeBenchmark();
        benchmark.writeACrashedRun();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try {
            for (int round = 1; round <= 10; round++) {
                int n = 20;
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                for (int i = 0; i < n; i++) {
                    benchmark.resume();
                }
                System.out.printf(
                        "round %2d: %6.1f ms wall, %5.1f ms CPU per resume%n",
                        round,
                        (System.nanoTime() - wall) / 1e6 / n,
                        (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / n);
            }
        } finally {
            benchmark.delete();
        }
    }
}
