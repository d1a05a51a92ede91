package dev.rollback.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parallel steps of one node record at the same time; a JVM may hold only one lock on a file
 * region, so the ledger must take turns inside the JVM before it takes the file lock.
 */
class SideEffectLedgerFromThreadsTest {
    @TempDir
    Path dir;

    @Test
    void threadsOfOneJvmRecordAtOnceWithoutFailing() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(dir.resolve("ledger.tsv"));
        int threads = 4;
        int perThread = 50;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String step = "step-" + t;
                writers.add(pool.submit(() -> {
                    for (int i = 1; i <= perThread; i++) {
                        ledger.record(new LedgerEntry(
                                "node",
                                "run",
                                step,
                                1,
                                i,
                                LedgerEntry.Outcome.APPLIED,
                                Instant.now(),
                                Optional.empty()));
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writers) {
                writer.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(ledger.entries()).hasSize(threads * perThread);
    }
}
