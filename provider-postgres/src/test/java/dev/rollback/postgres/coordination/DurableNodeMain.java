package dev.rollback.postgres.coordination;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.PostgresEndpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * A node in a child JVM that runs or resumes a two-step plan with the PostgreSQL journal and run
 * lock. Step {@code a} appends "a &lt;node&gt;" to a ledger file; step {@code b} (idempotent) appends
 * "b-start &lt;node&gt;", optionally blocks until the process is killed, then appends "b-done".
 *
 * <p>Arguments: host port database user ledger node run|resume runId|- hold|go. Password in
 * ROLLBACK_TEST_PASSWORD. Output lines: "run &lt;id&gt;", "holding", "outcome &lt;RunOutcome&gt;".
 */
public final class DurableNodeMain {
    private DurableNodeMain() {}

    /** See the class comment. */
    public static void main(String[] args) throws Exception {
        PostgresEndpoint store = PostgresEndpoint.builder()
                .host(args[0])
                .port(Integer.parseInt(args[1]))
                .database(args[2])
                .user(args[3])
                .password(Secret.fromEnvironment("ROLLBACK_TEST_PASSWORD"))
                .build();
        Path ledger = Path.of(args[4]);
        String node = args[5];
        boolean hold = args[8].equals("hold");
        RollbackPlan plan = RollbackPlan.builder(
                        "pg-durable", RecoveryObjectives.of(Duration.ofMinutes(10), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("a", "app")
                        .action(c -> append(ledger, "a " + node))
                        .build())
                .step(
                        RollbackStep.builder("b", "app")
                                .idempotent(true)
                                .action(c -> {
                                    append(ledger, "b-start " + node);
                                    if (hold) {
                                        System.out.println("holding");
                                        System.out.flush();
                                        Thread.sleep(600_000);
                                    }
                                    append(ledger, "b-done " + node);
                                })
                                .build(),
                        s -> s.dependsOn("a"))
                .build();
        try (RollbackExecutor executor = RollbackExecutor.builder()
                .journal(PostgresJournal.open(store))
                .runLock(PostgresRunLock.open(store))
                .build()) {
            RollbackRun run = args[6].equals("run")
                    ? executor.start(plan, RunRequest.drill(node))
                    : executor.resume(plan, args[7]);
            System.out.println("run " + run.runId());
            System.out.flush();
            RollbackReport report = run.await();
            System.out.println("outcome " + report.outcome());
            System.out.flush();
        }
    }

    private static void append(Path ledger, String line) throws IOException {
        Files.writeString(
                ledger,
                line + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.SYNC);
    }
}
