package dev.rollback.core.journal;

import static dev.rollback.core.journal.JournalFixtures.appendRun;
import static dev.rollback.core.journal.JournalFixtures.journalFile;
import static dev.rollback.core.journal.JournalFixtures.lines;
import static dev.rollback.core.journal.JournalFixtures.offsetOf;
import static dev.rollback.core.journal.JournalFixtures.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.JournalRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileJournalTest {
    @TempDir
    Path dir;

    @Test
    void readsBackEveryRecordExactlyAsAppendedFromANewInstance() throws Exception {
        List<JournalRecord> written;
        try (FileJournal journal = FileJournal.of(dir)) {
            written = appendRun(journal, "run-1", 6);
        }
        try (FileJournal reopened = FileJournal.of(dir)) {
            assertThat(reopened.records("run-1")).containsExactlyElementsOf(written);
            assertThat(reopened.records("unknown-run")).isEmpty();
        }
    }

    @Test
    void keepsRunIdsThatAreNotFileNamesApartAndSafe() {
        try (FileJournal journal = FileJournal.of(dir)) {
            journal.append(record("../etc/passwd", 0));
            journal.append(record("-rf\nx", 0));
            assertThat(journal.records("../etc/passwd"))
                    .extracting(JournalRecord::runId)
                    .containsExactly("../etc/passwd");
            assertThat(journal.records("-rf\nx")).hasSize(1);
            assertThat(dir.getParent().resolve("etc")).doesNotExist();
            assertThat(journal.unfinishedRuns()).containsExactlyInAnyOrder("../etc/passwd", "-rf\nx");
        }
    }

    @Test
    void listsRunsThatStartedAndDidNotFinish() {
        try (FileJournal journal = FileJournal.of(dir)) {
            appendRun(journal, "open-run", 2);
            appendRun(journal, "done-run", 2);
            journal.append(new JournalRecord(
                    "done-run",
                    2,
                    JournalRecord.Type.RUN_FINISHED,
                    JournalFixtures.T0,
                    Optional.empty(),
                    7,
                    Map.of("outcome", "SUCCEEDED")));
            assertThat(journal.unfinishedRuns()).containsExactly("open-run");
            assertThat(journal.runs()).containsExactly("done-run", "open-run");
            journal.append(record("done-run", 3));
            assertThat(journal.records("done-run")).hasSize(4);
        }
    }

    @Test
    void aJournalFileItDidNotWriteHidesNoRunAndIsNeverListed() throws Exception {
        Files.writeString(dir.resolve("x%ZZ.journal"), "", StandardCharsets.UTF_8);
        try (FileJournal journal = FileJournal.of(dir)) {
            journal.append(new JournalRecord(
                    "run-ok", 0, JournalRecord.Type.RUN_STARTED, Instant.EPOCH, Optional.empty(), 1, Map.of()));
            assertThat(journal.unfinishedRuns()).containsExactly("run-ok");
        }
    }

    @Test
    void dropsOnlyATornLastRecordAtEveryByteOffsetAndCutsItOffBeforeTheNextAppend() throws Exception {
        Path source = dir.resolve("source");
        byte[] anchorBeforeLast;
        try (FileJournal journal = FileJournal.of(source)) {
            appendRun(journal, "run-1", 4);
            anchorBeforeLast = Files.readAllBytes(JournalFixtures.anchorFile(source, "run-1"));
            journal.append(record("run-1", 4));
        }
        byte[] full = Files.readAllBytes(journalFile(source, "run-1"));
        int lastStart = (int) offsetOf(lines(journalFile(source, "run-1")), 4);
        for (int cut = lastStart; cut < full.length; cut++) {
            Path copy = dir.resolve("cut-" + cut);
            Files.createDirectories(copy);
            Files.write(journalFile(copy, "run-1"), Arrays.copyOf(full, cut));
            Files.write(JournalFixtures.anchorFile(copy, "run-1"), anchorBeforeLast);
            try (FileJournal journal = FileJournal.of(copy)) {
                assertThat(journal.records("run-1"))
                        .as("cut at byte %d", cut)
                        .hasSize(4)
                        .extracting(JournalRecord::sequence)
                        .containsExactly(0L, 1L, 2L, 3L);
                journal.append(record("run-1", 4));
                assertThat(journal.verify("run-1").orElseThrow().recordCount())
                        .as("cut at byte %d", cut)
                        .isEqualTo(5);
            }
            assertThat(Files.readAllBytes(journalFile(copy, "run-1")))
                    .as("cut at byte %d", cut)
                    .isEqualTo(full);
        }
    }

    @Test
    void refusesAFlippedByteInTheMiddleNamingTheFileAndOffsetAndStartsNothingOnIt() throws Exception {
        try (FileJournal journal = FileJournal.of(dir)) {
            appendRun(journal, "run-1", 5);
            journal.append(new JournalRecord(
                    "run-2", 0, JournalRecord.Type.RUN_STARTED, Instant.EPOCH, Optional.empty(), 1, Map.of()));
        }
        Path file = journalFile(dir, "run-1");
        long offset = offsetOf(lines(file), 2);
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) offset + 40] ^= 0x01;
        Files.write(file, bytes);
        try (FileJournal journal = FileJournal.of(dir)) {
            assertThatThrownBy(() -> journal.records("run-1"))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining(file.toString())
                    .hasMessageContaining("byte offset " + offset)
                    .hasMessageContaining("record 2")
                    .hasMessageContaining("checksum");
            assertThatThrownBy(() -> journal.append(record("run-1", 5)))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining("byte offset " + offset);
            assertThat(journal.unfinishedRuns())
                    .as("the corrupt run is never offered for resume, and blocks no other run")
                    .containsExactly("run-2");
        }
        assertThat(Files.readAllBytes(file))
                .as("a corrupt journal is never repaired by cutting")
                .isEqualTo(bytes);
    }

    @Test
    void keepsSequenceOrderWithoutGapsWhenManyThreadsAppendAtOnce() throws Exception {
        for (boolean groupCommit : new boolean[] {true, false}) {
            String runId = "parallel-" + groupCommit;
            int threads = 4;
            int perThread = 150;
            AtomicLong sequence = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try (FileJournal journal =
                    FileJournal.custom().directory(dir).groupCommit(groupCommit).build()) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < perThread; i++) {
                            journal.append(record(runId, sequence.getAndIncrement()));
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
                assertThat(journal.records(runId))
                        .extracting(JournalRecord::sequence)
                        .containsExactlyElementsOf(
                                LongStream.range(0, threads * perThread).boxed().toList());
                assertThat(journal.verify(runId).orElseThrow().verified()).isTrue();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void holdsARecordThatArrivesEarlyUntilItsPredecessorIsWritten() throws Exception {
        try (FileJournal journal = FileJournal.of(dir)) {
            journal.append(record("run-1", 0));
            CompletableFuture<Void> second = CompletableFuture.runAsync(() -> journal.append(record("run-1", 2)));
            Thread.sleep(100);
            assertThat(second).isNotDone();
            journal.append(record("run-1", 1));
            second.get(10, TimeUnit.SECONDS);
            assertThat(journal.records("run-1"))
                    .extracting(JournalRecord::sequence)
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void failsARecordWhosePredecessorNeverComes() {
        try (FileJournal journal = FileJournal.custom()
                .directory(dir)
                .sequenceGapTimeout(Duration.ofMillis(100))
                .build()) {
            journal.append(record("run-1", 0));
            assertThatThrownBy(() -> journal.append(record("run-1", 2)))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining("record 2")
                    .hasMessageContaining("record 1");
            journal.append(record("run-1", 1));
            assertThat(journal.records("run-1")).hasSize(2);
        }
    }

    @Test
    void acceptsAnIdenticalRetryOnceAndRefusesADifferentRecordAtAUsedSequence() throws Exception {
        try (FileJournal journal = FileJournal.of(dir)) {
            List<JournalRecord> written = appendRun(journal, "run-1", 3);
            journal.append(written.get(1));
            journal.append(written.get(2));
            JournalRecord different = new JournalRecord(
                    "run-1", 1, JournalRecord.Type.STEP_FINISHED, JournalFixtures.T0, Optional.of("a"), 7, Map.of());
            assertThatThrownBy(() -> journal.append(different))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining("record 1 of run 'run-1' is refused")
                    .hasMessageContaining("a different record already holds that sequence number")
                    .hasMessageContaining("the next one is 3");
            assertThat(journal.records("run-1")).containsExactlyElementsOf(written);
            assertThat(lines(journalFile(dir, "run-1"))).hasSize(3);
        }
        try (FileJournal reopened = FileJournal.of(dir)) {
            List<JournalRecord> written = reopened.records("run-1");
            reopened.append(written.get(0));
            JournalRecord reordered = new JournalRecord(
                    "run-1",
                    2,
                    written.get(2).type(),
                    written.get(2).at(),
                    written.get(2).stepId(),
                    written.get(2).fencingToken(),
                    reversed(written.get(2).data()));
            assertThat(reordered).as("equal, but its data in another order").isEqualTo(written.get(2));
            assertThatThrownBy(() -> reopened.append(reordered))
                    .as("a record the chain would hash differently is not the same record")
                    .hasMessageContaining("a different record already holds that sequence number");
            assertThat(lines(journalFile(dir, "run-1"))).hasSize(3);
            reopened.append(record("run-1", 3));
            assertThat(reopened.verify("run-1").orElseThrow().recordCount()).isEqualTo(4);
        }
    }

    private static Map<String, String> reversed(Map<String, String> data) {
        List<String> keys = new ArrayList<>(data.keySet());
        Collections.reverse(keys);
        Map<String, String> out = new LinkedHashMap<>();
        keys.forEach(k -> out.put(k, data.get(k)));
        return out;
    }

    @Test
    void aRetryOfARecordStillWaitingForItsPredecessorSharesItsOutcome() throws Exception {
        try (FileJournal journal = FileJournal.of(dir)) {
            journal.append(record("run-1", 0));
            ExecutorService threads = Executors.newFixedThreadPool(2);
            try {
                Future<?> first = threads.submit(() -> journal.append(record("run-1", 2)));
                Future<?> retry = threads.submit(() -> journal.append(record("run-1", 2)));
                assertThatThrownBy(() -> first.get(200, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
                journal.append(record("run-1", 1));
                first.get(10, TimeUnit.SECONDS);
                retry.get(10, TimeUnit.SECONDS);
            } finally {
                threads.shutdownNow();
            }
            assertThat(journal.records("run-1"))
                    .extracting(JournalRecord::sequence)
                    .containsExactly(0L, 1L, 2L);
        }
    }

    @Test
    void refusesARecordFromAStaleLockHolder() {
        try (FileJournal journal = FileJournal.of(dir)) {
            journal.append(new JournalRecord(
                    "run-1", 0, JournalRecord.Type.RUN_STARTED, JournalFixtures.T0, Optional.empty(), 9, Map.of()));
            assertThatThrownBy(() -> journal.append(new JournalRecord(
                            "run-1",
                            1,
                            JournalRecord.Type.STEP_STARTED,
                            JournalFixtures.T0,
                            Optional.of("a"),
                            8,
                            Map.of())))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.LOCK_UNAVAILABLE))
                    .hasMessageContaining("fencing token 8")
                    .hasMessageContaining("token 9");
        }
        try (FileJournal reopened = FileJournal.of(dir)) {
            assertThatThrownBy(() -> reopened.append(new JournalRecord(
                            "run-1",
                            1,
                            JournalRecord.Type.STEP_STARTED,
                            JournalFixtures.T0,
                            Optional.of("a"),
                            8,
                            Map.of())))
                    .as("the highest token is rebuilt from the file")
                    .isInstanceOf(RollbackException.class);
            reopened.append(new JournalRecord(
                    "run-1", 1, JournalRecord.Type.STEP_STARTED, JournalFixtures.T0, Optional.of("a"), 10, Map.of()));
        }
    }

    @Test
    void letsOnlyOneJournalInstanceAppendToARun() {
        try (FileJournal first = FileJournal.of(dir);
                FileJournal second = FileJournal.of(dir)) {
            first.append(record("run-1", 0));
            assertThatThrownBy(() -> second.append(record("run-1", 1)))
                    .isInstanceOfSatisfying(
                            RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                    .hasMessageContaining("open for appending by another process or journal instance");
            assertThat(second.records("run-1")).hasSize(1);
        }
    }

    @Test
    void refusesAppendsAfterCloseButStillReads() {
        FileJournal journal = FileJournal.of(dir);
        journal.append(record("run-1", 0));
        journal.close();
        journal.close();
        assertThatThrownBy(() -> journal.append(record("run-1", 1))).isInstanceOf(IllegalStateException.class);
        assertThat(journal.records("run-1")).hasSize(1);
    }

    @Test
    void rejectsBadConfigurationNamingTheFieldAndValue() throws Exception {
        assertThatThrownBy(() -> FileJournal.custom().sequenceGapTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sequenceGapTimeout must be positive, but was PT0S");
        assertThatThrownBy(() -> FileJournal.custom().hmacKey(new byte[8]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hmacKey must be at least 16 bytes, but was 8 bytes");
        assertThatThrownBy(() -> FileJournal.custom().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("directory is required");
        Path file = Files.writeString(dir.resolve("a-file"), "x", StandardCharsets.UTF_8);
        assertThatThrownBy(() -> FileJournal.of(file.resolve("journal")))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining(file.resolve("journal").toString());
    }

    @Test
    void neverShowsTheMacKey() {
        byte[] key = "a-secret-key-of-32-bytes-exactly".getBytes(StandardCharsets.US_ASCII);
        try (FileJournal journal =
                FileJournal.custom().directory(dir).hmacKey(key).build()) {
            appendRun(journal, "run-1", 2);
            assertThat(journal.toString()).doesNotContain("a-secret-key");
            assertThat(String.join("", lines(journalFile(dir, "run-1")))).doesNotContain("a-secret-key");
        }
    }
}
