package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.InvalidPlanException;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** docs/fault-model.md, timing: "a step that stops making progress is detected". */
class StallDetectionTest {
    private static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");
    private static final RecoveryObjectives THIRTY_MINUTES =
            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5));
    private static final Duration STALL = Duration.ofMinutes(1);

    private final ManualClock clock = new ManualClock(T0);
    private final RecordingListener events = new RecordingListener();
    private final RollbackExecutor executor = RollbackExecutor.builder()
            .clock(clock)
            .listener(events)
            .parallelism(4)
            .build();

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void aStepThatStopsReportingProgressIsInterruptedAndFailsWithWhatItLastDid() throws Exception {
        CountDownLatch hanging = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        RollbackStep copy = RollbackStep.builder("copy-tables", "db")
                .action(ctx -> {
                    ctx.progress("copied table 1 of 3");
                    clock.advance(Duration.ofSeconds(30));
                    ctx.progress("copied table 2 of 3");
                    hanging.countDown();
                    try {
                        new CountDownLatch(1).await(); // table 3 never comes back
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        throw e;
                    }
                })
                .build();
        RollbackPlan plan = RollbackPlan.builder("copy", THIRTY_MINUTES)
                .step(copy, s -> s.timeout(Duration.ofMinutes(10)).stallTimeout(STALL))
                .step(RollbackStep.builder("switch", "db").build(), s -> s.dependsOn("copy-tables"))
                .build();

        RollbackRun run = executor.start(plan, RunRequest.drill("test"));
        assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(STALL.minusSeconds(1));
        Thread.sleep(50); // 25 polls of the coordinator: a stall one second early would be declared by now
        assertThat(events.of(StepStalled.class))
                .as("59 s of silence is not a stall")
                .isEmpty();
        clock.advance(Duration.ofSeconds(1));
        events.awaitEvent(e -> e instanceof StepStalled);
        RollbackReport report = run.await();

        assertThat(events.of(StepStalled.class)).singleElement().satisfies(e -> {
            assertThat(e.stepId()).isEqualTo("copy-tables");
            assertThat(e.attempt()).isEqualTo(1);
            assertThat(e.silentFor()).isEqualTo(STALL);
            assertThat(e.lastProgress()).contains("copied table 2 of 3");
            assertThat(e.at()).isEqualTo(T0.plusSeconds(30).plus(STALL));
        });
        assertThat(interrupted).as("the attempt's thread was interrupted").isTrue();
        StepReport step = report.step("copy-tables").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(step.attempts()).hasSize(1);
        assertThat(step.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains(
                                "stalled",
                                "stall timeout of PT1M",
                                "last progress: 'copied table 2 of 3'",
                                "not idempotent"));
        assertThat(report.step("switch").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
        assertThat(events.events)
                .extracting(e -> e.getClass().getSimpleName())
                .containsSubsequence("StepStarted", "StepStalled", "StepFailed", "StepSkipped", "RunFinished");
    }

    @Test
    void progressAndCheckpointsKeepALongStepAlive() {
        RollbackStep copy = RollbackStep.builder("copy-tables", "db")
                .action(ctx -> {
                    for (int table = 1; table <= 10; table++) { // 10 x 50 s: far past the stall timeout in all
                        clock.advance(Duration.ofSeconds(50));
                        if (table % 2 == 0) {
                            ctx.progress("copied table " + table);
                        } else {
                            ctx.checkpoint();
                        }
                    }
                })
                .build();
        RollbackPlan plan = RollbackPlan.builder("copy", THIRTY_MINUTES)
                .step(copy, s -> s.timeout(Duration.ofMinutes(20)).stallTimeout(STALL))
                .build();

        RollbackReport report = executor.run(plan, RunRequest.drill("test"));

        assertThat(report.step("copy-tables").orElseThrow().outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(report.step("copy-tables").orElseThrow().duration()).isEqualTo(Duration.ofSeconds(500));
        assertThat(events.of(StepStalled.class)).isEmpty();
    }

    @Test
    void anIdempotentStepThatStallsIsRetriedAndItsNextAttemptCanSucceed() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch hanging = new CountDownLatch(1);
        RollbackStep poll = RollbackStep.builder("poll-swap", "app")
                .idempotent(true)
                .action(ctx -> {
                    if (attempts.incrementAndGet() == 1) {
                        hanging.countDown();
                        new CountDownLatch(1).await(); // a poll whose connection hangs
                    }
                    ctx.progress("swap reported Succeeded");
                })
                .build();
        RetrySettings retry = RetrySettings.custom()
                .maxAttempts(3)
                .initialBackoff(Duration.ofSeconds(5))
                .jitter(0)
                .build();
        RollbackPlan plan = RollbackPlan.builder("poll", THIRTY_MINUTES)
                .step(
                        poll,
                        s -> s.timeout(Duration.ofMinutes(10))
                                .stallTimeout(STALL)
                                .retry(retry))
                .build();

        RollbackRun run = executor.start(plan, RunRequest.drill("test"));
        assertThat(hanging.await(10, TimeUnit.SECONDS)).isTrue();
        clock.advance(STALL);
        RollbackReport report = run.await();

        StepReport step = report.step("poll-swap").orElseThrow();
        assertThat(step.outcome()).isEqualTo(StepOutcome.SUCCEEDED);
        assertThat(step.attempts())
                .extracting(a -> a.outcome())
                .containsExactly(StepOutcome.FAILED, StepOutcome.SUCCEEDED);
        assertThat(step.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).contains("stalled", "(no progress reported)"));
        assertThat(step.attempts().get(1).startedAt()).isEqualTo(T0.plus(STALL).plusSeconds(5));
        assertThat(events.of(StepStalled.class))
                .extracting(StepStalled::attempt, StepStalled::lastProgress)
                .containsExactly(Tuple.tuple(1, Optional.empty()));
        assertThat(events.of(StepRetrying.class))
                .extracting(StepRetrying::backoff)
                .containsExactly(Duration.ofSeconds(5));
        assertThat(events.events)
                .extracting(e -> e.getClass().getSimpleName())
                .containsSubsequence("StepStarted", "StepStalled", "StepRetrying", "StepStarted", "StepSucceeded");
        assertThat(events.of(StepSucceeded.class)).hasSize(1);
    }

    @Test
    void aStallTimeoutThatCouldNeverFireIsRefusedWhenThePlanIsBuilt() {
        RollbackStep step = RollbackStep.builder("copy-tables", "db").build();
        assertThatThrownBy(() -> RollbackPlan.builder("copy", THIRTY_MINUTES)
                        .step(step, s -> s.timeout(Duration.ofMinutes(1)).stallTimeout(Duration.ofMinutes(1)))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("step 'copy-tables'")
                .hasMessageContaining("stall timeout of PT1M")
                .hasMessageContaining("not shorter than its timeout (PT1M)");
        assertThatThrownBy(() -> RollbackPlan.builder("copy", THIRTY_MINUTES)
                        .step(step, s -> s.stallTimeout(Duration.ofMinutes(31)))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("not shorter than its component's RTO budget (PT30M)");
        assertThatThrownBy(() ->
                        RollbackPlan.builder("copy", THIRTY_MINUTES).step(step, s -> s.stallTimeout(Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stallTimeout");
    }
}
