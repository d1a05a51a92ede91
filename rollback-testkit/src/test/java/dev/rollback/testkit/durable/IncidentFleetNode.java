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
import dev.rollback.core.trigger.Signal;
import dev.rollback.core.trigger.TriggerRule;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * One node of a fleet that sees the same {@code keys} incidents (one rollback rule and action per key), run
 * in a child JVM: an {@link IncidentResponse} on a shared {@link FileJournal} and {@link FileRunLock}. Each
 * key's plan has one idempotent step ({@code swap-<key>}) that records its execution in a
 * {@link SideEffectLedger}.
 *
 * <p>Arguments: {@code <journal-dir> <lock-dir> <ledger-file> <node-name> <keys> <rounds>}. The node handles
 * every key's decision in its own shuffled order, ticks until every incident is final, and does it again
 * {@code rounds - 1} more times (the same triggers seen late, after the incidents were handled). Output: one
 * {@code final <round> <key> <IncidentState>} line per key and round, then {@code done}.
 */
public final class IncidentFleetNode {
    static final Instant DECIDED = Instant.parse("2026-11-30T09:05:00Z");
    private static final PrintStream OUT = System.out;

    private IncidentFleetNode() {}

    public static void main(String[] args) throws Exception {
        SideEffectLedger ledger = SideEffectLedger.at(Path.of(args[2]));
        String node = args[3];
        int keys = Integer.parseInt(args[4]);
        int rounds = Integer.parseInt(args[5]);
        DecisionMatrix matrix = matrix(keys);
        try (FileJournal journal = FileJournal.of(Path.of(args[0]));
                RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(journal)
                        .runLock(FileRunLock.of(Path.of(args[1])))
                        .lockWait(Duration.ZERO)
                        .build();
                IncidentResponse response = IncidentResponse.custom()
                        .catalog(catalog(matrix, keys, ledger, node))
                        .executor(executor)
                        .incidentLock(FileRunLock.of(Path.of(args[1]).resolve("incidents")))
                        .verification(PostRollbackVerification.custom()
                                .watchRules()
                                .settleFor(Duration.ZERO)
                                .build())
                        .build()) {
            long began = System.nanoTime();
            Random random = new Random(node.hashCode());
            for (int round = 1; round <= rounds; round++) {
                List<Integer> order = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    order.add(k);
                }
                Collections.shuffle(order, random);
                List<IncidentHandle> handles = new ArrayList<>();
                for (int k : order) {
                    handles.add(response.handle(decision(k)));
                }
                while (!handles.stream().allMatch(h -> h.state().isFinal())) {
                    Thread.sleep(5);
                    response.tick();
                }
                say("round " + round + " took " + (System.nanoTime() - began) / 1_000_000 + " ms");
                for (int i = 0; i < order.size(); i++) {
                    say("final " + round + " " + order.get(i) + " "
                            + handles.get(i).state());
                }
            }
            say("done");
        }
    }

    static String action(int key) {
        return "action-" + key;
    }

    private static DecisionMatrix matrix(int keys) {
        DecisionMatrix.Builder b = DecisionMatrix.custom().name("fleet");
        for (int k = 0; k < keys; k++) {
            b.addRule(TriggerRule.custom()
                    .name("rule-" + k)
                    .signal(Signal.ERROR_RATE)
                    .above(0.01)
                    .action(action(k))
                    .build());
        }
        return b.build();
    }

    static Decision decision(int key) {
        return new Decision(
                action(key),
                Decision.Kind.ROLLBACK,
                Severity.SEV1,
                "rule-" + key,
                0.2,
                0.01,
                "ratio",
                "error rate 20% > 1% for 5m",
                DECIDED.minus(Duration.ofMinutes(5)),
                DECIDED);
    }

    private static PlanCatalog catalog(DecisionMatrix matrix, int keys, SideEffectLedger ledger, String node) {
        PlanCatalog.Builder b = PlanCatalog.forMatrix(matrix);
        for (int k = 0; k < keys; k++) {
            b.map(
                    action(k),
                    RollbackPlan.builder("plan-" + k, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                            .carriesOut(action(k))
                            .step(RollbackStep.builder("swap-" + k, "app")
                                    .idempotent(true)
                                    .action(ctx -> {
                                        ledger.record(entry(node, ctx, LedgerEntry.Outcome.STARTED));
                                        ledger.record(entry(node, ctx, LedgerEntry.Outcome.APPLIED));
                                    })
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
