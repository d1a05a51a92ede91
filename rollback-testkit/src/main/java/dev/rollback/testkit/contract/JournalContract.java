package dev.rollback.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.api.spi.JournalVerification.Finding;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link Journal} contract as tests: extend it with a factory for your journal, and every rule
 * the {@code Journal} javadoc states is checked against it (sequence order, out-of-order appends,
 * duplicates and identical retries, fencing, read-after-append from a second instance, appends from
 * several threads, unfinished runs, and, where the journal verifies chains, that verification names
 * an edited record and a deleted one). As Micrometer's {@code MeterRegistryCompatibilityKit} does for
 * meter registries.
 *
 * <pre>{@code
 * class MyJournalTest extends JournalContract {
 *     @TempDir Path dir;
 *
 *     @Override
 *     protected Journal createJournal() {
 *         return MyJournal.open(dir, Duration.ofSeconds(1));   // its gap wait: 1 s
 *     }
 *
 *     @Override
 *     protected Duration sequenceGapTimeout() {
 *         return Duration.ofSeconds(1);
 *     }
 *
 *     @Override
 *     protected Optional<Tampering> tampering() {
 *         return Optional.of(new Tampering() { ... });       // required if verify(..) is not empty
 *     }
 * }
 * }</pre>
 *
 * <p>Each test uses run ids of its own ({@code contract-<uuid>}), so the store may be shared by the
 * tests of a class (a database) or be new for each (a temporary directory). The kit closes every
 * journal it created that is {@link AutoCloseable} after each test (one it closed already is closed
 * again, which the journal must take quietly). A test class instance per test
 * method, as JUnit 5 makes by default.
 */
public abstract class JournalContract {
    private final List<Journal> created = new CopyOnWriteArrayList<>();
    private Journal journal;

    /**
     * A new journal instance on the store under test. The kit calls it before each test, and again
     * when a test needs a second instance on the same store (to read what the first wrote, or to
     * retry an append after the first instance was closed, as after a restart).
     *
     * @return the journal
     * @throws Exception if it cannot be opened
     */
    protected abstract Journal createJournal() throws Exception;

    /**
     * How long the journal lets a record wait for a missing predecessor before refusing it, as
     * configured in {@link #createJournal()}. The kit waits up to this (and a margin) for that
     * refusal, and checks that an early record still waits after a quarter of it (at most 200 ms).
     * Configure something short, from 500 ms to a few seconds, so that the kit is quick. Default: 10 s.
     *
     * @return the journal's gap wait
     */
    protected Duration sequenceGapTimeout() {
        return Duration.ofSeconds(10);
    }

    /**
     * How the kit damages a stored run to check that verification notices. Required when the journal
     * verifies chains ({@link Journal#verify(String)} not empty); ignored otherwise.
     *
     * @return the tampering hooks, or empty
     */
    protected Optional<Tampering> tampering() {
        return Optional.empty();
    }

    /**
     * Opens a journal on a store that cannot be reached (a closed port, a directory that cannot be
     * created); opening itself may throw. Empty skips the fail-closed test.
     *
     * @return a way to open such a journal, or empty
     */
    protected Optional<Callable<Journal>> unreachableJournal() {
        return Optional.empty();
    }

    /**
     * Strings that must never appear in an exception message of the journal: the store's password,
     * a key. Default: none.
     *
     * @return the secrets
     */
    protected Set<String> secrets() {
        return Set.of();
    }

    /** Changes the store behind the journal's back, as someone with write access to it could. */
    public interface Tampering {
        /**
         * Changes the content of the stored record {@code sequence} of {@code runId} (a data value,
         * the type, the fencing token) without touching any other record.
         *
         * @param runId the run
         * @param sequence the record to edit
         * @throws Exception if it cannot
         */
        void editRecord(String runId, long sequence) throws Exception;

        /**
         * Deletes the stored record {@code sequence} of {@code runId}, leaving the others as they are.
         *
         * @param runId the run
         * @param sequence the record to delete
         * @throws Exception if it cannot
         */
        void deleteRecord(String runId, long sequence) throws Exception;
    }

