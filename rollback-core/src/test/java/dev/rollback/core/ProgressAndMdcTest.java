package dev.rollback.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.StepProgress;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.event.Slf4jRollbackListener;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** Progress reports become events; the run, step and attempt are in the MDC of the step's thread. */
class ProgressAndMdcTest {
    private static final RecoveryObjectives TEN_MINUTES = RecoveryObjectives.stateless(Duration.ofMinutes(10));

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final RecordingListener events = new RecordingListener();
    private final RollbackExecutor executor = RollbackExecutor.builder()
            .clock(clock)
            .listener(events)
            .parallelism(1)
            .build();

    @AfterEach
    void close() {
        executor.close();
    }

    @Test
    void everyProgressReportOfAStepReachesListenersBetweenItsStartAndItsEnd() {
        RollbackStep dump = RollbackStep.builder("dump", "db")
                .action(ctx -> {
                    ctx.progress("pg_dump wrote 1048576 bytes");
                    clock.advance(Duration.ofSeconds(5));
                    ctx.progress("pg_dump wrote 2097152 bytes, password=hunter2");
                })
                .build();
        RollbackPlan plan =
                RollbackPlan.builder("backup", TEN_MINUTES).step(dump).build();

        String runId = executor.run(plan, RunRequest.drill("test")).runId();

        List<RollbackEvent> stepEvents = events.events.stream()
                .filter(e -> e instanceof StepStarted || e instanceof StepProgress || e instanceof StepSucceeded)
                .toList();
        assertThat(stepEvents)
                .extracting(e -> e.getClass().getSimpleName())
                .containsExactly("StepStarted", "StepProgress", "StepProgress", "StepSucceeded");
        List<StepProgress> progress = events.of(StepProgress.class);
        assertThat(progress).allSatisfy(p -> {
            assertThat(p.runId()).isEqualTo(runId);
            assertThat(p.stepId()).isEqualTo("dump");
            assertThat(p.attempt()).isEqualTo(1);
        });
        assertThat(progress.get(0).what()).isEqualTo("pg_dump wrote 1048576 bytes");
        assertThat(progress.get(1).at()).isEqualTo(progress.get(0).at().plusSeconds(5));
        assertThat(progress.get(1).what())
                .startsWith("pg_dump wrote 2097152 bytes")
                .doesNotContain("hunter2");
    }

    @Test
    void aReportFromAThreadTheStepLeftBehindAfterItsAttemptEndedIsDropped() {
        AtomicReference<StepContext> leftBehind = new AtomicReference<>();
        RollbackPlan plan = RollbackPlan.builder("late", TEN_MINUTES)
                .step(RollbackStep.builder("copy", "db").action(leftBehind::set).build())
                .build();

        executor.run(plan, RunRequest.drill("test"));
        leftBehind.get().progress("copied one more table, too late");

        assertThat(events.of(StepProgress.class)).isEmpty();
    }

    @Test
    void theRunStepAndAttemptAreInTheMdcForTheWholeAttemptAndGoneAfter() {
        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        RollbackStep swap = RollbackStep.builder("swap", "app")
                .idempotent(true)
                .preflight(ctx -> seen.add("preflight " + mdc()))
                .action(ctx -> {
                    seen.add("action " + mdc());
                    if (attempts.incrementAndGet() == 1) {
                        throw new TransientFailureException("503 from the control plane", null);
                    }
                })
                .build();
        Verifier health = Verifier.of("health", ctx -> {
            seen.add("verifier " + mdc());
            return Verification.passed("health", "200", "200");
        });
        RollbackStep after = RollbackStep.builder("after", "app")
                .action(ctx -> seen.add("after " + mdc()))
                .build();
        RollbackPlan plan = RollbackPlan.builder("mdc", TEN_MINUTES)
                .defaultRetry(RetrySettings.custom()
                        .maxAttempts(2)
                        .initialBackoff(Duration.ofMillis(1))
                        .jitter(0)
                        .build())
                .step(swap, s -> s.verifier(health))
                .step(after, s -> s.dependsOn("swap"))
                .verifier(Verifier.of("plan-check", ctx -> {
                    seen.add("plan verifier " + mdc());
                    return Verification.passed("plan-check", "ok", "ok");
                }))
                .build();

        String runId = executor.run(plan, RunRequest.drill("test")).runId();

        assertThat(seen)
                .containsExactly(
                        "preflight " + runId + "/swap/1",
                        "action " + runId + "/swap/1",
                        "action " + runId + "/swap/2",
                        "verifier " + runId + "/swap/2",
                        "after " + runId + "/after/1",
                        "plan verifier " + runId + "/plan/1");
    }

    @Test
    void theSlf4jListenerOnTheStepsThreadPutsTheStepsMdcBackAfterItsLine() {
        AtomicReference<String> afterEvent = new AtomicReference<>();
        try (RollbackExecutor logged = RollbackExecutor.builder()
                .clock(clock)
                .listener(new Slf4jRollbackListener())
                .build()) {
            RollbackPlan plan = RollbackPlan.builder("mdc-kept", TEN_MINUTES)
                    .step(RollbackStep.builder("swap", "app")
                            .action(ctx -> {
                                ctx.progress("swap requested"); // logged on this thread
                                afterEvent.set(mdc());
                            })
                            .build())
                    .build();
            assertThat(logged.run(plan, RunRequest.drill("test")).outcome()).isEqualTo(RunOutcome.SUCCEEDED);
        }
        assertThat(afterEvent.get()).endsWith("/swap/1").doesNotStartWith("null");
    }

    private static String mdc() {
        return MDC.get(Slf4jRollbackListener.MDC_RUN_ID) + "/" + MDC.get(Slf4jRollbackListener.MDC_STEP_ID) + "/"
                + MDC.get(Slf4jRollbackListener.MDC_ATTEMPT);
    }
}
