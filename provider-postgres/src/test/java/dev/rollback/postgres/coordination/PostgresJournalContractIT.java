package dev.rollback.postgres.coordination;

import dev.rollback.api.spi.Journal;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.contract.JournalContract;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;

/** {@link PostgresJournal} keeps the {@link Journal} contract, on a real PostgreSQL server from the testkit. */
class PostgresJournalContractIT extends JournalContract {
    private static final Duration GAP = Duration.ofMillis(800);
    private static PostgresEndpoint store;

    @BeforeAll
    static void store() throws Exception {
        store = TestDatabases.create("journal_contract");
    }

    @Override
    protected Journal createJournal() {
        return PostgresJournal.builder(store).sequenceGapTimeout(GAP).build();
    }

    @Override
    protected Duration sequenceGapTimeout() {
        return GAP;
    }

    /** Someone with write access to the table edits or deletes a row. */
    @Override
    protected Optional<Tampering> tampering() {
        return Optional.of(new Tampering() {
            @Override
            public void editRecord(String runId, long sequence) throws Exception {
                TestDatabases.sql(
                        store,
                        "UPDATE rollback.journal SET fencing_token = fencing_token + 100 WHERE run_id = '" + runId
                                + "' AND sequence = " + sequence);
            }

            @Override
            public void deleteRecord(String runId, long sequence) throws Exception {
                TestDatabases.sql(
                        store,
                        "DELETE FROM rollback.journal WHERE run_id = '" + runId + "' AND sequence = " + sequence);
            }
        });
    }

    @Override
    protected Optional<Callable<Journal>> unreachableJournal() {
        return Optional.of(() -> {
            int deadPort = TestDatabases.freePort();
            return PostgresJournal.builder(store.toBuilder().port(deadPort).build())
                    .retryFor(Duration.ZERO)
                    .build();
        });
    }

    @Override
    protected Set<String> secrets() {
        return Set.of(store.password().reveal());
    }
}
