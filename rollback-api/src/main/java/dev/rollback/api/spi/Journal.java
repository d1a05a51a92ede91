package dev.rollback.api.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A durable, append-only record of every run and step transition, written before the action it
 * announces, so that a run that dies halfway can be resumed, never repeated.
 *
 * <p>This is the contract every implementation keeps. {@code JournalContract} in
 * {@code rollback-testkit} checks each rule below against an implementation; a new journal is
 * proven by a test class that extends it.
 *
 * <p><b>Sequence numbers.</b> Each run has its own sequence, independent of every other run: its
 * records carry the numbers {@code 0, 1, 2, ...} with no gap and no repeat, and a journal stores
 * record {@code n} only after records {@code 0} to {@code n - 1} of its run. The caller draws the
 * numbers (the executor from a counter, then appends from several threads), so records may arrive
 * out of order.
 *
 * <p><b>Out-of-order appends.</b> A record that arrives before one of its predecessors waits for
 * them inside {@link #append(JournalRecord)} (appended by other threads, or, for a shared store, by
 * other instances), for a bounded time the implementation documents. If they do not come, the
 * append throws {@link dev.rollback.api.RollbackException} with code {@code JOURNAL_FAILURE}, naming
 * the run and the missing record, and stores nothing; the record may be appended again once its
 * predecessors are stored.
 *
 * <p><b>Duplicates and retries.</b> A record whose sequence number its run already holds is
 * <ul>
 *   <li>accepted without being stored again when it is <em>identical</em> to the stored record (every
 *       field equal, its data entries in the same order, {@code at} compared at the precision the
 *       journal keeps): {@code append} returns normally once the stored record is durable. This is
 *       the retry after a lost acknowledgement (a connection that broke after the commit, an append
 *       that threw although the record reached the store), and it holds at any sequence, also when
 *       later records were appended since, and also while the first append of the same record is
 *       still under way in another thread (the retry then shares its outcome);</li>
 *   <li>refused when it differs: {@code append} throws {@code RollbackException} with code
 *       {@code JOURNAL_FAILURE}, naming the run and the sequence, and stores nothing. Two writers
 *       are at the same run (a bug, or a coordination failure); the stored record stays.</li>
 * </ul>
 * So appending a record again after {@code append} threw is always safe: either the first attempt
 * reached the store and the retry is a no-op, or it did not and the retry stores it.
 *
 * <p><b>Fencing.</b> A record whose {@linkplain JournalRecord#fencingToken() fencing token} is lower
 * than the highest one already stored for its run comes from a stale lock holder: it is refused with
 * {@code RollbackException} code {@code LOCK_UNAVAILABLE} and not stored. An equal or higher token is
 * accepted. (The duplicate rule comes first: an identical retry of a stored record is accepted.)
 *
 * <p><b>Durability at return.</b> {@code append} returns only once the record is durable: forced to
 * the device, committed by the database. A crash of the process after that never loses it, and a
 * new journal instance on the same store reads it. A journal that cannot write throws
 * {@code RollbackException} with code {@code JOURNAL_FAILURE}, naming the store (a directory, a host
 * and database) and never a credential; the record may then have been stored or not, and the
 * executor stops before its next effect. Arguments are checked first: {@code null} throws
 * {@link NullPointerException}.
 *
 * <p><b>Interrupts.</b> An interrupt does not stop an append: the record announces an effect and may
 * be durable already, so {@code append} stores it (or fails for another reason) and returns with the
 * thread's interrupt flag set again. A read on an interrupted thread may throw {@code JOURNAL_FAILURE},
 * the flag kept.
 *
 * <p><b>Reading.</b> {@link #records(String)} returns every record of the run whose append returned
 * (through this instance or, for a shared store, any other), in sequence order from 0, each equal to
 * the record appended, except that a journal may keep {@code at} to the microsecond only (finer
 * digits are cut, never rounded up). A journal that keeps a hash chain checks it while reading and
 * throws {@code JOURNAL_FAILURE} naming the first bad record instead of returning damaged records.
 *
 * <p><b>Verification.</b> {@link #verify(String)} says whether the journal keeps a hash chain it
 * can check: empty when it does not (as {@link #NONE}), otherwise the verdict on one run. A journal
 * that verifies detects at least a stored record edited ({@code ALTERED}, naming it) and a record
 * deleted from the middle of a run ({@code REMOVED}, naming the first missing one); what more it
 * detects (a cut tail, a chain rebuilt as a whole) depends on what it keeps beside the chain (an
 * anchor of the head, a MAC key), and its own javadoc says. The executor adds the verdict to every
 * report it finishes.
 *
 * <p>Implementations are thread-safe: any method may be called from several threads at once, also
 * {@code append} for the same run. A journal never deletes or rewrites a stored record, and never
 * logs a record's content.
 */
public interface Journal {

    /**
     * Appends a record durably, following the rules above: it waits for a missing predecessor, accepts
     * an identical retry of a stored record without storing it twice, and refuses a different record
     * at a used sequence and a stale fencing token.
     *
     * @param record the record
     * @throws dev.rollback.api.RollbackException {@code JOURNAL_FAILURE} if it could not be stored,
     *     conflicts with a stored record, or its predecessor never came; {@code LOCK_UNAVAILABLE} if
     *     its fencing token is stale
     */
    void append(JournalRecord record);

    /**
     * The records of one run, in sequence order, each checked against the chain where the journal
     * keeps one.
     *
     * @param runId the run
     * @return the records; empty for an unknown run
     * @throws dev.rollback.api.RollbackException {@code JOURNAL_FAILURE} if the store cannot be read
     *     or the run's chain is damaged (naming the first bad record)
     */
    List<JournalRecord> records(String runId);

    /**
     * The runs that have a {@code RUN_STARTED} record and no {@code RUN_FINISHED} record, each once,
     * in an order the implementation documents.
     *
     * @return the run ids
     * @throws dev.rollback.api.RollbackException {@code JOURNAL_FAILURE} if the store cannot be read
     */
    List<String> unfinishedRuns();

    /**
     * Verifies the hash chain of one run. Never throws for what it finds: the verdict says it.
     *
     * @param runId the run
     * @return the verdict ({@code NO_SUCH_RUN} for a run the journal does not hold); empty if this
     *     journal keeps no chain it can verify. The default returns empty.
     * @throws dev.rollback.api.RollbackException {@code JOURNAL_FAILURE} if the store cannot be read
     */
    default Optional<JournalVerification> verify(String runId) {
        Objects.requireNonNull(runId, "runId");
        return Optional.empty();
    }

    /**
     * A journal that keeps nothing, and so none of the rules above but thread safety: runs are not
     * durable, and there is no chain to verify.
     */
    Journal NONE = new Journal() {
        @Override
        public void append(JournalRecord record) {}

        @Override
        public List<JournalRecord> records(String runId) {
            return List.of();
        }

        @Override
        public List<String> unfinishedRuns() {
            return List.of();
        }

        @Override
        public String toString() {
            return "Journal.NONE";
        }
    };
}
