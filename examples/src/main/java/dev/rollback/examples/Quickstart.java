package dev.rollback.examples;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.report.MarkdownReportRenderer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's quickstart: a plan of two steps and a verifier, run against its RTO, with the
 * report printed as Markdown. The "application" is an in-memory reference so that the example
 * runs anywhere; a real plan uses the provider steps (SlotSwapStep, EmergencyBackupStep, ...).
 *
 * <p>The body of {@link #main} is the README's code block, line for line (QuickstartTest checks
 * it, and runs it).
 */
public final class Quickstart {
    private Quickstart() {}

    /** Runs the quickstart and prints its report. */
    public static void main(String[] args) {
        AtomicReference<String> live = new AtomicReference<>("v42 (broken)");
        Verifier servesPrevious = Verifier.of(
                "serves-previous-version",
                ctx -> "v41".equals(live.get())
                        ? Verification.passed("serves-previous-version", "production serves v41", live.get())
                        : Verification.failed("serves-previous-version", "production serves v41", live.get()));

        RollbackPlan plan = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("route-traffic-to-previous", "app-service")
                        .idempotent(true)
                        .action(ctx -> ctx.evidence("distribution", "blue-previous=100"))
                        .build())
                .step(
                        RollbackStep.builder("swap-slots", "app-service")
                                .action(ctx -> live.set("v41"))
                                .build(),
                        step -> step.dependsOn("route-traffic-to-previous")
                                .timeout(Duration.ofMinutes(2))
                                .verifier(servesPrevious))
                .build();

        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(new Slf4jRollbackListener()).build()) {
            RollbackReport report = executor.run(plan, RunRequest.manual("on-call-engineer"));
            System.out.println(MarkdownReportRenderer.render(report));
        }
    }
}
