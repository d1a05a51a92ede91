package dev.rollback.core.journal;

import static dev.rollback.core.journal.JournalFixtures.anchorFile;
import static dev.rollback.core.journal.JournalFixtures.appendRun;
import static dev.rollback.core.journal.JournalFixtures.journalFile;
import static dev.rollback.core.journal.JournalFixtures.json;
import static dev.rollback.core.journal.JournalFixtures.line;
import static dev.rollback.core.journal.JournalFixtures.lines;
import static dev.rollback.core.journal.JournalFixtures.offsetOf;
import static dev.rollback.core.journal.JournalFixtures.rehash;
import static dev.rollback.core.journal.JournalFixtures.writeLines;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.api.spi.JournalVerification.Finding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalTamperingTest {
    private static final String RUN = "run-1";
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    Path file;
    List<String> original;

    @BeforeEach
    void writeSixRecords() {
        try (FileJournal journal =
                FileJournal.custom().directory(dir).hmacKey(KEY).build()) {
            appendRun(journal, RUN, 6);
        }
        file = journalFile(dir, RUN);
        original = lines(file);
    }

    private JournalVerification verify() {
        try (FileJournal journal = FileJournal.of(dir)) {
            return journal.verify(RUN).orElseThrow();
        }
    }

    private JournalVerification verifyWithKey() {
        try (FileJournal journal =
                FileJournal.custom().directory(dir).hmacKey(KEY).build()) {
            return journal.verify(RUN).orElseThrow();
        }
    }

    @Test
    void verifiesAnUntouchedChainWithItsRecordCountAndHeadHash() {
        JournalVerification result = verifyWithKey();

        assertThat(result.verified()).isTrue();
        assertThat(result.finding()).isEqualTo(Finding.VERIFIED);
        assertThat(result.recordCount()).isEqualTo(6);
        assertThat(result.headHash())
                .isEqualTo(json(original.get(5)).get("hash").asText());
        assertThat(result.authenticated()).isTrue();
        assertThat(result.firstBadSequence()).isEmpty();
        assertThat(result.describe()).contains("VERIFIED", "6 records", result.headHash(), "authenticated");
        assertThat(verify().verified())
                .as("without the key the chain still verifies, unauthenticated")
                .isTrue();
    }

    @Test
    void namesAnEditedRecordEvenWhenTheTampererFixedItsChecksum() {
        List<String> lines = new ArrayList<>(original);
        ObjectNode node = json(lines.get(3));
        ((ObjectNode) node.get("data")).put("attempt", "2");
        lines.set(3, line(node));
        writeLines(file, lines);

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.ALTERED);
        assertThat(result.firstBadSequence()).hasValue(3);
        assertThat(result.byteOffset()).hasValue(offsetOf(lines, 3));
        assertThat(result.detail()).contains("does not match its hash");
        assertThat(result.recordCount()).isEqualTo(3);
        assertThat(result.describe()).contains(file.toString(), "ALTERED at record 3");
    }

    @Test
    void namesARecordEditedWithItsHashRecomputedByTheBreakInTheChainOrExactlyWithTheKey() {
        List<String> lines = new ArrayList<>(original);
        ObjectNode node = json(lines.get(3));
        ((ObjectNode) node.get("data")).put("attempt", "2");
        rehash(node);
        lines.set(3, line(node));
        writeLines(file, lines);

        JournalVerification unkeyed = verify();
        assertThat(unkeyed.finding()).isEqualTo(Finding.ALTERED);
        assertThat(unkeyed.firstBadSequence()).hasValue(4);
        assertThat(unkeyed.detail()).contains("does not point back to record 3");

        JournalVerification keyed = verifyWithKey();
        assertThat(keyed.finding()).isEqualTo(Finding.REBUILT);
        assertThat(keyed.firstBadSequence()).hasValue(3);
    }

    @Test
    void refusesARecordWhoseHashWasMovedAheadOfTheFieldsItCovers() {
        List<String> lines = new ArrayList<>(original);
        ObjectNode node = json(lines.get(3));
        ObjectNode moved = JournalFixtures.MAPPER.createObjectNode();
        moved.set("hash", node.get("hash"));
        node.properties().forEach(field -> moved.set(field.getKey(), field.getValue()));
        ((ObjectNode) moved.get("data")).put("attempt", "2");
        lines.set(3, line(moved));
        writeLines(file, lines);

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.ALTERED);
        assertThat(result.firstBadSequence()).hasValue(3);
        assertThat(result.detail()).contains("'hash' and 'mac' are not last");
    }

    @Test
    void namesTheFirstOfRecordsDeletedFromTheMiddle() {
        List<String> lines = new ArrayList<>(original);
        lines.remove(2);
        lines.remove(2);
        writeLines(file, lines);

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.REMOVED);
        assertThat(result.firstBadSequence()).hasValue(2);
        assertThat(result.detail()).contains("records 2 to 3 are missing");
    }

    @Test
    void namesTheFirstOfRecordsSwappedOutOfOrder() {
        List<String> lines = new ArrayList<>(original);
        Collections.swap(lines, 1, 4);
        writeLines(file, lines);

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.REORDERED);
        assertThat(result.firstBadSequence()).hasValue(1);
        assertThat(result.byteOffset()).hasValue(offsetOf(lines, 1));
    }

    @Test
    void detectsRecordsCutFromTheEndThroughTheAnchor() {
        writeLines(file, original.subList(0, 4));

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.TRUNCATED);
        assertThat(result.firstBadSequence()).hasValue(4);
        assertThat(result.detail()).contains("anchor records 6 records but only 4 remain");
    }

    @Test
    void detectsATruncationMidRecordThatLooksLikeATornTail() throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));

        assertThat(verify().finding()).isEqualTo(Finding.TRUNCATED);
    }

    @Test
    void detectsAChainRebuiltAsAWholeByItsAnchorAndNamesRecordZeroWithTheKey() {
        Path forgery = dir.resolve("forgery");
        try (FileJournal journal = FileJournal.of(forgery)) {
            for (int seq = 0; seq < 6; seq++) {
                journal.append(new JournalRecord(
                        RUN,
                        seq,
                        JournalRecord.Type.STEP_SKIPPED,
                        JournalFixtures.T0,
                        Optional.empty(),
                        7,
                        Map.of("forged", "yes")));
            }
        }
        writeLines(file, lines(journalFile(forgery, RUN)));

        JournalVerification unkeyed = verify();
        assertThat(unkeyed.finding()).isEqualTo(Finding.REBUILT);
        assertThat(unkeyed.detail()).contains("anchored head");

        JournalVerification keyed = verifyWithKey();
        assertThat(keyed.finding()).isEqualTo(Finding.REBUILT);
        assertThat(keyed.firstBadSequence()).hasValue(0);
        assertThat(keyed.detail()).contains("MAC is missing");
    }

    @Test
    void detectsARebuildThatAlsoReplacedTheAnchorOnlyWithTheKey() throws Exception {
        Path forgery = dir.resolve("forgery");
        byte[] otherKey = "another-key-another-key-another!".getBytes(StandardCharsets.US_ASCII);
        try (FileJournal journal =
                FileJournal.custom().directory(forgery).hmacKey(otherKey).build()) {
            appendRun(journal, RUN, 6);
        }
        Files.copy(journalFile(forgery, RUN), file, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(anchorFile(forgery, RUN), anchorFile(dir, RUN), StandardCopyOption.REPLACE_EXISTING);

        assertThat(verify().verified())
                .as("without a key, a consistent forgery of both files is undetectable")
                .isTrue();
        JournalVerification keyed = verifyWithKey();
        assertThat(keyed.finding()).isEqualTo(Finding.REBUILT);
        assertThat(keyed.firstBadSequence()).hasValue(0);
        assertThat(keyed.detail()).contains("does not match the configured key");
    }

    @Test
    void detectsADeletedAnchorAndADeletedJournal() throws Exception {
        Files.delete(anchorFile(dir, RUN));
        assertThat(verify().finding()).isEqualTo(Finding.ANCHOR_MISSING);

        writeSixRecordsAgainIn(dir.resolve("other"));
        Files.delete(journalFile(dir.resolve("other"), RUN));
        try (FileJournal journal = FileJournal.of(dir.resolve("other"))) {
            assertThat(journal.verify(RUN).orElseThrow().finding()).isEqualTo(Finding.REMOVED);
            assertThat(journal.verify("never-ran").orElseThrow().finding()).isEqualTo(Finding.NO_SUCH_RUN);
        }
    }

    @Test
    void detectsARecordMovedFromAnotherRun() {
        Path other = dir.resolve("other");
        writeSixRecordsAgainIn(other, "run-2");
        List<String> lines = new ArrayList<>(original);
        lines.set(2, lines(journalFile(other, "run-2")).get(2));
        writeLines(file, lines);

        JournalVerification result = verify();

        assertThat(result.finding()).isEqualTo(Finding.ALTERED);
        assertThat(result.firstBadSequence()).hasValue(2);
        assertThat(result.detail()).contains("another run");
    }

    private static void writeSixRecordsAgainIn(Path directory) {
        writeSixRecordsAgainIn(directory, RUN);
    }

    private static void writeSixRecordsAgainIn(Path directory, String runId) {
        try (FileJournal journal =
                FileJournal.custom().directory(directory).hmacKey(KEY).build()) {
            appendRun(journal, runId, 6);
        }
    }
}
