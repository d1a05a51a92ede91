package dev.rollback.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void aChildHaltedAtACrashPointExitsWith137AndItsLedgerShowsWhatItDid() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(dir.resolve("ledger.tsv"));
        try (ChildJvm node = ChildJvm.builder(LedgerNode.class)
                .crashPoint("step.after-effect")
                .args(ledger.file().toString(), "node-1", "run-1", "swap", "7", "effect")
                .start()) {
            assertThat(node.awaitExit(WAIT)).isEqualTo(137);
            assertThat(node.lines()).contains("ready").doesNotContain("done");
        }
        assertThat(ledger.entries())
                .extracting(LedgerEntry::outcome)
                .containsExactly(LedgerEntry.Outcome.STARTED, LedgerEntry.Outcome.APPLIED);
        assertThat(ledger.entries())
                .allSatisfy(e -> assertThat(e.fencingToken()).isEqualTo(7));
    }

    @Test
    void aResumedRunThatReappliesTheStepIsCaughtByTheChecker() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(dir.resolve("ledger.tsv"));
        try (ChildJvm first = ChildJvm.builder(LedgerNode.class)
                .crashPoint("step.after-effect")
                .args(ledger.file().toString(), "node-1", "run-1", "swap", "1", "effect")
                .start()) {
            assertThat(first.awaitExit(WAIT)).isEqualTo(137);
        }
        try (ChildJvm second = ChildJvm.builder(LedgerNode.class)
                .args(ledger.file().toString(), "node-2", "run-1", "swap", "2", "effect")
                .start()) {
            assertThat(second.awaitExit(WAIT)).isZero();
        }
        assertThat(InvariantChecker.of(ledger.entries()).violations())
                .singleElement()
                .asString()
                .startsWith("double execution: step 'swap' of run run-1");
    }

    @Test
    void killsWithSigkillAndPausesAndResumesWithSigstopAndSigcont() throws Exception {
        try (ChildJvm node = ChildJvm.builder(LedgerNode.class)
                .args(dir.resolve("unused").toString(), "n", "r", "s", "1", "tick")
                .start()) {
            node.awaitLine(l -> l.equals("tick 3"), WAIT);
            node.pause();
            assertThat(state(node.pid())).isEqualTo('T');
            node.resume();
            assertThat(state(node.pid())).isNotEqualTo('T');
            int seen = node.lines().size();
            node.awaitLine(l -> l.equals("tick " + (seen + 2)), WAIT);
            assertThat(node.kill()).isEqualTo(137);
            assertThat(node.isAlive()).isFalse();
        }
    }

    @Test
    void keepsTheClasspathAndSecretsOffTheCommandLineAndTheScannerSeesWhatIsOnIt() throws Exception {
        SecretCanaries canaries = SecretCanaries.generate();
        try (ChildJvm node = ChildJvm.builder(LedgerNode.class)
                .environment("DB_PASSWORD", canaries.password())
                .args(dir.resolve("unused").toString(), "n", "r", "s", "1", "tick", canaries.redisPassword())
                .start()) {
            node.awaitLine(l -> l.startsWith("tick"), WAIT);
            assertThat(String.join(" ", node.commandLine())).doesNotContain("target/test-classes");
            List<CanaryScanner.Finding> found = CanaryScanner.of(canaries).scanCommandLines();
            assertThat(found).extracting(CanaryScanner.Finding::kind).containsExactly("redis-password");
            assertThat(found.get(0).where()).isEqualTo("pid " + node.pid() + " command line");
        }
    }

    @Test
    void processesOfSeveralJvmsAppendWholeLinesToOneLedger() throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(dir.resolve("ledger.tsv"));
        List<ChildJvm> nodes = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            nodes.add(ChildJvm.builder(LedgerNode.class)
                    .args(ledger.file().toString(), "node-" + i, "run-" + i, "flush", "5", "effect")
                    .start());
        }
        for (ChildJvm node : nodes) {
            assertThat(node.awaitExit(WAIT)).isZero();
            node.close();
        }
        assertThat(ledger.entries()).hasSize(8);
        InvariantChecker.of(ledger.entries()).idempotent("flush").assertHolds();
    }

    @Test
    void fillsTheDiskOnDemandAndSaysHow() throws Exception {
        DiskFull tmpfs = DiskFull.onDemand(dir.resolve("small"), 64 * 1024);
        assertThat(tmpfs.kind()).isEqualTo(DiskFull.Kind.TMPFS);
        try (ChildJvm node = ChildJvm.builder(FillDisk.class)
                .commandPrefix(tmpfs.commandPrefix())
                .args(tmpfs.file("journal").toString())
                .start()) {
            assertThat(node.awaitExit(WAIT)).isZero();
            assertThat(node.lines())
                    .anySatisfy(
                            l -> assertThat(l).startsWith("full after 65536").contains("No space left on device"));
        }
        assertThat(Files.exists(tmpfs.file("journal")))
                .as("the tmpfs is private to the child")
                .isFalse();

        DiskFull devFull = DiskFull.devFull(dir.resolve("dev-full"));
        try (ChildJvm node = ChildJvm.builder(FillDisk.class)
                .commandPrefix(devFull.commandPrefix())
                .args(devFull.file("journal").toString())
                .start()) {
            assertThat(node.awaitExit(WAIT)).isZero();
            assertThat(node.lines())
                    .anySatisfy(l -> assertThat(l).startsWith("full after 0").contains("No space left on device"));
        }
    }

    private static char state(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.charAt(stat.lastIndexOf(')') + 2);
    }
}
