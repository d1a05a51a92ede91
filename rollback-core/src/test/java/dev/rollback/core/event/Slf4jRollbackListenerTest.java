package dev.rollback.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.StepProgress;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

class Slf4jRollbackListenerTest {

    /** What one log call saw: its level, its MDC, and its message pattern. */
    record Line(String level, String runId, String stepId, String pattern) {}

    private static Logger recording(List<Line> lines) {
        return (Logger) Proxy.newProxyInstance(
                Logger.class.getClassLoader(), new Class<?>[] {Logger.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (List.of("info", "warn").contains(name) && args != null && args[0] instanceof String pattern) {
                        lines.add(new Line(
                                name,
                                MDC.get(Slf4jRollbackListener.MDC_RUN_ID),
                                MDC.get(Slf4jRollbackListener.MDC_STEP_ID),
                                pattern));
                    }
                    return method.getReturnType() == boolean.class ? Boolean.TRUE : null;
                });
    }

    @Test
    void logsEveryEventWithTheRunAndStepInTheMdc() {
        List<Line> lines = new CopyOnWriteArrayList<>();
        Logger logger = recording(lines);
        RollbackPlan plan = RollbackPlan.builder("logged", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("swap", "app").build())
                .step(
                        RollbackStep.builder("verify", "app")
                                .action(c -> {
                                    throw new IllegalStateException("health 503");
                                })
                                .build(),
                        s -> s.dependsOn("swap"))
                .build();
        String runId;
        try (RollbackExecutor executor = RollbackExecutor.builder()
                .listener(new Slf4jRollbackListener(logger))
                .build()) {
            runId = executor.run(plan, RunRequest.drill("test")).runId();
        }
        assertThat(lines).extracting(Line::runId).containsOnly(runId);
        assertThat(lines)
                .filteredOn(l ->
                        l.pattern().startsWith("step 'swap'") || l.pattern().startsWith("step '{}'"))
                .isNotEmpty();
        assertThat(lines)
                .filteredOn(l -> l.pattern().contains("failed after"))
                .singleElement()
                .satisfies(l -> {
                    assertThat(l.level()).isEqualTo("warn");
                    assertThat(l.stepId()).isEqualTo("verify");
                });
        assertThat(lines)
                .filteredOn(l -> l.pattern().startsWith("run finished"))
                .singleElement()
                .satisfies(l -> assertThat(l.stepId()).isNull());
        assertThat(lines).hasSize(6);
        assertThat(MDC.get(Slf4jRollbackListener.MDC_RUN_ID))
                .as("the MDC is cleaned up")
                .isNull();
    }

    @Test
    void logsTheFirstProgressOfAnAttemptThenAtMostOneLinePerIntervalSayingHowManyItStandsFor() {
        List<Line> lines = new CopyOnWriteArrayList<>();
        Slf4jRollbackListener listener = new Slf4jRollbackListener(recording(lines), Duration.ofSeconds(10));
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        for (int second = 0; second <= 25; second++) { // one report a second for 25 s
            listener.dispatch(new StepProgress("run-1", t0.plusSeconds(second), "dump", 1, "wrote " + second + " MB"));
        }
        // attempt 2 starts over: its first report is written at once
        listener.dispatch(new StepProgress("run-1", t0.plusSeconds(26), "dump", 2, "wrote 0 MB"));

        assertThat(lines)
                .extracting(Line::pattern)
                .containsExactly(
                        "step '{}' attempt {}: {}",
                        "step '{}' attempt {}: {} ({} progress reports since the last line)",
                        "step '{}' attempt {}: {} ({} progress reports since the last line)",
                        "step '{}' attempt {}: {}");
        assertThat(lines).extracting(Line::stepId).containsOnly("dump");
    }

    @Test
    void forgetsAStepsProgressWhenItEnds() {
        List<Line> lines = new CopyOnWriteArrayList<>();
        Slf4jRollbackListener listener = new Slf4jRollbackListener(recording(lines), Duration.ofMinutes(1));
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        listener.dispatch(new StepProgress("run-1", t0, "dump", 1, "started"));
        listener.dispatch(new StepSucceeded("run-1", t0.plusSeconds(1), "dump", 1, Duration.ofSeconds(1)));
        listener.dispatch(new StepProgress("run-1", t0.plusSeconds(2), "dump", 1, "a late report"));

        assertThat(lines)
                .filteredOn(l -> l.pattern().contains("attempt {}: {}"))
                .hasSize(2);
    }

    @Test
    void putsBackWhatTheCallingThreadHadInTheMdc() {
        Slf4jRollbackListener listener = new Slf4jRollbackListener(recording(new CopyOnWriteArrayList<>()));
        MDC.put(Slf4jRollbackListener.MDC_RUN_ID, "run-1");
        MDC.put(Slf4jRollbackListener.MDC_STEP_ID, "dump");
        MDC.put(Slf4jRollbackListener.MDC_ATTEMPT, "2");
        try {
            listener.dispatch(new RunAborted("run-9", Instant.EPOCH, "ops", "drill over"));

            assertThat(MDC.get(Slf4jRollbackListener.MDC_RUN_ID)).isEqualTo("run-1");
            assertThat(MDC.get(Slf4jRollbackListener.MDC_STEP_ID)).isEqualTo("dump");
            assertThat(MDC.get(Slf4jRollbackListener.MDC_ATTEMPT)).isEqualTo("2");
        } finally {
            MDC.clear();
        }
    }
}
