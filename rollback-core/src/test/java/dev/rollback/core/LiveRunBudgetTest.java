package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.event.RunStarted;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a live run says about its RTO budgets: in its start event, and left now. */
class LiveRunBudgetTest {

    @Test
    void aLiveRunSaysHowMuchOfEachBudgetIsLeftAndItsStartEventCarriesTheBudgets() throws Exception {
        ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
        RecordingListener events = new RecordingListener();
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        RollbackPlan plan = RollbackPlan.builder("budgets", RecoveryObjectives.stateless(Duration.ofMinutes(10)))
                .component("app", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .component("db", RecoveryObjectives.of(Duration.ofMinutes(8), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("swap", "app")
                        .action(ctx -> {
                            running.countDown();
                            release.await();
                        })
                        .build())
                .step(RollbackStep.builder("restore", "db").build(), s -> s.dependsOn("swap"))
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).listener(events).build()) {
            RollbackRun run = executor.start(plan, RunRequest.drill("test"));
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            clock.advance(Duration.ofMinutes(4));

            assertThat(run.budgetLeft())
                    .containsExactly(
                            Map.entry("plan", Duration.ofMinutes(6)),
                            Map.entry("app", Duration.ofMinutes(1)),
                            Map.entry("db", Duration.ofMinutes(4)));
            assertThat(executor.activeRuns().get("budgets").budgetLeft()).containsKey("db");

            release.countDown();
            run.await();
            assertThat(run.budgetLeft()).isEmpty();
        }
        assertThat(events.of(RunStarted.class).get(0).budgets())
                .containsExactly(
                        Map.entry("plan", Duration.ofMinutes(10)),
                        Map.entry("app", Duration.ofMinutes(5)),
                        Map.entry("db", Duration.ofMinutes(8)));
    }
}
