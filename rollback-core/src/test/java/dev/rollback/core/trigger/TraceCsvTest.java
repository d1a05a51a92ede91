package dev.rollback.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Decision;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trace format as a spreadsheet or a database export writes it: quoted cells, a byte order mark, any case. */
class TraceCsvTest {
    private static final DecisionMatrix MEMORY = DecisionMatrix.custom()
            .addRule(TriggerRule.custom()
                    .name("memory")
                    .signal(Signal.MEMORY_USAGE)
                    .above(90)
                    .action("manual-review")
                    .build())
            .build();

    /** Two samples above the threshold; the rule decides at the second. */
    private static final Instant DECIDED = Instant.parse("2024-05-01T12:00:01Z");

    private static List<Instant> decisions(Reader csv) throws IOException {
        return Replay.csv(MEMORY, csv).stream().map(Decision::decidedAt).toList();
    }

    private static List<Instant> decisions(String csv) throws IOException {
        return decisions(new StringReader(csv));
    }

    @Test
    void quotedCellsAndQuotedHeaderNamesAreRead() throws IOException {
        assertThat(decisions("\"timestamp\",\"memory_percent\"\n"
                        + "\"2024-05-01T12:00:00Z\",\"95\"\n"
                        + "\"2024-05-01T12:00:01Z\", \"95.5\" \n"))
                .containsExactly(DECIDED);
    }

    @Test
    void aCommaInsideQuotesStaysInItsCellAndIsReportedAsThatCell() {
        assertThatThrownBy(() -> decisions("timestamp,memory_percent\n2024-05-01T12:00:00Z,\"9,5\"\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("line 2, column 2 (memory_percent): '9,5' is not a percentage from 0 to 100");
    }

    @Test
    void aQuotedCellOverSeveralLinesKeepsTheLineNumbersOfTheRowsAfterIt() {
        assertThatThrownBy(() -> decisions("timestamp,memory_percent,disk_percent\n"
                        + "2024-05-01T12:00:00Z,95,\"\"\n"
                        + "2024-05-01T12:00:01Z,95,\"\"\"\n\"\"\"\n"
                        + "2024-05-01T12:00:02Z,lots,\n"))
                .hasMessageStartingWith("line 3, column 3 (disk_percent): '\"\n\"' is not a percentage");
        assertThatThrownBy(() -> decisions("timestamp,memory_percent,disk_percent\n"
                        + "2024-05-01T12:00:00Z,95,\"1\n\"\n"
                        + "2024-05-01T12:00:02Z,lots,\n"))
                .hasMessageStartingWith("line 4, column 2 (memory_percent): 'lots'");
    }

    @Test
    void aUtf8ByteOrderMarkBeforeTheHeaderIsSkipped(@TempDir Path dir) throws IOException {
        Path trace = dir.resolve("exported.csv");
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        byte[] text = "timestamp,memory_percent\n2024-05-01T12:00:00Z,95\n2024-05-01T12:00:01Z,95\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] file = new byte[bom.length + text.length];
        System.arraycopy(bom, 0, file, 0, bom.length);
        System.arraycopy(text, 0, file, bom.length, text.length);
        Files.write(trace, file);

        try (Reader reader = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            assertThat(decisions(reader)).containsExactly(DECIDED);
        }
    }

    @Test
    void aByteOrderMarkBeforeACommentIsSkippedToo() throws IOException {
        assertThat(decisions("\uFEFF# exported 2024-05-01\n\ntimestamp,memory_percent\n"
                        + "2024-05-01T12:00:00Z,95\n2024-05-01T12:00:01Z,95\n"))
                .containsExactly(DECIDED);
    }

    @Test
    void headerNamesAreCaseInsensitive() throws IOException {
        assertThat(decisions("TimeStamp,MEMORY_PERCENT\n2024-05-01T12:00:00Z,95\n2024-05-01T12:00:01Z,95\n"))
                .containsExactly(DECIDED);
        assertThatThrownBy(() -> decisions("Timestamp,TIMESTAMP\n"))
                .hasMessage("line 1, column 2: 'TIMESTAMP' is named twice");
    }

    @Test
    void anUnclosedQuoteIsAnErrorNamingItsLine() {
        assertThatThrownBy(() ->
                        decisions("timestamp,memory_percent\n2024-05-01T12:00:00Z,95\n2024-05-01T12:00:01Z,\"95\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("line 4: not valid CSV: ");
    }

    @Test
    void theCallersReaderIsLeftOpen() throws IOException {
        StringReader reader = new StringReader("timestamp,memory_percent\n2024-05-01T12:00:00Z,95\n");
        decisions(reader);
        assertThat(reader.ready()).as("a closed StringReader throws here").isTrue();
    }
}
