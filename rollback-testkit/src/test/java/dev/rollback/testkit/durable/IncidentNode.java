package dev.rollback.testkit.durable;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.StepContext;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * One node of a fleet answering the same incident, run in a child JVM: an {@link IncidentResponse}
 * on a shared {@link FileJournal} and {@link FileRunLock}, handling the runbook's application-rollback
 * decision. Its plan's one step ({@code swap}, idempotent) records each execution in a
 * {@link SideEffectLedger}.
 *
 * <p>Arguments: {@code <journal-dir> <lock-dir> <ledger-file> <node-name> [hold]}; {@code hold} makes
 * the step block after its STARTED ledger line until the process is killed. Output lines:
 * {@code state <IncidentState>} after handling the decision, {@code run <run-id>} when a run started
 * or resumed, {@code holding swap} when the held step blocks, {@code final <IncidentState>} at the end.
 */
public final class IncidentNode {
    static final Instant DECIDED = Instant.parse("2026-11-30T09:05:00Z");
    private static final PrintStream OUT = System.out;

    private IncidentNode() {}

    public static void main(String[] args) throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(Path.of(args[2]));
        String node = args[3];
        boolean hold = args.length > 4 && args[4].equals("hold");
        try (FileJournal journal = FileJournal.of(Path.of(args[0]));
                RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(journal)
                        .runLock(FileRunLock.of(Path.of(args[1])))
                        .lockWait(Duration.ZERO)
                        .build();
                IncidentResponse response = IncidentResponse.custom()
                        .catalog(catalog(ledger, node, hold))
                        .executor(executor)
                        .incidentLock(FileRunLock.of(Path.of(args[1]).resolve("incidents")))
                        .verification(PostRollbackVerification.custom()
                                .watchRules()
                                .settleFor(Duration.ZERO)
                                .build())
                        .build()) {
            IncidentHandle handle = response.handle(decision());
            say("state " + handle.state());
            handle.run().ifPresent(r -> say("run " + r.runId()));
            while (!handle.state().isFinal()) {
                handle.run().ifPresent(r -> {
                    try {
                        r.await(Duration.ofSeconds(30));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                response.tick();
            }
            say("final " + handle.state());
        }
    }

    static Decision decision() {
        return new Decision(
                DecisionMatrix.APPLICATION_ROLLBACK,
                Decision.Kind.ROLLBACK,
                Severity.SEV1,
                DecisionMatrix.ERROR_RATE,
                0.2,
                0.01,
                "ratio",
                "error rate 20% > 1% for 5m",
                DECIDED.minus(Duration.ofMinutes(5)),
                DECIDED);
    }

    private static PlanCatalog catalog(SideEffectLedger ledger, String node, boolean hold) {
        RollbackPlan app = RollbackPlan.builder(
                        "app-service-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(DecisionMatrix.APPLICATION_ROLLBACK)
                .step(RollbackStep.builder("swap", "app")
                        .idempotent(true)
                        .action(ctx -> {
                            ledger.record(entry(node, ctx, LedgerEntry.Outcome.STARTED));
                            if (hold) {
                                say("holding swap");
                                new CountDownLatch(1).await();
                            }
                            ledger.record(entry(node, ctx, LedgerEntry.Outcome.APPLIED));
                        })
                        .build())
                .build();
        PlanCatalog.Builder b =
                PlanCatalog.forMatrix(DecisionMatrix.ofDefaults()).map(DecisionMatrix.APPLICATION_ROLLBACK, app);
        for (String other : new String[] {
            DecisionMatrix.DATABASE_FAILOVER, DecisionMatrix.POINT_IN_TIME_RECOVERY, DecisionMatrix.FULL_SYSTEM_LOCKDOWN
        }) {
            b.map(
                    other,
                    RollbackPlan.builder(other, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                            .carriesOut(other)
                            .step(RollbackStep.builder("noop", "app")
                                    .idempotent(true)
                                    .build())
                            .build());
        }
        return b.build();
    }

    private static LedgerEntry entry(String node, StepContext ctx, LedgerEntry.Outcome outcome) {
        return new LedgerEntry(
                node,
                ctx.runId(),
                ctx.stepId(),
                ctx.fencingToken(),
                ctx.attempt(),
                outcome,
                Instant.now(),
                Optional.of(ctx.deadline()));
    }

    private static void say(String line) {
        OUT.println(line);
        OUT.flush();
    }
}
