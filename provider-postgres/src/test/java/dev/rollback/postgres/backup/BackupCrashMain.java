package dev.rollback.postgres.backup;

import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.testkit.TestStepContext;
import java.nio.file.Path;
import java.time.Duration;

/** A runner in a child JVM: takes one emergency backup (a crash point may halt it). */
public final class BackupCrashMain {
    private BackupCrashMain() {}

    /** Arguments: host port database user backupDir binDir; the password comes in ROLLBACK_TEST_PASSWORD. */
    public static void main(String[] args) throws Exception {
        PostgresEndpoint endpoint = PostgresEndpoint.builder()
                .host(args[0])
                .port(Integer.parseInt(args[1]))
                .database(args[2])
                .user(args[3])
                .password(Secret.fromEnvironment("ROLLBACK_TEST_PASSWORD"))
                .build();
        EmergencyBackupStep.builder()
                .endpoint(endpoint)
                .backupDir(Path.of(args[4]))
                .binDir(Path.of(args[5]))
                .build()
                .execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));
        System.out.println("DONE");
    }
}
