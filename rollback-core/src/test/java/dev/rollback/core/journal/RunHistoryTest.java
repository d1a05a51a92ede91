package dev.rollback.core.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalRecord.Type;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunHistoryTest {
    @TempDir
    Path dir;

    private final List<JournalRecord> records = new ArrayList<>();

    private void add(Type type, String step, long token, Map<String, String> data) {
        records.add(new JournalRecord(
                "run-1",
                records.size(),
                type,
                JournalFixtures.T0.plusSeconds(records.size()),
                Optional.ofNullable(step),
                token,
                data));
    }

    private void writeACrashedRun() {
        add(Type.RUN_STARTED, null, 3, Map.of("plan", "advisoros", "planKey", "advisoros"));
        add(Type.STEP_STARTED, "backup", 3, Map.of("attempt", "1", "idempotent", "false", "destructive", "false"));
        add(Type.STEP_FINISHED, "backup", 3, Map.of("outcome", "SUCCEEDED", "attempts", "1"));
        add(Type.STEP_STARTED, "flush-cache", 3, Map.of("attempt", "1", "idempotent", "true", "destructive", "false"));
        add(Type.STEP_STARTED, "flush-cache", 3, Map.of("attempt", "2", "idempotent", "true", "destructive", "false"));
        add(Type.STEP_SKIPPED, "notify", 3, Map.of("outcome", "SKIPPED", "reason", "dry"));
        add(Type.STEP_STARTED, "restore", 4, Map.of("attempt", "1", "idempotent", "false", "destructive", "true"));
    }

    @Test
    void rebuildsWhichStepsEndedAndWhichStartedWithoutAnEndFromAFileJournal() {
        writeACrashedRun();
        try (FileJournal journal = FileJournal.of(dir)) {
            records.forEach(journal::append);
        }
        RunHistory history;
        try (FileJournal reopened = FileJournal.of(dir)) {
            history = RunHistory.replay(reopened, "run-1");
        }

        assertThat(history.started()).isTrue();
        assertThat(history.finished()).isFalse();
        assertThat(history.startedAt()).hasValue(JournalFixtures.T0);
        assertThat(history.startData()).containsEntry("plan", "advisoros");
        assertThat(history.endedSteps()).extracting(StepHistory::stepId).containsExactly("backup", "notify");
        assertThat(history.steps().get("backup").outcome()).hasValue("SUCCEEDED");
        assertThat(history.steps().get("notify").outcome()).hasValue("SKIPPED");
        assertThat(history.inDoubt()).extracting(StepHistory::stepId).containsExactly("flush-cache", "restore");
        StepHistory flush = history.steps().get("flush-cache");
        assertThat(flush.attemptsStarted()).isEqualTo(2);
        assertThat(flush.idempotent()).isTrue();
        assertThat(flush.destructive()).isFalse();
        StepHistory restore = history.steps().get("restore");
        assertThat(restore.idempotent()).isFalse();
        assertThat(restore.destructive()).isTrue();
        assertThat(history.nextSequence()).isEqualTo(7);
        assertThat(history.highestFencingToken()).isEqualTo(4);
        assertThat(history.lastRecordAt()).hasValue(JournalFixtures.T0.plusSeconds(6));
    }

    @Test
    void seesAFinishedOrAbortedRun() {
        writeACrashedRun();
        add(Type.RUN_ABORTED, null, 4, Map.of("who", "ops", "reason", "manual"));
        add(Type.RUN_FINISHED, null, 4, Map.of("outcome", "ABORTED"));

        RunHistory history = RunHistory.of("run-1", records);

        assertThat(history.finished()).isTrue();
        assertThat(history.finish().orElseThrow().data()).containsEntry("outcome", "ABORTED");
        assertThat(history.abort().orElseThrow().data()).containsEntry("who", "ops");
    }

    @Test
    void knowsNothingOfARunTheJournalNeverSaw() {
        RunHistory history = RunHistory.replay(Journal.NONE, "run-x");

        assertThat(history.started()).isFalse();
        assertThat(history.steps()).isEmpty();
        assertThat(history.nextSequence()).isZero();
        assertThat(history.startedAt()).isEmpty();
    }

    @Test
    void treatsAStepWithoutAKnownStartAsDestructiveToFailSafe() {
        StepHistory unknown = new StepHistory("x", 0, Optional.empty(), Optional.empty());

        assertThat(unknown.destructive()).isTrue();
        assertThat(unknown.idempotent()).isFalse();
        assertThat(unknown.inDoubt()).isFalse();
    }

    @Test
    void refusesRecordsWithAGapOrFromAnotherRun() {
        writeACrashedRun();
        List<JournalRecord> gap = new ArrayList<>(records);
        gap.remove(3);
        assertThatThrownBy(() -> RunHistory.of("run-1", gap))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.JOURNAL_FAILURE))
                .hasMessageContaining("record 3 is missing or out of place");
        assertThatThrownBy(() -> RunHistory.of("run-2", records)).isInstanceOf(RollbackException.class);
    }
}
