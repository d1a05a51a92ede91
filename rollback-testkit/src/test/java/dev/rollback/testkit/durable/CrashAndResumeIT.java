package dev.rollback.testkit.durable;

import static dev.rollback.testkit.durable.DurablePlan.FAN_IN;
import static dev.rollback.testkit.durable.DurablePlan.SERIAL;
import static dev.rollback.testkit.durable.DurableRunFixture.KILLED;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.leaseOf;
import static dev.rollback.testkit.durable.DurableRunFixture.oneEffectPerStep;
import static dev.rollback.testkit.durable.DurableRunFixture.outcomeOf;
import static dev.rollback.testkit.durable.DurableRunFixture.refusalOf;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.LedgerEntry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A node running a plan is killed for real (a crash point halts its JVM, or SIGKILL while a step
 * blocks), then a fresh JVM resumes the run from the journal. The ledger, written by the steps
 * themselves, is the external truth: every effect happened exactly once, a destructive step
 * never twice, the resumed run's report is complete, the hash chain verifies, and the resumed
 * node's fencing tokens are above the dead one's.
 *
 * <p>Crash-point counts follow the journal's order: in {@link DurablePlan#SERIAL} the records are
 * RUN_STARTED, backup start and end, restore start (4th) and end (5th, the 5th fsync), ...; in
 * {@link DurablePlan#FAN_IN} backup and drain-traffic run together (records 2 to 5, in either
 * order), so restore is the 3rd step to start and its start is the 6th record.
 *
 * <p>A kill inside an idempotent step is done in FAN_IN's undrain-traffic, whose sibling
 * record-change checks the ledger: in SERIAL, flush-cache and warm-cache are both idempotent and run
 * together, so a kill in one may land between the other's effect and its end record, and that one
 * would rightly run again (two effects, allowed for an idempotent step, but not exactly once).
 */
class CrashAndResumeIT {
    @TempDir
    Path dir;

    private DurableRunFixture fixture;

    @BeforeEach
    void newGround() {
        fixture = new DurableRunFixture(dir);
    }

    /** How the first node dies: at an armed crash point, or by SIGKILL while a step blocks. */
    record Kill(String description, Optional<String> crashPoint, Optional<String> heldStep) {
        static Kill at(String crashPoint, String description) {
            return new Kill(description + " (" + crashPoint + ")", Optional.of(crashPoint), Optional.empty());
        }

        static Kill midStep(String step) {
            return new Kill("by SIGKILL in the middle of '" + step + "'", Optional.empty(), Optional.of(step));
        }

        ChildJvm start(ChildJvm.Builder node) {
            crashPoint.ifPresent(node::crashPoint);
            heldStep.ifPresent(step -> node.args("hold=" + step));
            return node.start();
        }

        /** Lets the node die this way and returns its exit status. */
        int carryOut(ChildJvm node) throws InterruptedException {
            if (heldStep.isPresent()) {
                node.awaitLine(l -> l.equals(DurableRunNode.HOLDING + heldStep.get()), WAIT);
                return node.kill();
            }
            return node.awaitExit(WAIT);
        }

        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Arguments> killsAfterWhichTheRunResumes() {
        return Stream.of(
                arguments(SERIAL, Kill.at("journal.before-append@4", "before restore's start record"), "resumer"),
                arguments(SERIAL, Kill.at("step.after-start-record@2", "after restore's start record"), "resumer"),
                arguments(SERIAL, Kill.midStep("restore"), "resumer"),
                arguments(
                        SERIAL,
                        Kill.at("step.after-effect@2", "after restore's effect, before its end record"),
                        "crasher"),
                arguments(SERIAL, Kill.at("journal.after-fsync@5", "after restore's end record"), "crasher"),
                arguments(FAN_IN, Kill.at("journal.before-append@6", "before restore's start record"), "resumer"),
                arguments(FAN_IN, Kill.at("step.after-start-record@3", "after restore's start record"), "resumer"),
                arguments(FAN_IN, Kill.midStep("restore"), "resumer"),
                arguments(
                        FAN_IN,
                        Kill.at("step.after-effect@3", "after restore's effect, before its end record"),
                        "crasher"),
                arguments(FAN_IN, Kill.midStep("undrain-traffic"), "crasher"));
    }

    @ParameterizedTest(name = "{0}, killed {1}")
    @MethodSource("killsAfterWhichTheRunResumes")
    void aKilledRunIsResumedInAFreshProcessWithEveryEffectExactlyOnce(DurablePlan plan, Kill kill, String restoredBy)
            throws Exception {
        String runId = runAndKill(plan, kill);
        assertThat(fixture.unfinishedRuns())
                .as("what an application finds to resume at start-up")
                .containsExactly(runId);
        fixture.assertJournalVerifies(runId);

        try (ChildJvm resumer = fixture.resumer("resumer", plan, runId).start()) {
            assertThat(runIdOf(resumer)).isEqualTo(runId);
            assertThat(outcomeOf(resumer)).isEqualTo("SUCCEEDED");
        }

        assertThat(fixture.effectsOf(runId)).isEqualTo(oneEffectPerStep(plan));
        assertThat(fixture.nodesThatApplied(runId, "restore")).containsExactly(restoredBy);
        fixture.assertLedgerInvariantsHold(plan);
        fixture.assertCompleteSuccessfulReport("resumer", runId, plan);
        fixture.assertJournalVerifies(runId);
        assertThat(fixture.unfinishedRuns()).isEmpty();
        fixture.assertFencedAbove("resumer", "crasher");
        assertJournaledTokensRiseAtTheResume(runId);
    }

