package dev.rollback.cli;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerRule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A test application's catalog: one plan whose three steps each append a line to a ledger file
 * (system property {@value #LEDGER}) when they take effect, so a test counts effects across a crash.
 */
public final class LedgerCatalog implements PlanCatalogProvider {
    /** The system property naming the ledger file. */
    public static final String LEDGER = "ledger.file";
    /** The plan's name. */
    public static final String PLAN = "app-rollback";

    static final DecisionMatrix MATRIX = DecisionMatrix.custom()
            .name("test")
            .addRule(TriggerRule.custom()
                    .name("errors")
                    .signal(Signal.ERROR_RATE)
                    .above(0.01)
                    .action("app-rollback")
                    .build())
            .build();

    @Override
    public PlanCatalog planCatalog() {
        return PlanCatalog.forMatrix(MATRIX).map("app-rollback", plan()).build();
    }

    static RollbackPlan plan() {
        Path ledger = Path.of(System.getProperty(LEDGER));
        return RollbackPlan.builder(PLAN, RecoveryObjectives.stateless(Duration.ofMinutes(30)))
                .carriesOut("app-rollback")
                .step(RollbackStep.builder("stop-traffic", "app")
                        .action(ctx -> effect(ledger, "stop-traffic"))
                        .build())
                .step(
                        RollbackStep.builder("swap-slots", "app")
                                .idempotent(true)
                                .action(ctx -> effect(ledger, "swap-slots"))
                                .build(),
                        s -> s.dependsOn("stop-traffic"))
                .step(
                        RollbackStep.builder("health-check", "app")
                                .idempotent(true)
                                .action(ctx -> effect(ledger, "health-check"))
                                .build(),
                        s -> s.dependsOn("swap-slots"))
                .build();
    }

    private static void effect(Path ledger, String step) {
        try {
            Files.writeString(
                    ledger, step + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
