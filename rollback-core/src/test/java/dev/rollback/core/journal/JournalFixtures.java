package dev.rollback.core.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.spi.JournalRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/** Records to append and the tools of a tamperer: lines of a journal file, rewritten by hand. */
final class JournalFixtures {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private JournalFixtures() {}

    static JournalRecord record(String runId, long seq) {
        JournalRecord.Type type = seq == 0 ? JournalRecord.Type.RUN_STARTED : JournalRecord.Type.STEP_STARTED;
        Optional<String> step = seq == 0 ? Optional.empty() : Optional.of("step-" + seq);
        return new JournalRecord(
                runId,
                seq,
                type,
                T0.plusMillis(seq),
                step,
                7,
                Map.of("attempt", "1", "note", "record " + seq + " ü \"quoted\"\nnewline"));
    }

    static List<JournalRecord> appendRun(FileJournal journal, String runId, int count) {
        List<JournalRecord> written = new ArrayList<>();
        for (int seq = 0; seq < count; seq++) {
            JournalRecord r = record(runId, seq);
            journal.append(r);
            written.add(r);
        }
        return written;
    }

    static Path journalFile(Path dir, String runId) {
        return dir.resolve(runId + ".journal");
    }

    static Path anchorFile(Path dir, String runId) {
        return dir.resolve(runId + ".anchor");
    }

    /** The lines of a journal file, each with its newline. */
    static List<String> lines(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>();
            int start = 0;
            for (int i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
                lines.add(text.substring(start, i + 1));
                start = i + 1;
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeLines(Path file, List<String> lines) {
        try {
            Files.writeString(file, String.join("", lines), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Byte offset of line {@code index} in the file. */
    static long offsetOf(List<String> lines, int index) {
        long offset = 0;
        for (int i = 0; i < index; i++) {
            offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length;
        }
        return offset;
    }

    static ObjectNode json(String line) {
        try {
            return (ObjectNode) MAPPER.readTree(line.substring(9));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A line for {@code node} with a correct checksum, as a tamperer who knows the format would write. */
    static String line(ObjectNode node) {
        try {
            byte[] json = MAPPER.writeValueAsBytes(node);
            CRC32C crc = new CRC32C();
            crc.update(json);
            return String.format("%08x ", crc.getValue()) + new String(json, StandardCharsets.UTF_8) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recomputes the node's own hash, as a tamperer who knows the format would. */
    static String rehash(ObjectNode node) {
        ObjectNode body = node.deepCopy();
        body.remove("hash");
        body.remove("mac");
        try {
            String hash = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(MAPPER.writeValueAsBytes(body)));
            node.put("hash", hash);
            return hash;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
