package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.core.journal.FileJournal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report of a finished run states its journal's chain verdict through the {@link Journal} SPI,
 * whatever the journal's class: the executor never asks which implementation it has.
 */
class ChainVerificationInReportTest {
    @TempDir
    Path dir;

    private static final RollbackPlan PLAN = RollbackPlan.builder(
                    "chain", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
            .step(RollbackStep.builder("only", "app").action(c -> {}).build())
            .build();

    /** Another class than FileJournal, delegating every call, verify included, to one; or failing verify. */
    private static final class Wrapped implements Journal {
        private final Journal inner;
        private final boolean verifyFails;

        Wrapped(Journal inner, boolean verifyFails) {
            this.inner = inner;
            this.verifyFails = verifyFails;
        }

        @Override
        public void append(JournalRecord record) {
            inner.append(record);
        }

        @Override
        public List<JournalRecord> records(String runId) {
            return inner.records(runId);
        }

        @Override
        public List<String> unfinishedRuns() {
            return inner.unfinishedRuns();
        }

        @Override
        public Optional<JournalVerification> verify(String runId) {
            if (verifyFails) {
                throw new RollbackException(ErrorCode.JOURNAL_FAILURE, "the store went away");
            }
            return inner.verify(runId);
        }
    }

    /** A journal that keeps its records but no chain: it does not override verify. */
    private static final class Chainless implements Journal {
        private final Journal inner;

        Chainless(Journal inner) {
            this.inner = inner;
        }

        @Override
        public void append(JournalRecord record) {
            inner.append(record);
        }

        @Override
        public List<JournalRecord> records(String runId) {
            return inner.records(runId);
        }

        @Override
        public List<String> unfinishedRuns() {
            return inner.unfinishedRuns();
        }
    }

    private static RollbackReport run(Journal journal) {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().journal(journal).build()) {
            return executor.run(PLAN, RunRequest.drill("test"));
        }
    }

    @Test
    void aJournalOfAnyClassThatVerifiesHasItsVerdictInTheReport() {
        try (FileJournal files = FileJournal.of(dir)) {
            RollbackReport report = run(new Wrapped(files, false));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(report.notes())
                    .containsOnlyOnce(files.verify(report.runId()).orElseThrow().describe())
                    .anySatisfy(n -> assertThat(n).contains("VERIFIED").contains("4 records, head "));
        }
    }

    @Test
    void aJournalWithoutAChainAddsNoVerdict() {
        try (FileJournal files = FileJournal.of(dir)) {
            RollbackReport report = run(new Chainless(files));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(report.notes()).noneSatisfy(n -> assertThat(n).contains("VERIFIED"));
            assertThat(new Chainless(files).verify(report.runId())).isEmpty();
            assertThat(Journal.NONE.verify(report.runId())).isEmpty();
        }
    }

    @Test
    void aVerificationThatCannotReadTheStoreIsNotedAndTheReportStillDelivered() {
        try (FileJournal files = FileJournal.of(dir)) {
            RollbackReport report = run(new Wrapped(files, true));
            assertThat(report.outcome()).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(report.notes())
                    .anySatisfy(n -> assertThat(n)
                            .contains("the journal's chain of run '" + report.runId() + "' could not be verified")
                            .contains("the store went away"));
        }
    }
}
