package dev.rollback.core.journal;

import java.nio.file.Path;

/**
 * A child process for {@link JournalCrashTest}: appends records 0 to 9 of run {@code run-1},
 * printing {@code ACK n} after each append returns, until an armed crash point halts it.
 */
public final class AppendUntilKilledMain {
    private AppendUntilKilledMain() {}

    public static void main(String[] args) {
        try (FileJournal journal = FileJournal.of(Path.of(args[0]))) {
            for (int seq = 0; seq < 10; seq++) {
                journal.append(JournalFixtures.record("run-1", seq));
                System.out.println("ACK " + seq);
                System.out.flush();
            }
        }
    }
}
