package dev.rollback.core.journal;

import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A child process for {@link JournalDiskFullTest}, run on a tiny tmpfs: appends 1 KiB records until
 * the disk is full, then reopens the journal and checks what survived. Prints {@code ACKED n},
 * {@code FAILED <code> <message>}, {@code REREAD n <finding>}.
 */
public final class DiskFullMain {
    private DiskFullMain() {}

    private static JournalRecord record(long seq) {
        return new JournalRecord(
                "run-1",
                seq,
                JournalRecord.Type.STEP_STARTED,
                JournalFixtures.T0,
                Optional.of("step"),
                1,
                Map.of("padding", "x".repeat(1024)));
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long acked = 0;
        try (FileJournal journal = FileJournal.of(dir)) {
            try {
                while (true) {
                    journal.append(record(acked));
                    acked++;
                }
            } catch (RollbackException e) {
                System.out.println("ACKED " + acked);
                System.out.println("FAILED " + e.code() + " " + e.getMessage());
            }
            try {
                journal.append(record(acked + 1));
            } catch (RollbackException e) {
                System.out.println("NEXT " + e.code());
            }
        }
        try (FileJournal reopened = FileJournal.of(dir)) {
            JournalVerification verification = reopened.verify("run-1").orElseThrow();
            System.out.println("REREAD " + reopened.records("run-1").size() + " " + verification.finding());
        }
    }
}