    @BeforeEach
    final void openJournalUnderTest() throws Exception {
        journal = newJournal();
    }

    @AfterEach
    final void closeJournalsCreated() throws Exception {
        for (Journal j : created) {
            close(j);
        }
    }

    /** The journal under test, created before this test. */
    protected final Journal journal() {
        return journal;
    }

    private Journal newJournal() throws Exception {
        Journal j = createJournal();
        assertThat(j).as("createJournal() returned null").isNotNull();
        created.add(j);
        return j;
    }

    private static void close(Journal j) throws Exception {
        if (j instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    // ---------------------------------------------------------------- records

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00.123456Z");

    /** A run id of this test alone. */
    protected static String newRunId() {
        return "contract-" + UUID.randomUUID();
    }

    /**
     * Record {@code sequence} of {@code runId}: RUN_STARTED at 0, STEP_STARTED after, fencing token 1,
     * {@code at} to the microsecond, data with quotes, a newline and non-ASCII text.
     */
    protected static JournalRecord record(String runId, long sequence) {
        return record(
                runId, sequence, sequence == 0 ? JournalRecord.Type.RUN_STARTED : JournalRecord.Type.STEP_STARTED, 1);
    }

    private static JournalRecord record(String runId, long sequence, JournalRecord.Type type, long token) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("attempt", "1");
        data.put("note", "record " + sequence + " of \"" + runId + "\"\nü ✓");
        return new JournalRecord(
                runId,
                sequence,
                type,
                T0.plus(sequence, ChronoUnit.MILLIS),
                sequence == 0 ? Optional.empty() : Optional.of("step-" + sequence),
                token,
                data);
    }

    private List<JournalRecord> appendRun(String runId, int count) {
        List<JournalRecord> written = new ArrayList<>();
        for (int seq = 0; seq < count; seq++) {
            JournalRecord r = record(runId, seq);
            journal.append(r);
            written.add(r);
        }
        return written;
    }

    private static void assertRefused(Throwable thrown, ErrorCode code) {
        assertThat(thrown)
                .as("a refused append throws RollbackException with code %s", code)
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(code));
    }

    // ---------------------------------------------------------------- sequences and reading

