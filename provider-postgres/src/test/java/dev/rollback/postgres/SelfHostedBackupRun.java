package dev.rollback.postgres;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.backup.BackupVerificationStep;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/**
 * Run inside {@link ClassPathWithoutAzure}'s loader by {@link AzureSdkIsOptionalIT}: an emergency
 * backup of a self-hosted database and its verification, through the executor, then an attempt to
 * load the Azure flexible-server control plane. Takes {@code host, port, database, user, password,
 * binDir, backupDir}; returns the run's outcome and what loading the control plane said.
 */
public final class SelfHostedBackupRun implements Function<List<String>, List<String>> {
    @Override
    public List<String> apply(List<String> args) {
        PostgresEndpoint db = PostgresEndpoint.builder()
                .host(args.get(0))
                .port(Integer.parseInt(args.get(1)))
                .database(args.get(2))
                .user(args.get(3))
                .password(Secret.of(args.get(4)))
                .build();
        Path binDir = Path.of(args.get(5));
        RollbackPlan plan = RollbackPlan.builder(
                        "backup-without-azure", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .step(EmergencyBackupStep.builder()
                        .endpoint(db)
                        .backupDir(Path.of(args.get(6)))
                        .binDir(binDir)
                        .build())
                .step(
                        BackupVerificationStep.builder()
                                .endpoint(db)
                                .binDir(binDir)
                                .build(),
                        s -> s.dependsOn("emergency-backup"))
                .build();
        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(plan, RunRequest.drill("ci"));
        }
        String azure;
        try {
            Class.forName("dev.rollback.postgres.restore.FlexibleServerControlPlane");
            azure = "loaded";
        } catch (ExceptionInInitializerError e) {
            azure = e.getCause().getClass().getName() + ": " + e.getCause().getMessage();
        } catch (ClassNotFoundException | LinkageError e) {
            azure = e.toString();
        }
        return List.of(report.outcome().name(), azure);
    }
}