    static Stream<Arguments> killsThatLeaveAStepInDoubtThatCannotTell() {
        return Stream.of(
                arguments(SERIAL, Kill.at("step.after-start-record@5", "after announce's start record")),
                arguments(SERIAL, Kill.midStep("announce")));
    }

    @ParameterizedTest(name = "{0}, killed {1}")
    @MethodSource("killsThatLeaveAStepInDoubtThatCannotTell")
    void aResumeRefusesForAHumanWhenANonIdempotentStepInDoubtCannotTellWhetherItTookEffect(DurablePlan plan, Kill kill)
            throws Exception {
        String runId = runAndKill(plan, kill);
        List<LedgerEntry> beforeResume = fixture.ledger();

        try (ChildJvm resumer = fixture.resumer("resumer", plan, runId).start()) {
            assertThat(refusalOf(resumer))
                    .startsWith("HUMAN_DECISION_REQUIRED ")
                    .contains(
                            "run '" + runId + "'",
                            "step 'announce'",
                            "not idempotent",
                            "cannot tell whether it took effect");
        }

        assertThat(fixture.ledger()).as("the refused resume ran nothing").isEqualTo(beforeResume);
        Map<String, Long> allButAnnounce = new HashMap<>(oneEffectPerStep(plan));
        allButAnnounce.remove("announce");
        assertThat(fixture.effectsOf(runId)).isEqualTo(allButAnnounce);
        fixture.assertLedgerInvariantsHold(plan);
        assertThat(fixture.unfinishedRuns()).as("the run waits for a human").containsExactly(runId);
        fixture.assertJournalVerifies(runId);
    }

    @ParameterizedTest
    @EnumSource(names = {"SERIAL", "FAN_IN"})
    void aNodeKilledRightAfterTakingTheLockLeavesNothingToResumeAndTheNextRunIsFencedAbove(DurablePlan plan)
            throws Exception {
        long deadToken;
        try (ChildJvm crasher =
                fixture.runner("crasher", plan).crashPoint("run.after-lock").start()) {
            deadToken = leaseOf(crasher);
            assertThat(crasher.awaitExit(WAIT)).isEqualTo(KILLED);
        }
        assertThat(fixture.unfinishedRuns())
                .as("nothing was journaled before the crash")
                .isEmpty();
        assertThat(fixture.ledger()).as("nothing took effect").isEmpty();

        String runId;
        try (ChildJvm next = fixture.runner("next", plan).start()) {
            assertThat(leaseOf(next))
                    .as("the kernel released the dead node's lock; the token only grows")
                    .isGreaterThan(deadToken);
            runId = runIdOf(next);
            assertThat(outcomeOf(next)).isEqualTo("SUCCEEDED");
        }
        assertThat(fixture.effectsOf(runId)).isEqualTo(oneEffectPerStep(plan));
        fixture.assertCompleteSuccessfulReport("next", runId, plan);
        fixture.assertJournalVerifies(runId);
    }

    @ParameterizedTest
    @EnumSource(names = {"SERIAL", "FAN_IN"})
    void aNodeKilledAfterJournalingTheEndOfItsRunLeavesAFinishedRunThatNothingRunsAgain(DurablePlan plan)
            throws Exception {
        String runId = runAndKill(plan, Kill.at("run.before-finish-event", "after the run's end record"));
        assertThat(fixture.unfinishedRuns()).isEmpty();
        assertThat(fixture.journalOf(runId))
                .last()
                .extracting(JournalRecord::type)
                .isEqualTo(JournalRecord.Type.RUN_FINISHED);

        try (ChildJvm resumer = fixture.resumer("resumer", plan, runId).start()) {
            assertThat(refusalOf(resumer)).startsWith("JOURNAL_FAILURE ").contains("already finished (SUCCEEDED)");
        }
        assertThat(fixture.effectsOf(runId)).isEqualTo(oneEffectPerStep(plan));
        assertThat(fixture.ledger()).extracting(LedgerEntry::node).containsOnly("crasher");
        fixture.assertJournalVerifies(runId);
    }

    /** Starts node "crasher" on a new run of {@code plan}, lets it die by {@code kill}, and returns its run id. */
    private String runAndKill(DurablePlan plan, Kill kill) throws InterruptedException {
        try (ChildJvm crasher = kill.start(fixture.runner("crasher", plan))) {
            String runId = runIdOf(crasher);
            assertThat(kill.carryOut(crasher))
                    .as("exit status; it wrote %s", crasher.lines())
                    .isEqualTo(KILLED);
            return runId;
        }
    }

    /** Every record from RUN_RESUMED on carries a fencing token above every record before it. */
    private void assertJournaledTokensRiseAtTheResume(String runId) {
        List<JournalRecord> records = fixture.journalOf(runId);
        int resumed = records.stream().map(JournalRecord::type).toList().indexOf(JournalRecord.Type.RUN_RESUMED);
        assertThat(resumed).as("a RUN_RESUMED record in %s", records).isPositive();
        long deadHighest = records.subList(0, resumed).stream()
                .mapToLong(JournalRecord::fencingToken)
                .max()
                .orElseThrow();
        assertThat(records.subList(resumed, records.size()))
                .extracting(JournalRecord::fencingToken)
                .allSatisfy(token -> assertThat(token).isGreaterThan(deadHighest));
        assertThat(records).last().extracting(JournalRecord::type).isEqualTo(JournalRecord.Type.RUN_FINISHED);
    }
}
