package dev.rollback.core.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CriticalPathTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));

    private RollbackStep taking(String id, int seconds) {
        return RollbackStep.builder(id, "app")
                .idempotent(true)
                .action(c -> clock.advance(Duration.ofSeconds(seconds)))
                .build();
    }

    /** a (10 s) → b (20 s) → d (5 s), and c (25 s) → d: the chain through b is the longest. */
    private RollbackReport diamond() {
        RollbackPlan plan = RollbackPlan.builder("diamond", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(taking("a", 10))
                .step(taking("b", 20), s -> s.dependsOn("a"))
                .step(taking("c", 25))
                .step(taking("d", 5), s -> s.dependsOn("b", "c"))
                .build();
        // one at a time on a manual clock: the wall time is exactly the sum of the steps
        try (RollbackExecutor executor =
                RollbackExecutor.builder().clock(clock).parallelism(1).build()) {
            return executor.run(plan, RunRequest.drill("test"));
        }
    }

    @Test
    void theLongestChainOfDependentStepsIsTheCriticalPath() {
        CriticalPath path = CriticalPath.of(diamond());

        assertThat(path.steps()).containsExactly("a", "b", "d");
        assertThat(path.length()).isEqualTo(Duration.ofSeconds(35));
        assertThat(path.sequential()).isEqualTo(Duration.ofSeconds(60));
        assertThat(path.wallTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(path.ratio()).isCloseTo(60.0 / 35.0, within(1e-9));
        assertThat(path.speedupOverSequential()).isCloseTo(1.0, within(1e-9));
    }

    @Test
    void theMarkdownReportPrintsThePathAndTheRatio() {
        String md = MarkdownReportRenderer.render(diamond());

        assertThat(md)
                .contains("- **Critical path:** 35.0 s (a → b → d); the run took 1.71x of it;"
                        + " one step after another would take 1 min 00 s");
    }
}
