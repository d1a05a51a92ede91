package dev.rollback.benchmarks.journal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.internal.AnchorFile;
import dev.rollback.core.journal.internal.FileNames;
import dev.rollback.core.journal.internal.RecordCodec;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Writes a FileJournal run of any length, in the journal's own format (the journal's codec and anchor,
 * so it verifies exactly as one the journal wrote), without the journal's fsync per record, which
 * would take minutes for 100,000 records: a run of one RUN_STARTED, then steps started and finished
 * with evidence, then RUN_FINISHED.
 *
 * <p>{@code java -cp <benchmarks classpath> dev.rollback.benchmarks.journal.LargeJournal DIR RECORDS}
 */
public final class LargeJournal {
    private LargeJournal() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createDirectories(Path.of(args[0]));
        long records = Long.parseLong(args[1]);
        write(dir, "run-large", records);
        System.out.println("wrote " + records + " records of run-large to " + dir);
    }

    /** Writes run {@code runId} of {@code records} records into journal directory {@code dir}. */
    public static void write(Path dir, String runId, long records) throws IOException {
        RecordCodec codec = new RecordCodec(Optional.empty());
        String stem = FileNames.encode("runId", runId);
        byte[] previous = RecordCodec.genesis(runId);
        Instant at = Instant.parse("2026-11-25T12:00:00Z");
        try (OutputStream out =
                new BufferedOutputStream(Files.newOutputStream(dir.resolve(stem + ".journal")), 1 << 20)) {
            for (long seq = 0; seq < records; seq++) {
                RecordCodec.Encoded line = codec.encode(record(runId, seq, records, at.plusMillis(seq)), previous);
                out.write(line.line());
                previous = line.hash();
            }
        }
        try (AnchorFile anchor = AnchorFile.open(dir.resolve(stem + ".anchor"))) {
            anchor.write(records, previous);
        }
    }

    private static JournalRecord record(String runId, long seq, long records, Instant at) {
        Map<String, String> data = new LinkedHashMap<>();
        JournalRecord.Type type;
        Optional<String> step = Optional.empty();
        if (seq == 0) {
            type = JournalRecord.Type.RUN_STARTED;
            data.put("plan", "large");
            data.put("planKey", "large");
            data.put("initiator", "DRILL:benchmark");
        } else if (seq == records - 1) {
            type = JournalRecord.Type.RUN_FINISHED;
            data.put("outcome", "SUCCEEDED");
        } else if (seq % 2 == 1) {
            type = JournalRecord.Type.STEP_STARTED;
            step = Optional.of("step-" + seq / 2);
            data.put("attempt", "1");
            data.put("idempotent", "true");
            data.put("destructive", "false");
        } else {
            type = JournalRecord.Type.STEP_FINISHED;
            step = Optional.of("step-" + (seq - 1) / 2);
            data.put("outcome", "SUCCEEDED");
            data.put("attempts", "1");
            data.put("evidence.rows", Long.toString(seq * 7));
        }
        return new JournalRecord(runId, seq, type, at, step, 1, data);
    }
}
