package dev.rollback.api.spi;

import java.util.List;

/**
 * A durable, append-only record of every run and step transition, written before the action it
 * announces, so that a run that dies halfway can be resumed, never repeated.
 *
 * <p>Implementations are thread-safe. {@link #append(JournalRecord)} returns only once the record
 * is durable; a journal that cannot write throws a {@link dev.rollback.api.RollbackException}
 * with code {@code JOURNAL_FAILURE}, and the executor then stops before its next effect.
 */
public interface Journal {

    /** Appends a record durably. */
    void append(JournalRecord record);

    /** The records of one run, in sequence order; empty for an unknown run. */
    List<JournalRecord> records(String runId);

    /** The runs that started and have no RUN_FINISHED record. */
    List<String> unfinishedRuns();

    /** A journal that keeps nothing: runs are not durable. */
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
    };
}
