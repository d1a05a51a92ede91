package dev.rollback.core.journal;

import dev.rollback.api.RollbackException;
import dev.rollback.api.spi.JournalRecord;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A child process for {@link JournalDiskFullTest}, run on a tiny tmpfs: appends 1 KiB records until
 * the disk is full, then reopens the journal and checks what survived. Prints {@code ACKED n},
 * {@code FAILED <code> <message>}, {@code REREAD n <finding>}.
 */
public final class DiskFullMain {
    private DiskFullMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long acked = 0;
        try (FileJournal journal = FileJournal.of(dir)) {
            while (true) {
                journal.append(new JournalRecord("run-1", acked, JournalRecord.Type.STEP_STARTED, JournalFixtures.T0,
                        Optional.of("step"), 1, Map.of("padding", "x".repeat(1024))));
                acked++;
            }
        } catch (RollbackException e) {
            System.out.println("ACKED " + acked);
            System.out.println("FAILED " + e.code() + " " + e.getMessage());
        }
        try (FileJournal reopened = FileJournal.of(dir)) {
            JournalVerification verification = reopened.verify("run-1");
            System.out.println("REREAD " + reopened.records("run-1").size() + " " + verification.finding());
        }
    }
}
