package dev.rollback.core.journal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.internal.RunRecords;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A run rebuilt from its journal, so an executor can continue it instead of repeating it: which
 * steps ended and how, which started and have no end record ({@link #inDoubt()}), when the run
 * started (the RTO clock counts the time the run was dead), the next sequence number and the
 * highest fencing token journaled. Works with any {@link Journal}.
 *
 * <p>Built in one pass over the records: O(records) time, O(steps) memory. Immutable and
 * thread-safe. It decides nothing: whether an in-doubt step may run again is the executor's call,
 * from the step's idempotence or its own check.
 *
 * @param runId the run
 * @param records every record of the run, in sequence order
 * @param steps what happened to each step, in the order steps first appear
 */
public record RunHistory(String runId, List<JournalRecord> records, Map<String, StepHistory> steps) {

    /** Checks the parts and copies them. */
    public RunHistory {
        Objects.requireNonNull(runId, "runId");
        records = List.copyOf(records);
        steps = Collections.unmodifiableMap(new LinkedHashMap<>(steps));
    }

    /**
     * Reads and folds the journal of {@code runId}.
     *
     * @param journal the journal (a {@link FileJournal} verifies the chain while reading)
     * @param runId the run
     * @return its history; {@link #started()} is false for a run the journal does not know
     * @throws RollbackException with {@link ErrorCode#JOURNAL_FAILURE} if the journal is corrupt or
     *     its records are not one gapless sequence of this run
     */
    public static RunHistory replay(Journal journal, String runId) {
        Objects.requireNonNull(journal, "journal");
        return of(runId, journal.records(runId));
    }

    /**
     * Folds {@code records} of {@code runId}.
     *
     * @param runId the run
     * @param records its records, in sequence order
     * @return its history
     * @throws RollbackException with {@link ErrorCode#JOURNAL_FAILURE} if the records are not one
     *     gapless sequence of this run starting at 0
     */
    public static RunHistory of(String runId, List<JournalRecord> records) {
        Objects.requireNonNull(runId, "runId");
        Map<String, StepHistory> steps = new LinkedHashMap<>();
        long expected = 0;
        for (JournalRecord r : records) {
            if (!r.runId().equals(runId) || r.sequence() != expected) {
                throw new RollbackException(
                        ErrorCode.JOURNAL_FAILURE,
                        "cannot replay run '" + runId + "': record "
                                + expected + " is missing or out of place (found sequence " + r.sequence() + " of run '"
                                + r.runId() + "')");
            }
            expected++;
            if (r.stepId().isEmpty()) {
                continue;
            }
            String stepId = r.stepId().get();
            switch (r.type()) {
                case STEP_STARTED -> steps.put(stepId, step(steps, stepId).started(r));
                case STEP_FINISHED, STEP_SKIPPED ->
                    steps.put(stepId, step(steps, stepId).ended(r));
                default -> {}
            }
        }
        return new RunHistory(runId, records, steps);
    }

    private static StepHistory step(Map<String, StepHistory> steps, String stepId) {
        return steps.getOrDefault(stepId, new StepHistory(stepId, 0, Optional.empty(), Optional.empty()));
    }

    /** Whether the run has a RUN_STARTED record. */
    public boolean started() {
        return first(JournalRecord.Type.RUN_STARTED).isPresent();
    }

    /** When the run started (wall time of its RUN_STARTED record), if it did. */
    public Optional<Instant> startedAt() {
        return first(JournalRecord.Type.RUN_STARTED).map(JournalRecord::at);
    }

    /** The RUN_STARTED record's data (plan, plan key, initiator, authorization), empty if none. */
    public Map<String, String> startData() {
        return first(JournalRecord.Type.RUN_STARTED).map(JournalRecord::data).orElse(Map.of());
    }

    /** The name of the plan the run ran, from its RUN_STARTED record, if it has one. */
    public Optional<String> planName() {
        return Optional.ofNullable(startData().get(RunRecords.PLAN));
    }

    /** How the run ended ({@code SUCCEEDED}, {@code FAILED}, ...), from its RUN_FINISHED record, if it ended. */
    public Optional<String> outcome() {
        return finish().flatMap(f -> Optional.ofNullable(f.data().get(RunRecords.OUTCOME)));
    }

    /** The RUN_FINISHED record, if the run ended: a finished run is never resumed. */
    public Optional<JournalRecord> finish() {
        return last(JournalRecord.Type.RUN_FINISHED);
    }

    /** Whether the run has a RUN_FINISHED record. */
    public boolean finished() {
        return finish().isPresent();
    }

    /** The last RUN_ABORTED record (who and why), if the run was aborted. */
    public Optional<JournalRecord> abort() {
        return last(JournalRecord.Type.RUN_ABORTED);
    }

    /** The steps with an end record, which must not run again. */
    public List<StepHistory> endedSteps() {
        return steps.values().stream().filter(StepHistory::ended).toList();
    }

    /** The steps whose last attempt started without an end record. */
    public List<StepHistory> inDoubt() {
        return steps.values().stream().filter(StepHistory::inDoubt).toList();
    }

    /** The sequence number the next record of this run must carry. */
    public long nextSequence() {
        return records.size();
    }

    /** The highest fencing token journaled; a resuming holder must carry a higher one. */
    public long highestFencingToken() {
        return records.stream().mapToLong(JournalRecord::fencingToken).max().orElse(0);
    }

    /** When the last record was written, if any; the run was dead from then until it is resumed. */
    public Optional<Instant> lastRecordAt() {
        return records.isEmpty()
                ? Optional.empty()
                : Optional.of(records.get(records.size() - 1).at());
    }

    private Optional<JournalRecord> first(JournalRecord.Type type) {
        return records.stream().filter(r -> r.type() == type).findFirst();
    }

    private Optional<JournalRecord> last(JournalRecord.Type type) {
        JournalRecord found = null;
        for (JournalRecord r : records) {
            if (r.type() == type) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }
}
