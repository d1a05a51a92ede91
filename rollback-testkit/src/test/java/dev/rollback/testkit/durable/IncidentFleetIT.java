package dev.rollback.testkit.durable;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Five child JVMs see the same 200 incidents at once (one trigger rule, action and plan per key) and answer
 * them through {@link dev.rollback.core.response.IncidentResponse} on one shared journal and lock folder;
 * then each sees every trigger again, late, after the incidents were handled, and a sixth node started
 * afterwards sees all 200 too. Invariant: one run per key and incident: each key's plan takes effect once,
 * one node recovers it, every other sighting (concurrent or late) stands by and ends handled elsewhere.
 */
class IncidentFleetIT {
    private static final int NODES = 5;
    private static final int KEYS = 200;
    private static final Duration WAIT = Duration.ofSeconds(90);

    /**
     * On a memory file system where there is one: the journal and the locks fsync every record, and this
     * test is about which node runs what, not about surviving a power cut (CrashAndResumeIT is).
     */
    @TempDir(factory = MemoryFirst.class)
    Path dir;

    /** Temporary folders in {@code /dev/shm} when it is a writable folder, else in the default place. */
    static final class MemoryFirst implements TempDirFactory {
        @Override
        public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "incident-fleet-")
                    : Files.createTempDirectory("incident-fleet-");
        }
    }

    private ChildJvm.Builder node(String name, int rounds) {
        return ChildJvm.builder(IncidentFleetNode.class)
                .args(
                        dir.resolve("journal").toString(),
                        dir.resolve("locks").toString(),
                        dir.resolve("ledger.tsv").toString(),
                        name,
                        Integer.toString(KEYS),
                        Integer.toString(rounds));
    }

    @Test
    void fiveNodesAndLateTriggersAnswerEachOfTwoHundredIncidentsWithOneRun() throws Exception {
        Map<String, List<String>> finals = new HashMap<>();
        List<ChildJvm> nodes = new ArrayList<>();
        try {
            for (int i = 1; i <= NODES; i++) {
                nodes.add(node("node-" + i, 2).start());
            }
            for (int i = 0; i < NODES; i++) {
                ChildJvm n = nodes.get(i);
                n.awaitLine("done"::equals, WAIT);
                assertThat(n.awaitExit(WAIT)).as(String.join("\n", n.lines())).isZero();
                finals.put("node-" + (i + 1), finalLines(n));
                n.lines().stream()
                        .filter(l -> l.startsWith("round "))
                        .forEach(l -> System.out.println("IncidentFleetIT " + n + ": " + l));
            }
        } finally {
            nodes.forEach(ChildJvm::close);
        }
        try (ChildJvm late = node("late", 1).start()) {
            late.awaitLine("done"::equals, WAIT);
            assertThat(late.awaitExit(WAIT)).isZero();
            assertThat(finalLines(late))
                    .as("a node started after every incident was handled runs nothing")
                    .hasSize(KEYS)
                    .allMatch(l -> l.endsWith(" HANDLED_ELSEWHERE"));
        }

        // first round: per key, one node recovered it and the four others ended handled elsewhere
        Map<String, List<String>> firstRound = new HashMap<>();
        finals.forEach((node, lines) -> lines.stream()
                .filter(l -> l.startsWith("final 1 "))
                .forEach(l -> {
                    String[] w = l.split(" ");
                    firstRound.computeIfAbsent(w[2], k -> new ArrayList<>()).add(w[3]);
                }));
        assertThat(firstRound).hasSize(KEYS);
        firstRound.forEach((key, states) -> assertThat(states)
                .as("key %s across the nodes", key)
                .hasSize(NODES)
                .containsOnlyOnce("RECOVERED")
                .containsOnly("RECOVERED", "HANDLED_ELSEWHERE"));
        // second round: the same triggers seen late run nothing anywhere
        finals.forEach((node, lines) -> assertThat(lines.stream().filter(l -> l.startsWith("final 2 ")))
                .as("late triggers on %s", node)
                .hasSize(KEYS)
                .allMatch(l -> l.endsWith(" HANDLED_ELSEWHERE")));

        List<LedgerEntry> applied = SideEffectLedger.at(dir.resolve("ledger.tsv")).entries().stream()
                .filter(e -> e.outcome() == LedgerEntry.Outcome.APPLIED)
                .toList();
        Map<String, Long> effectsPerKey =
                applied.stream().collect(Collectors.groupingBy(LedgerEntry::stepId, Collectors.counting()));
        assertThat(effectsPerKey).as("plans that took effect").hasSize(KEYS);
        assertThat(effectsPerKey.values()).as("effects per key").containsOnly(1L);
        assertThat(applied.stream().map(LedgerEntry::runId).distinct())
                .as("one run per key")
                .hasSize(KEYS);
    }

    private static List<String> finalLines(ChildJvm n) {
        return n.lines().stream().filter(l -> l.startsWith("final ")).toList();
    }
}