    @Test
    void readsBackEveryRecordInSequenceOrderExactlyAsAppendedAlsoThroughANewInstance() throws Exception {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 5);
        assertThat(journal.records(run)).containsExactlyElementsOf(written);
        assertThat(newJournal().records(run))
                .as("what an append returned for is durable and read by a new instance on the same store")
                .containsExactlyElementsOf(written);
        assertThat(journal.records(run).get(4).data().keySet())
                .as("data entries keep their order")
                .containsExactly("attempt", "note");
    }

    @Test
    void anUnknownRunHasNoRecordsAndNoChain() {
        String unknown = newRunId();
        assertThat(journal.records(unknown)).isEmpty();
        journal.verify(unknown).ifPresent(v -> {
            assertThat(v.finding()).isEqualTo(Finding.NO_SUCH_RUN);
            assertThat(v.verified()).isFalse();
        });
    }

    @Test
    void keepsAtToTheMicrosecondAtLeastAndCutsFinerDigitsNeverRoundingUp() {
        String run = newRunId();
        Instant fine = Instant.parse("2026-03-01T12:00:00.999999999Z");
        JournalRecord r =
                new JournalRecord(run, 0, JournalRecord.Type.RUN_STARTED, fine, Optional.empty(), 1, Map.of());
        journal.append(r);
        assertThat(journal.records(run).get(0).at()).isIn(fine, fine.truncatedTo(ChronoUnit.MICROS));
        journal.append(r);
        assertThat(journal.records(run))
                .as("an identical retry at nanosecond precision")
                .hasSize(1);
    }

    @Test
    void eachRunHasItsOwnSequenceFromZero() {
        String a = newRunId();
        String b = newRunId();
        for (int seq = 0; seq < 3; seq++) {
            journal.append(record(a, seq));
            journal.append(record(b, seq));
        }
        assertThat(journal.records(a)).extracting(JournalRecord::sequence).containsExactly(0L, 1L, 2L);
        assertThat(journal.records(b)).extracting(JournalRecord::runId).containsOnly(b);
        assertThat(journal.records(b)).hasSize(3);
    }

    @Test
    void aRecordThatArrivesBeforeItsPredecessorWaitsForItAndBothAreKept() throws Exception {
        String run = newRunId();
        journal.append(record(run, 0));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<?> early = thread.submit(() -> journal.append(record(run, 2)));
            long probe = Math.min(200, sequenceGapTimeout().toMillis() / 4);
            assertThat(waitFor(early, probe))
                    .as("record 2 is not acknowledged while record 1 is missing")
                    .isFalse();
            assertThat(journal.records(run))
                    .as("no gap is ever stored")
                    .extracting(JournalRecord::sequence)
                    .containsExactly(0L);
            journal.append(record(run, 1));
            early.get(sequenceGapTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
        } finally {
            thread.shutdownNow();
        }
        assertThat(journal.records(run)).extracting(JournalRecord::sequence).containsExactly(0L, 1L, 2L);
    }

    private static boolean waitFor(Future<?> future, long millis) throws Exception {
        try {
            future.get(millis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    @Test
    void aRecordWhosePredecessorNeverComesIsRefusedStoresNothingAndMayComeAgainLater() {
        String run = newRunId();
        journal.append(record(run, 0));
        assertThatThrownBy(() -> journal.append(record(run, 2)))
                .satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining(run);
        assertThat(journal.records(run)).extracting(JournalRecord::sequence).containsExactly(0L);
        journal.append(record(run, 1));
        journal.append(record(run, 2));
        assertThat(journal.records(run)).extracting(JournalRecord::sequence).containsExactly(0L, 1L, 2L);
    }

    // ---------------------------------------------------------------- duplicates and retries

    @Test
    void anIdenticalRetryOfTheLastRecordIsAcceptedWithoutBeingStoredTwice() {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 2);
        journal.append(record(run, 1));
        assertThat(journal.records(run)).containsExactlyElementsOf(written);
        journal.append(record(run, 2));
        assertThat(journal.records(run)).hasSize(3);
    }

    @Test
    void anIdenticalRetryOfAnEarlierRecordIsAcceptedAfterLaterOnes() {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 4);
        journal.append(record(run, 1));
        journal.append(record(run, 0));
        assertThat(journal.records(run)).containsExactlyElementsOf(written);
    }

    @Test
    void anIdenticalRetryThroughANewInstanceAfterTheFirstWasClosedIsAcceptedOnce() throws Exception {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 3);
        close(journal);
        Journal restarted = newJournal();
        restarted.append(record(run, 2));
        assertThat(restarted.records(run)).containsExactlyElementsOf(written);
        restarted.append(record(run, 3));
        assertThat(restarted.records(run)).hasSize(4);
    }

    @Test
    void identicalAppendsFromTwoThreadsAtOnceStoreTheRecordOnceAndBothReturn() throws Exception {
        String run = newRunId();
        journal.append(record(run, 0));
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> both = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                both.add(threads.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    journal.append(record(run, 1));
                    return null;
                }));
            }
            for (Future<?> f : both) {
                f.get(sequenceGapTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(journal.records(run)).containsExactly(record(run, 0), record(run, 1));
    }

    @Test
    void aDifferentRecordAtAUsedSequenceIsRefusedNamingTheRunAndTheStoredOneStays() {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 2);
        JournalRecord other = record(run, 1, JournalRecord.Type.STEP_FINISHED, 1);
        assertThatThrownBy(() -> journal.append(other))
                .satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining(run);
        assertThatThrownBy(() -> journal.append(record(run, 0, JournalRecord.Type.RUN_ABORTED, 1)))
                .satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE));
        assertThat(journal.records(run)).containsExactlyElementsOf(written);
    }

    @Test
    void aRecordEqualButWithItsDataInAnotherOrderIsNotAnIdenticalRetry() {
        String run = newRunId();
        List<JournalRecord> written = appendRun(run, 2);
        JournalRecord stored = written.get(1);
        List<String> keys = new ArrayList<>(stored.data().keySet());
        Collections.reverse(keys);
        Map<String, String> reversed = new LinkedHashMap<>();
        keys.forEach(k -> reversed.put(k, stored.data().get(k)));
        JournalRecord reordered =
                new JournalRecord(run, 1, stored.type(), stored.at(), stored.stepId(), stored.fencingToken(), reversed);
        assertThat(reordered).isEqualTo(stored);
        assertThatThrownBy(() -> journal.append(reordered)).satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE));
        assertThat(journal.records(run)).containsExactlyElementsOf(written);
    }

    @Test
    void anAppendOnAnInterruptedThreadStoresTheRecordAndKeepsTheInterrupt() throws Exception {
        String run = newRunId();
        journal.append(record(run, 0));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> flagAfter = thread.submit(() -> {
                Thread.currentThread().interrupt();
                try {
                    journal.append(record(run, 1));
                    return Thread.currentThread().isInterrupted();
                } finally {
                    Thread.interrupted();
                }
            });
            assertThat(flagAfter.get(sequenceGapTimeout().toMillis() + 30_000, TimeUnit.MILLISECONDS))
                    .as("the interrupt flag is set again when append returns")
                    .isTrue();
        } finally {
            thread.shutdownNow();
        }
        journal.append(record(run, 2));
        assertThat(journal.records(run)).extracting(JournalRecord::sequence).containsExactly(0L, 1L, 2L);
    }

    // ---------------------------------------------------------------- fencing

    @Test
    void aRecordWithAFencingTokenLowerThanOneStoredIsRefusedAsAStaleHolder() {
        String run = newRunId();
        journal.append(record(run, 0, JournalRecord.Type.RUN_STARTED, 7));
        assertThatThrownBy(() -> journal.append(record(run, 1, JournalRecord.Type.STEP_STARTED, 6)))
                .satisfies(e -> assertRefused(e, ErrorCode.LOCK_UNAVAILABLE));
        assertThat(journal.records(run)).hasSize(1);
        journal.append(record(run, 1, JournalRecord.Type.STEP_STARTED, 7));
        journal.append(record(run, 2, JournalRecord.Type.STEP_STARTED, 8));
        assertThat(journal.records(run)).extracting(JournalRecord::fencingToken).containsExactly(7L, 7L, 8L);
    }

    // ---------------------------------------------------------------- threads

    @Test
    void appendsFromSeveralThreadsToSeveralRunsLeaveNoGapAndNoDuplicate() throws Exception {
        int threads = 4;
        int perThread = 8;
        List<String> runs = List.of(newRunId(), newRunId());
        Map<String, AtomicLong> counters = Map.of(runs.get(0), new AtomicLong(), runs.get(1), new AtomicLong());
        Map<String, List<JournalRecord>> appended =
                Map.of(runs.get(0), new CopyOnWriteArrayList<>(), runs.get(1), new CopyOnWriteArrayList<>());
        CyclicBarrier start = new CyclicBarrier(threads);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String run = runs.get(t % 2);
                work.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < perThread; i++) {
                        // As the executor does: draw the number, then append; another thread may overtake.
                        JournalRecord r = record(run, counters.get(run).getAndIncrement());
                        journal.append(r);
                        appended.get(run).add(r);
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(sequenceGapTimeout().toMillis() + 60_000, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (String run : runs) {
            List<JournalRecord> read = journal.records(run);
            assertThat(read).extracting(JournalRecord::sequence).isSorted().doesNotHaveDuplicates();
            assertThat(read).hasSize(threads / 2 * perThread);
            assertThat(read).containsExactlyInAnyOrderElementsOf(appended.get(run));
            assertThat(read.get(read.size() - 1).sequence()).isEqualTo(read.size() - 1);
        }
    }

    // ---------------------------------------------------------------- unfinished runs

    @Test
    void unfinishedRunsAreTheStartedRunsWithoutAnEndEachOnce() {
        String open = newRunId();
        String finished = newRunId();
        String neverStarted = newRunId();
        appendRun(open, 2);
        appendRun(finished, 2);
        journal.append(record(finished, 2, JournalRecord.Type.RUN_FINISHED, 1));
        journal.append(record(neverStarted, 0, JournalRecord.Type.DECISION, 1));
        List<String> unfinished = journal.unfinishedRuns();
        assertThat(unfinished).containsOnlyOnce(open).doesNotContain(finished, neverStarted);
    }

    // ---------------------------------------------------------------- verification

    private Tampering requireTampering() {
        return tampering()
                .orElseThrow(() -> new AssertionError("this journal verifies chains (verify(..) is not empty):"
                        + " override tampering() so that the kit can check that verification detects damage"));
    }

    private JournalVerification verifiable(String run) {
        Optional<JournalVerification> verdict = journal.verify(run);
        assumeTrue(verdict.isPresent(), "this journal keeps no chain it can verify (verify(..) is empty)");
        return verdict.get();
    }

    @Test
    void anIntactRunVerifiesWithItsRecordCount() {
        String run = newRunId();
        appendRun(run, 4);
        JournalVerification v = verifiable(run);
        assertThat(v.verified()).as("%s", v.describe()).isTrue();
        assertThat(v.finding()).isEqualTo(Finding.VERIFIED);
        assertThat(v.runId()).isEqualTo(run);
        assertThat(v.recordCount()).isEqualTo(4);
        assertThat(v.firstBadSequence()).isEmpty();
        assertThat(v.headHash()).isNotBlank();
        assertThat(v.describe()).contains(run, "VERIFIED", "4 records");
    }

    @Test
    void anEditedRecordIsFoundAndNamedAndItsRunIsNoLongerRead() throws Exception {
        String run = newRunId();
        appendRun(run, 5);
        verifiable(run);
        requireTampering().editRecord(run, 2);
        JournalVerification v = newJournal().verify(run).orElseThrow();
        assertThat(v.verified()).as("%s", v.describe()).isFalse();
        assertThat(v.finding()).as("%s", v.describe()).isEqualTo(Finding.ALTERED);
        assertThat(v.firstBadSequence()).as("%s", v.describe()).hasValue(2);
        assertThat(v.recordCount()).isEqualTo(2);
        assertThatThrownBy(() -> newJournal().records(run))
                .as("records(..) throws rather than return a damaged run")
                .satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining(run)
                .hasMessageContaining("2");
    }

    @Test
    void aRecordDeletedFromTheMiddleIsFoundAndTheFirstMissingOneNamed() throws Exception {
        String run = newRunId();
        appendRun(run, 5);
        verifiable(run);
        requireTampering().deleteRecord(run, 2);
        JournalVerification v = newJournal().verify(run).orElseThrow();
        assertThat(v.finding()).as("%s", v.describe()).isEqualTo(Finding.REMOVED);
        assertThat(v.firstBadSequence()).as("%s", v.describe()).hasValue(2);
        assertThatThrownBy(() -> newJournal().records(run))
                .satisfies(e -> assertRefused(e, ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining(run);
    }

    // ---------------------------------------------------------------- arguments and failures

    @Test
    void nullArgumentsAreRefusedBeforeAnythingHappens() {
        assertThatThrownBy(() -> journal.append(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> journal.records(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> journal.verify(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void anUnreachableStoreFailsClosedNamingNoSecret() {
        Optional<Callable<Journal>> unreachable = unreachableJournal();
        assumeTrue(unreachable.isPresent(), "no unreachable store given (unreachableJournal())");
        Throwable thrown = null;
        try {
            Journal j = unreachable.get().call();
            created.add(j);
            j.append(record(newRunId(), 0));
            fail("an append to an unreachable store returned");
        } catch (Exception e) {
            thrown = e;
        }
        assertRefused(thrown, ErrorCode.JOURNAL_FAILURE);
        for (String secret : secrets()) {
            for (Throwable t = thrown; t != null; t = t.getCause()) {
                assertThat(String.valueOf(t.getMessage())).doesNotContain(secret);
            }
        }
    }
}
