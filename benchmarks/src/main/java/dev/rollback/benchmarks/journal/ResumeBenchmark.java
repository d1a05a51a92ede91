package dev.rollback.benchmarks.journal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.RunHistory;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Resuming a 1,000-step run: one operation reads its journal file (2,001 records, about 600 KB),
 * verifies every checksum, hash, chain link and the anchor, and folds it into a {@link RunHistory}
 * (999 steps ended, the last one in doubt). The target is under 100 ms.
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
        directory = Files.createTempDirectory(Path.of(System.getProperty("rollback.bench.dir",
                System.getProperty("java.io.tmpdir"))), "resume-bench");
        journal = FileJournal.of(directory);
        long seq = 0;
        Instant at = Instant.parse("2025-01-01T00:00:00Z");
        journal.append(new JournalRecord(RUN, seq++, JournalRecord.Type.RUN_STARTED, at, Optional.empty(), 1,
                Map.of("plan", "advisoros", "planKey", "advisoros", "initiator", "TRIGGER:error-rate")));
        for (int i = 0; i < STEPS; i++) {
            String step = "step-" + i;
            journal.append(new JournalRecord(RUN, seq++, JournalRecord.Type.STEP_STARTED, at.plusMillis(seq),
                    Optional.of(step), 1, Map.of("attempt", "1", "deadline", "2025-01-01T00:10:00Z",
                    "idempotent", "true", "destructive", "false")));
            if (i < STEPS - 1) {
                Map<String, String> end = new LinkedHashMap<>();
                end.put("outcome", "SUCCEEDED");
                end.put("attempts", "1");
                end.put("evidence.status", "200");
                journal.append(new JournalRecord(RUN, seq++, JournalRecord.Type.STEP_FINISHED, at.plusMillis(seq),
                        Optional.of(step), 1, end));
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
            throw new IllegalStateException("the replay is wrong: " + history.inDoubt().size() + " in doubt");
        }
        return history;
    }
}
