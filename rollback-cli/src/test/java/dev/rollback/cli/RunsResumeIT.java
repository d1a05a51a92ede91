package dev.rollback.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testkit.fault.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault model (docs/fault-model.md), process death: a run's JVM is killed (halted, as SIGKILL) right after the second step's
 * start was journaled; an operator lists the runs, sees it in doubt, and resumes it with the command
 * line and the application's catalog. Invariant: every step took effect exactly once.
 */
class RunsResumeIT {
    @TempDir
    Path dir;

    @Test
    void aRunKilledMidwayIsSeenInDoubtAndResumedFromTheCommandLineWithEveryEffectOnce() throws Exception {
        Path journal = Files.createDirectories(dir.resolve("journal"));
        Path locks = dir.resolve("locks");
        Path ledger = dir.resolve("ledger.txt");
        try (ChildJvm child = ChildJvm.builder(LedgerRunMain.class)
                .systemProperty(LedgerCatalog.LEDGER, ledger.toString())
                .crashPoint("step.after-start-record@2")
                .args(journal.toString(), locks.toString())
                .start()) {
            assertThat(child.awaitExit(Duration.ofSeconds(60))).isEqualTo(137);
        }
        assertThat(Files.readAllLines(ledger, StandardCharsets.UTF_8)).containsExactly("stop-traffic");

        Cli list = Cli.run("runs", "list", "--journal", journal.toString(), "--status", "in-doubt");
        assertThat(list.exitCode()).isZero();
        assertThat(list.out()).contains(LedgerCatalog.PLAN).contains("IN DOUBT: swap-slots");
        String runId = list.out().lines().skip(1).findFirst().orElseThrow().split("\\s+")[0];

        Cli show = Cli.run("runs", "show", runId, "--journal", journal.toString());
        assertThat(show.out())
                .contains("stop-traffic")
                .contains("SUCCEEDED")
                .contains("swap-slots")
                .contains("a resume runs it again (idempotent, not destructive)");

        System.setProperty(LedgerCatalog.LEDGER, ledger.toString());
        try {
            Cli notYet = Cli.run(
                    "runs",
                    "resume",
                    runId,
                    "-j",
                    journal.toString(),
                    "--catalog",
                    LedgerCatalog.class.getName(),
                    "--lock-dir",
                    locks.toString());
            assertThat(notYet.exitCode()).as(notYet.err()).isEqualTo(2);
            assertThat(notYet.err()).contains("repeat with --yes");
            assertThat(Files.readAllLines(ledger, StandardCharsets.UTF_8)).containsExactly("stop-traffic");

            Cli resumed = Cli.run(
                    "runs",
                    "resume",
                    runId,
                    "-j",
                    journal.toString(),
                    "--catalog",
                    LedgerCatalog.class.getName(),
                    "--lock-dir",
                    locks.toString(),
                    "--yes");
            assertThat(resumed.exitCode()).as(resumed.err()).isZero();
            assertThat(resumed.out()).contains("SUCCEEDED");
        } finally {
            System.clearProperty(LedgerCatalog.LEDGER);
        }
        assertThat(Files.readAllLines(ledger, StandardCharsets.UTF_8))
                .containsExactly("stop-traffic", "swap-slots", "health-check");
        Cli after = Cli.run("runs", "list", "-j", journal.toString(), "--status", "finished");
        assertThat(after.out()).contains(runId).contains("SUCCEEDED");
        assertThat(Cli.run("journal", "verify", "-j", journal.toString()).exitCode())
                .isZero();
    }
}
