package dev.rollback.core.journal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.internal.RunRecords;
import java.util.Objects;
import java.util.Optional;

/**
 * What a run's journal says about one step: how many attempts started, and how (or whether) the
 * step ended. A step whose last attempt started and has no end record is {@linkplain #inDoubt() in
 * doubt}: its effect may or may not have happened, and only the step itself (its idempotence, or
 * its own check) can say whether it may run again.
 *
 * <p>Immutable and thread-safe.
 *
 * @param stepId the step
 * @param attemptsStarted the number of STEP_STARTED records
 * @param lastStart the last STEP_STARTED record, if any
 * @param end the STEP_FINISHED or STEP_SKIPPED record, if any
 */
public record StepHistory(
        String stepId, int attemptsStarted, Optional<JournalRecord> lastStart, Optional<JournalRecord> end) {

    /** Checks the parts. */
    public StepHistory {
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(lastStart, "lastStart");
        Objects.requireNonNull(end, "end");
        if (attemptsStarted < 0) {
            throw new IllegalArgumentException("attemptsStarted must be >= 0, but was " + attemptsStarted);
        }
    }

    /** Whether an end record (finished or skipped) exists: the step must not run again. */
    public boolean ended() {
        return end.isPresent();
    }

    /** Whether an attempt started and no end record followed: the effect may or may not have happened. */
    public boolean inDoubt() {
        return end.isEmpty() && attemptsStarted > 0;
    }

    /** The outcome written in the end record ({@code SUCCEEDED}, {@code FAILED}, ...), if it ended. */
    public Optional<String> outcome() {
        return end.flatMap(e -> Optional.ofNullable(e.data().get(RunRecords.OUTCOME)));
    }

    /** Whether the last attempt announced the step as idempotent; false when unknown. */
    public boolean idempotent() {
        return lastStart
                .map(s -> "true".equals(s.data().get(RunRecords.IDEMPOTENT)))
                .orElse(false);
    }

    /** Whether the last attempt announced the step as destructive; true when unknown, to fail safe. */
    public boolean destructive() {
        return lastStart
                .map(s -> !"false".equals(s.data().get(RunRecords.DESTRUCTIVE)))
                .orElse(true);
    }

    StepHistory started(JournalRecord start) {
        return new StepHistory(stepId, attemptsStarted + 1, Optional.of(start), end);
    }

    StepHistory ended(JournalRecord endRecord) {
        return new StepHistory(stepId, attemptsStarted, lastStart, Optional.of(endRecord));
    }
}
