package dev.rollback.testkit.durable;

import static dev.rollback.testkit.durable.DurablePlan.FAN_IN;
import static dev.rollback.testkit.durable.DurableRunFixture.WAIT;
import static dev.rollback.testkit.durable.DurableRunFixture.runIdOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.testkit.fault.ChildJvm;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random moments: each iteration starts a run of {@link DurablePlan#FAN_IN} (every
 * non-idempotent step there can check whether it took effect), kills the first node a random few
 * milliseconds after a random event of its run, sometimes kills the first resumer too, and
 * resumes until the run finishes. Every
 * iteration must finish successfully with each non-idempotent effect exactly once.
 *
 * <p>{@code -Drollback.soak.iterations=N} (default 10) sets the count;
 * {@code -Drollback.soak.seed=S} replays a failing sequence (the seed is in every failure message).
 */
class RandomKillSoakIT {
    private static final int ITERATIONS = Integer.getInteger("rollback.soak.iterations", 10);
    private static final long SEED = Long.getLong("rollback.soak.seed", System.nanoTime());
    /** RunStarted, StepStarted and StepSucceeded of five steps, RunFinished. */
    private static final int EVENTS_OF_A_WHOLE_RUN = 12;
    /** Each step works 20 ms; a kill lands up to this long after the event it waited for. */
    private static final int KILL_JITTER_MILLIS = 30;

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
            assertThat(fixture.effectsOf(runId))
                    .as(context)
                    .containsOnlyKeys(FAN_IN.steps().stream()
                            .map(DurablePlan.StepSpec::id)
                            .toList())
                    .containsEntry("backup", 1L)
                    .containsEntry("restore", 1L)
                    .containsEntry("record-change", 1L);
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
            killAfterEvent(first, 1 + random.nextInt(EVENTS_OF_A_WHOLE_RUN - 1), random);
        }
        for (int n = 1; fixture.unfinishedRuns().contains(runId); n++) {
            try (ChildJvm resumer = fixture.resumer("node-" + n, FAN_IN, runId).start()) {
                if (n < kills) {
                    assertThat(runIdOf(resumer)).as(context).isEqualTo(runId);
                    killAfterEvent(resumer, 1, random);
                } else {
                    assertThat(resumer.awaitExit(WAIT))
                            .as("%s: node-%d wrote %s", context, n, resumer.lines())
                            .isZero();
                }
            }
        }
        return runId;
    }

    /**
     * Kills {@code node} a random few milliseconds after its {@code n}-th event (or finds it done),
     * so the kill lands anywhere in a step, a journal write or between them.
     */
    private static void killAfterEvent(ChildJvm node, int n, Random random) throws InterruptedException {
        int[] events = {0};
        node.awaitLine(
                l -> l.startsWith(DurableRunNode.EVENT) && ++events[0] == n || l.startsWith(DurableRunNode.OUTCOME),
                WAIT);
        Thread.sleep(random.nextInt(KILL_JITTER_MILLIS));
        if (node.isAlive()) {
            node.kill();
        }
    }
}
