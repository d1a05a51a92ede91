package dev.rollback.testkit.durable;

import static dev.rollback.testkit.durable.DurablePlan.SERIAL;
import static dev.rollback.testkit.durable.DurableRunFixture.KILLED;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.oneEffectPerStep;
import static dev.rollback.testkit.durable.DurableRunFixture.outcomeOf;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.testkit.fault.ChildJvm;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node killed between writing restore's start record and forcing it
 * ({@code journal.after-write@4} in {@link DurablePlan#SERIAL}). A process crash keeps what the
 * kernel already has, so the whole record is there; a power loss could leave only part of it, which
 * the second test makes by cutting the line. Either way the journal reads, verifies, and the run
 * resumes with restore applied once. (Cuts at every byte offset are in {@code FileJournalTest}.)
 */
class TornJournalIT {
    private static final String RESTORE_START_WRITTEN_NOT_FORCED = "journal.after-write@4";

    @TempDir
    Path dir;

    private DurableRunFixture fixture;
    private String runId;

    @BeforeEach
    void killANodeBetweenWritingAndForcingRestoresStartRecord() throws Exception {
        fixture = new DurableRunFixture(dir);
        try (ChildJvm crasher = fixture.runner("crasher", SERIAL)
                .crashPoint(RESTORE_START_WRITTEN_NOT_FORCED)
                .start()) {
            runId = runIdOf(crasher);
            assertThat(crasher.awaitExit(WAIT)).isEqualTo(KILLED);
        }
    }

    @Test
    void aRecordWrittenButNotForcedSurvivesTheProcessAndTheResumeSettlesItsStepByItsCheck() throws Exception {
        assertThat(fixture.journalOf(runId)).last().satisfies(r -> {
            assertThat(r.type()).isEqualTo(JournalRecord.Type.STEP_STARTED);
            assertThat(r.stepId()).contains("restore");
        });
        fixture.assertJournalVerifies(runId);

        resumeToSuccess();
    }

    @Test
    void aTornLastRecordIsDroppedOnReadAndTheResumeRunsTheStepItWouldHaveAnnounced() throws Exception {
        Path journalFile = journalFileOf(runId);
        String text = Files.readString(journalFile);
        int lastLineStart = text.lastIndexOf('\n', text.length() - 2) + 1;
        try (FileChannel channel = FileChannel.open(journalFile, StandardOpenOption.WRITE)) {
            channel.truncate(lastLineStart + (text.length() - lastLineStart) / 2);
        }

        assertThat(fixture.journalOf(runId))
                .as("only the torn record is dropped")
                .hasSize(3)
                .last()
                .extracting(JournalRecord::type)
                .isEqualTo(JournalRecord.Type.STEP_FINISHED);
        fixture.assertJournalVerifies(runId);

        resumeToSuccess();
        assertThat(fixture.journalOf(runId))
                .filteredOn(r -> r.stepId().filter("restore"::equals).isPresent())
                .extracting(JournalRecord::type)
                .as("the torn start was cut off and written again")
                .containsExactly(JournalRecord.Type.STEP_STARTED, JournalRecord.Type.STEP_FINISHED);
    }

    private void resumeToSuccess() throws Exception {
        try (ChildJvm resumer = fixture.resumer("resumer", SERIAL, runId).start()) {
            assertThat(outcomeOf(resumer)).isEqualTo("SUCCEEDED");
        }
        assertThat(fixture.effectsOf(runId)).isEqualTo(oneEffectPerStep(SERIAL));
        assertThat(fixture.nodesThatApplied(runId, "restore")).containsExactly("resumer");
        fixture.assertCompleteSuccessfulReport("resumer", runId, SERIAL);
        fixture.assertJournalVerifies(runId);
    }

    private Path journalFileOf(String run) throws IOException {
        try (var files = Files.list(fixture.journalDirectory())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".journal"))
                    .reduce((a, b) -> {
                        throw new IllegalStateException("more than one journal file for " + run + ": " + a + ", " + b);
                    })
                    .orElseThrow();
        }
    }
}
