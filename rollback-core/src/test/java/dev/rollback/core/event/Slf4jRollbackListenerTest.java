package dev.rollback.core.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.MDC;

class Slf4jRollbackListenerTest {

    /** What one log call saw: its level, its MDC, and its message pattern. */
    record Line(String level, String runId, String stepId, String pattern) {}

    @Test
    void logsEveryEventWithTheRunAndStepInTheMdc() {
        List<Line> lines = new CopyOnWriteArrayList<>();
        Logger logger = (Logger) Proxy.newProxyInstance(
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
}
