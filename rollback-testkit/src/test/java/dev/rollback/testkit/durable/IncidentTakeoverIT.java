package dev.rollback.testkit.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node handling an incident is killed (SIGKILL) in the middle of its plan's run; the next node
 * that sees the same decision takes the incident's lock, finds the run unfinished in the shared
 * journal, and resumes that run: one run, finished once, never a second run of the plan.
 */
class IncidentTakeoverIT {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ChildJvm.Builder node(String name, String... more) {
        String[] args = new String[4 + more.length];
        args[0] = dir.resolve("journal").toString();
        args[1] = dir.resolve("locks").toString();
        args[2] = dir.resolve("ledger.tsv").toString();
        args[3] = name;
        System.arraycopy(more, 0, args, 4, more.length);
        return ChildJvm.builder(IncidentNode.class).args(args);
    }

    @Test
    void aNodeKilledDuringTheIncidentsRunIsTakenOverByTheNextNodeWhichResumesThatRun() throws Exception {
        String runId;
        try (ChildJvm a = node("a", "hold").start()) {
            assertThat(a.awaitLine(l -> l.startsWith("state "), WAIT)).isEqualTo("state RUNNING");
            runId = a.awaitLine(l -> l.startsWith("run "), WAIT).substring("run ".length());
            a.awaitLine("holding swap"::equals, WAIT);
            a.kill();
        }

        try (ChildJvm b = node("b").start()) {
            assertThat(b.awaitLine(l -> l.startsWith("state "), WAIT)).isEqualTo("state RUNNING");
            assertThat(b.awaitLine(l -> l.startsWith("run "), WAIT))
                    .as("b resumed a's run instead of starting a second one")
                    .isEqualTo("run " + runId);
            assertThat(b.awaitLine(l -> l.startsWith("final "), WAIT)).isEqualTo("final RECOVERED");
            assertThat(b.awaitExit(WAIT)).isZero();
        }

        try (ChildJvm c = node("c").start()) {
            assertThat(c.awaitLine(l -> l.startsWith("final "), WAIT))
                    .as("a late node: the incident was handled and nothing is unfinished")
                    .isEqualTo("final HANDLED_ELSEWHERE");
        }

        List<LedgerEntry> entries =
                SideEffectLedger.at(dir.resolve("ledger.tsv")).entries();
        assertThat(entries).allSatisfy(e -> assertThat(e.runId()).isEqualTo(runId));
        assertThat(entries)
                .filteredOn(e -> e.outcome() == LedgerEntry.Outcome.APPLIED)
                .extracting(LedgerEntry::node)
                .as("the swap took effect once, on the node that took over")
                .containsExactly("b");
        assertThat(entries)
                .filteredOn(e -> e.outcome() == LedgerEntry.Outcome.STARTED)
                .extracting(LedgerEntry::node)
                .containsExactly("a", "b");
    }
}
