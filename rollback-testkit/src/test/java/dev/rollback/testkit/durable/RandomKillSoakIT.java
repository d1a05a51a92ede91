package dev.rollback.testkit.durable;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.testkit.fault.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static dev.rollback.testkit.durable.DurablePlan.FAN_IN;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGKILL at random moments: each iteration starts a run of {@link DurablePlan#FAN_IN} (every
 * non-idempotent step there can check whether it took effect), kills the node once or twice at a
 * random time after its run started or resumed, and resumes until the run finishes. Every
 * iteration must finish successfully with each non-idempotent effect exactly once.
 *
 * <p>{@code -Drollback.soak.iterations=N} (default 10) sets the count;
 * {@code -Drollback.soak.seed=S} replays a failing sequence (the seed is in every failure message).
 */
class RandomKillSoakIT {
    private static final int ITERATIONS = Integer.getInteger("rollback.soak.iterations", 10);
    private static final long SEED = Long.getLong("rollback.soak.seed", System.nanoTime());
    /** A run of FAN_IN takes about 100 ms of step work; kills land anywhere in it, or just after. */
    private static final int KILL_WINDOW_MILLIS = 150;

    @TempDir
    Path dir;

    @Test
    void everyRunKilledAtRandomMomentsFinishesWithEachEffectExactlyOnce() throws Exception {
        Random random = new Random(SEED);
        for (int i = 0; i < ITERATIONS; i++) {
            DurableRunFixture fixture = new DurableRunFixture(dir.resolve("iteration-" + i));
            String context = "iteration " + i + " of seed " + SEED;
            String runId = killAndResumeUntilFinished(fixture, random, context);

            assertThat(fixture.journalOf(runId)).as(context).last().satisfies(last -> {
                assertThat(last.type()).isEqualTo(JournalRecord.Type.RUN_FINISHED);
                assertThat(last.data()).containsEntry("outcome", "SUCCEEDED");
            });
            assertThat(fixture.effectsOf(runId)).as(context).containsOnlyKeys(
                    FAN_IN.steps().stream().map(DurablePlan.StepSpec::id).toList())
                    .containsEntry("backup", 1L).containsEntry("restore", 1L).containsEntry("record-change", 1L);
            fixture.assertLedgerInvariantsHold(FAN_IN);
            fixture.assertJournalVerifies(runId);
        }
    }

    /** Runs, kills one or two nodes at random moments, then resumes without killing; returns the run id. */
    private static String killAndResumeUntilFinished(DurableRunFixture fixture, Random random, String context)
            throws InterruptedException {
        int kills = 1 + random.nextInt(2);
        String runId;
        try (ChildJvm first = fixture.runner("node-0", FAN_IN).start()) {
            runId = runIdOf(first);
            killAtRandom(first, random);
        }
        for (int n = 1; fixture.unfinishedRuns().contains(runId); n++) {
            try (ChildJvm resumer = fixture.resumer("node-" + n, FAN_IN, runId).start()) {
                if (n < kills) {
                    assertThat(runIdOf(resumer)).as(context).isEqualTo(runId);
                    killAtRandom(resumer, random);
                } else {
                    assertThat(resumer.awaitExit(WAIT)).as("%s: node-%d wrote %s", context, n, resumer.lines()).isZero();
                }
            }
        }
        return runId;
    }

    /** A deliberate random delay: the point is to kill at an unplanned moment (or find the run already done). */
    private static void killAtRandom(ChildJvm node, Random random) throws InterruptedException {
        Thread.sleep(random.nextInt(KILL_WINDOW_MILLIS));
        if (node.isAlive()) {
            node.kill();
        }
    }
}
