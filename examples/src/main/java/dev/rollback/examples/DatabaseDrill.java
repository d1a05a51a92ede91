package dev.rollback.examples;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.examples.drill.DatabaseEstate;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The runbook's database rollback as a drill, runnable anywhere with the PostgreSQL binaries: it
 * starts a local PostgreSQL (the testkit's launcher), loads the AdvisorOS tables, takes the nightly
 * base backup, writes good rows, then a bad migration corrupts the clients; the trigger engine sees
 * the corruption signal and decides a point-in-time recovery, which the executor runs: emergency
 * backup, its verification (with a restore test), a self-hosted point-in-time restore to the last
 * moment before the corruption, validation (referential integrity, critical data, no row newer
 * than the target) and the switch of the application's connections. Each step is printed as it
 * runs, then the report with every component's RTO met or missed and the records lost.
 */
public final class DatabaseDrill {
    private static final PrintStream OUT = System.out;

    private DatabaseDrill() {}

    /** Runs the drill; exits non-zero if the rollback did not succeed. */
    public static void main(String[] args) throws Exception {
        RollbackReport report = run();
        OUT.println();
        OUT.println(MarkdownReportRenderer.render(report));
        if (report.outcome() != RunOutcome.SUCCEEDED) {
            System.exit(1);
        }
    }

    /** Runs the drill and returns the rollback's report. */
    public static RollbackReport run() throws Exception {
        Path work = Files.createTempDirectory(
                "rollback-drill-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        try (DatabaseEstate database = DatabaseEstate.start(work, line -> say("%s", line))) {
            database.corrupt();

            CompletableFuture<Decision> decided = new CompletableFuture<>();
            try (TriggerEngine triggers = TriggerEngine.builder()
                    .matrix(DecisionMatrix.ofDefaults())
                    .onDecision(decided::complete)
                    .build()) {
                say("the integrity check raises the data-corruption signal");
                triggers.raiseDataCorruption("100 clients with an empty name after migration 2026_11_25");
                triggers.evaluate();
            }
            Decision decision = decided.get(10, TimeUnit.SECONDS);
            say(
                    "decision: %s (%s, rule %s): %s",
                    decision.action(), decision.severity(), decision.rule(), decision.description());

            RollbackPlan plan = database.addPointInTimeRecoveryLosingLateWrites(RollbackPlan.builder(
                                    "point-in-time-recovery",
                                    RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                            .carriesOut(DecisionMatrix.POINT_IN_TIME_RECOVERY))
                    .build();
            RollbackReport report;
            try (RollbackExecutor executor =
                    RollbackExecutor.builder().listener(new ConsoleListener()).build()) {
                report = executor.run(plan, RunRequest.automatic(decision));
            }
            say("%s", database.whatTheApplicationReads());
            return report;
        } finally {
            deleteRecursively(work);
        }
    }

    /** Prints each step as it runs. */
    private static final class ConsoleListener implements RollbackListener {
        @Override
        public void onRunStarted(RunStarted e) {
            say(
                    "run %s of plan '%s' started (%s)",
                    e.runId(), e.planName(), e.initiator().principal());
        }

        @Override
        public void onStepStarted(StepStarted e) {
            say("  -> %s (attempt %d, deadline %s)", e.stepId(), e.attempt(), e.deadline());
        }

        @Override
        public void onStepSucceeded(StepSucceeded e) {
            say("  ok %s in %d ms", e.stepId(), e.duration().toMillis());
        }

        @Override
        public void onStepFailed(StepFailed e) {
            say("  FAILED %s: %s", e.stepId(), e.failure());
        }

        @Override
        public void onStepTimedOut(StepTimedOut e) {
            say("  TIMED OUT %s after %s", e.stepId(), e.budget());
        }

        @Override
        public void onStepSkipped(StepSkipped e) {
            say("  skipped %s: %s", e.stepId(), e.reason());
        }

        @Override
        public void onVerificationPassed(VerificationPassed e) {
            say(
                    "     verified %s: %s",
                    e.verification().name(), e.verification().observed());
        }

        @Override
        public void onVerificationFailed(VerificationFailed e) {
            say(
                    "     VERIFICATION FAILED %s: expected %s, observed %s",
                    e.verification().name(),
                    e.verification().checked(),
                    e.verification().observed());
        }
    }

    private static void say(String format, Object... args) {
        OUT.printf("[drill] " + format + "%n", args);
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
