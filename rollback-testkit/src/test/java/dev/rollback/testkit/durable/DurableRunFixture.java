package dev.rollback.testkit.durable;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.InvariantChecker;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

/**
 * The shared ground of the durable-run crash tests: one journal directory, one lock directory and
 * one ledger for the {@link DurableRunNode}s a test starts, and what the test reads afterwards (the
 * ledger, the journal, each node's JSON report).
 */
final class DurableRunFixture {
    /** Generous: a child JVM on two busy cores starts in about a second. */
    static final Duration WAIT = Duration.ofSeconds(60);
    /** The exit status of a node halted at a crash point or killed with SIGKILL. */
    static final int KILLED = CrashPoints.EXIT_STATUS;

    private final Path dir;
    private final SideEffectLedger ledger;

    DurableRunFixture(Path dir) {
        this.dir = dir;
        this.ledger = SideEffectLedger.at(dir.resolve("ledger.tsv"));
    }

    Path journalDirectory() {
        return dir.resolve("journal");
    }

    /** A node that starts a new run of {@code plan}; {@code options} as {@link DurableRunNode} takes them. */
    ChildJvm.Builder runner(String node, DurablePlan plan, String... options) {
        return node(node, "run", "-", plan, options);
    }

    /** A node that resumes {@code runId}. */
    ChildJvm.Builder resumer(String node, DurablePlan plan, String runId, String... options) {
        return node(node, "resume", runId, plan, options);
    }

    private ChildJvm.Builder node(String node, String mode, String runId, DurablePlan plan, String... options) {
        List<String> args = new ArrayList<>(List.of(
                journalDirectory().toString(),
                dir.resolve("locks").toString(),
                ledger.file().toString(),
                node,
                mode,
                runId,
                plan.name(),
                reportFile(node).toString()));
        args.addAll(List.of(options));
        return ChildJvm.builder(DurableRunNode.class).args(args.toArray(String[]::new));
    }

    Path reportFile(String node) {
        return dir.resolve(node + "-report.json");
    }

    /** The JSON report {@code node} wrote. */
    JsonNode report(String node) throws IOException {
        return new ObjectMapper().readTree(reportFile(node).toFile());
    }

    /** The run id a node printed when its run started or resumed. */
    static String runIdOf(ChildJvm node) throws InterruptedException {
        return valueOf(node, DurableRunNode.RUN);
    }

    /** The fencing token of the lease a node took. */
    static long leaseOf(ChildJvm node) throws InterruptedException {
        return Long.parseLong(valueOf(node, DurableRunNode.LEASE));
    }

    private static String valueOf(ChildJvm node, String prefix) throws InterruptedException {
        return node.awaitLine(l -> l.startsWith(prefix), WAIT).substring(prefix.length());
    }

    /** Waits for a node to finish its run and says how it ended. */
    static String outcomeOf(ChildJvm node) throws InterruptedException {
        assertThat(node.awaitExit(WAIT))
                .as("exit status of %s; it wrote %s", node, node.lines())
                .isZero();
        return valueOf(node, DurableRunNode.OUTCOME);
    }

    /** Waits for a node to be refused and returns "CODE message". */
    static String refusalOf(ChildJvm node) throws InterruptedException {
        assertThat(node.awaitExit(WAIT))
                .as("exit status of %s; it wrote %s", node, node.lines())
                .isEqualTo(DurableRunNode.REFUSED_STATUS);
        return valueOf(node, DurableRunNode.REFUSED);
    }

    List<LedgerEntry> ledger() {
        return ledger.entries();
    }

    /** How many times each step of {@code runId} took effect, by step id. */
    Map<String, Long> effectsOf(String runId) {
        return ledger.entries().stream()
                .filter(e -> e.runId().equals(runId) && e.outcome() == LedgerEntry.Outcome.APPLIED)
                .collect(Collectors.groupingBy(LedgerEntry::stepId, Collectors.counting()));
    }

    /** What {@link #effectsOf} says when every step of {@code plan} took effect exactly once. */
    static Map<String, Long> oneEffectPerStep(DurablePlan plan) {
        return plan.steps().stream().collect(Collectors.toMap(DurablePlan.StepSpec::id, s -> 1L));
    }

    /** The nodes that applied {@code step} in {@code runId}, in ledger order. */
    List<String> nodesThatApplied(String runId, String step) {
        return ledger.entries().stream()
                .filter(e -> e.runId().equals(runId)
                        && e.stepId().equals(step)
                        && e.outcome() == LedgerEntry.Outcome.APPLIED)
                .map(LedgerEntry::node)
                .toList();
    }

    /** The ledger's invariants: nothing but an idempotent step took effect twice, fencing tokens never went back, no late attempt. */
    void assertLedgerInvariantsHold(DurablePlan plan) {
        InvariantChecker.of(ledger.entries())
                .idempotent(plan.idempotentStepIds())
                .assertHolds();
    }

    /** The journal's records of {@code runId}, read as a resuming process would (verified on the way). */
    List<JournalRecord> journalOf(String runId) {
        try (FileJournal journal = FileJournal.of(journalDirectory())) {
            return journal.records(runId);
        }
    }

    /** {@code runId}'s hash chain verifies (every record there, unaltered, in order, matching the anchor). */
    void assertJournalVerifies(String runId) {
        try (FileJournal journal = FileJournal.of(journalDirectory())) {
            assertThat(journal.verify(runId).orElseThrow().verified())
                    .as("%s", journal.verify(runId).orElseThrow().describe())
                    .isTrue();
        }
    }

    /** The runs the journal holds that started and did not finish, as an application would look for them at start-up. */
    List<String> unfinishedRuns() {
        try (FileJournal journal = FileJournal.of(journalDirectory())) {
            return journal.unfinishedRuns();
        }
    }

    /**
     * The report {@code node} wrote is the complete report of {@code runId}: it succeeded, and
     * every step of {@code plan} is there and succeeded.
     */
    void assertCompleteSuccessfulReport(String node, String runId, DurablePlan plan) throws IOException {
        JsonNode report = report(node);
        assertThat(report.path("runId").asText()).isEqualTo(runId);
        assertThat(report.path("outcome").asText()).as("outcome in %s", report).isEqualTo("SUCCEEDED");
        Map<String, String> outcomes = new LinkedHashMap<>();
        report.path("steps")
                .forEach(s ->
                        outcomes.put(s.path("id").asText(), s.path("outcome").asText()));
        assertThat(outcomes)
                .as("step outcomes in %s", report)
                .isEqualTo(plan.steps().stream().collect(Collectors.toMap(DurablePlan.StepSpec::id, s -> "SUCCEEDED")));
    }

    /** Every ledger line {@code later} wrote carries a higher fencing token than every line {@code earlier} wrote. */
    void assertFencedAbove(String later, String earlier) {
        Function<String, LongStream> tokensOf = node ->
                ledger.entries().stream().filter(e -> e.node().equals(node)).mapToLong(LedgerEntry::fencingToken);
        long earliestLater =
                tokensOf.apply(later).min().orElseThrow(() -> new AssertionError(later + " wrote nothing"));
        assertThat(earliestLater)
                .as("the lowest token %s used, against every token %s used", later, earlier)
                .isGreaterThan(tokensOf.apply(earlier).max().orElse(0));
    }
}
