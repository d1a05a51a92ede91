package dev.rollback.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.spi.JournalRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Fault: the appending process dies at each journal crash point (halted as SIGKILL would, no
 * finally blocks). Invariant: every acknowledged record is there afterwards, at most the one record
 * in flight is there unacknowledged, the chain verifies, and the run continues where it stopped.
 */
class JournalCrashTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed at {0}")
    @CsvSource({"journal.before-append@6, 4, 5", "journal.after-write@6, 4, 6", "journal.after-fsync@6, 4, 6"})
    void keepsEveryAcknowledgedRecordWhenTheProcessDiesAtACrashPoint(String point, long lastAcked, long expectedRecords)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(List.of(
                        java,
                        "-D" + CrashPoints.PROPERTY + "=" + point,
                        "-cp",
                        System.getProperty("java.class.path"),
                        AppendUntilKilledMain.class.getName(),
                        dir.toString()))
                .redirectErrorStream(true)
                .start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(output).isEqualTo(CrashPoints.EXIT_STATUS);
        assertThat(output).contains("ACK " + lastAcked).doesNotContain("ACK " + (lastAcked + 1));

        try (FileJournal journal = FileJournal.of(dir)) {
            List<JournalRecord> records = journal.records("run-1");
            assertThat(records)
                    .as("acknowledged records survive; only the one in flight may be there unacknowledged")
                    .hasSize((int) expectedRecords);
            assertThat(journal.verify("run-1").orElseThrow().verified()).isTrue();
            journal.append(JournalFixtures.record("run-1", expectedRecords));
            assertThat(journal.verify("run-1").orElseThrow().recordCount()).isEqualTo(expectedRecords + 1);
        }
    }
}
