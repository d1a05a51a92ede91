package dev.rollback.cli;

import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import java.nio.file.Path;

/**
 * Runs {@link LedgerCatalog}'s plan with a file journal and run lock: {@code args[0]} the journal
 * directory, {@code args[1]} the lock directory. A test arms a crash point to kill it mid-run.
 */
public final class LedgerRunMain {
    private LedgerRunMain() {}

    public static void main(String[] args) throws Exception {
        try (FileJournal journal = FileJournal.of(Path.of(args[0]));
                RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(journal)
                        .runLock(FileRunLock.of(Path.of(args[1])))
                        .build()) {
            System.out.println("outcome "
                    + executor.run(LedgerCatalog.plan(), RunRequest.manual("ops"))
                            .outcome());
        }
    }
}
