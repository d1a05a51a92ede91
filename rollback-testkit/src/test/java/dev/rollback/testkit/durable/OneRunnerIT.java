package dev.rollback.testkit.durable;

import static dev.rollback.testkit.durable.DurablePlan.SERIAL;
import static dev.rollback.testkit.durable.DurableRunFixture.KILLED;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.leaseOf;
import static dev.rollback.testkit.durable.DurableRunFixture.oneEffectPerStep;
import static dev.rollback.testkit.durable.DurableRunFixture.outcomeOf;
import static dev.rollback.testkit.durable.DurableRunFixture.refusalOf;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.LedgerEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four child JVMs start the same plan at once with a {@link dev.rollback.core.lock.FileRunLock}
 * on one directory: one runs, the others are refused. The winner blocks inside its destructive
 * step, so it holds the lock for as long as the test needs, whatever order the JVMs start in.
 */
class OneRunnerIT {
    private static final int RACERS = 4;

    @TempDir
    Path dir;

    @Test
    void fourNodesRacingForOnePlanRunItOnceAndAPausedHolderKeepsTheLockUntilItIsKilled() throws Exception {
        DurableRunFixture fixture = new DurableRunFixture(dir);
        List<ChildJvm> racers = new ArrayList<>();
        try {
            for (int i = 1; i <= RACERS; i++) {
                racers.add(fixture.runner("racer-" + i, SERIAL, "hold=restore").start());
            }
            List<ChildJvm> holders = new ArrayList<>();
            for (ChildJvm racer : racers) {
                String first = racer.awaitLine(
                        l -> l.startsWith(DurableRunNode.HOLDING) || l.startsWith(DurableRunNode.REFUSED), WAIT);
                if (first.startsWith(DurableRunNode.HOLDING)) {
                    holders.add(racer);
                } else {
                    assertThat(refusalOf(racer)).startsWith("LOCK_UNAVAILABLE ").contains("already running elsewhere");
                }
            }
            assertThat(holders).as("nodes that got the lock").hasSize(1);
            ChildJvm holder = holders.get(0);
            String runId = runIdOf(holder);
            long holderToken = leaseOf(holder);

            holder.pause();
            try (ChildJvm latecomer = fixture.runner("latecomer", SERIAL).start()) {
                assertThat(refusalOf(latecomer))
                        .as("a paused holder keeps its OS lock")
                        .startsWith("LOCK_UNAVAILABLE ");
            }
            assertThat(holder.kill()).isEqualTo(KILLED);

            try (ChildJvm successor =
                    fixture.resumer("successor", SERIAL, runId).start()) {
                assertThat(leaseOf(successor)).isGreaterThan(holderToken);
                assertThat(outcomeOf(successor)).isEqualTo("SUCCEEDED");
            }
            assertThat(fixture.ledger())
                    .extracting(LedgerEntry::runId)
                    .as("one run took effect")
                    .containsOnly(runId);
            String holderName = "racer-" + (racers.indexOf(holder) + 1);
            assertThat(fixture.ledger()).extracting(LedgerEntry::node).containsOnly(holderName, "successor");
            assertThat(fixture.effectsOf(runId)).isEqualTo(oneEffectPerStep(SERIAL));
            fixture.assertFencedAbove("successor", holderName);
            fixture.assertLedgerInvariantsHold(SERIAL);
            fixture.assertCompleteSuccessfulReport("successor", runId, SERIAL);
            fixture.assertJournalVerifies(runId);
            assertThat(fixture.unfinishedRuns())
                    .as("the refused nodes started no run")
                    .isEmpty();
        } finally {
            racers.forEach(ChildJvm::close);
        }
    }
}
