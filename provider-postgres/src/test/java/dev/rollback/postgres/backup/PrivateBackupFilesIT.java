package dev.rollback.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.TestStepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A backup and its checksum sidecar are 0600 in a 0700 directory; a lax directory is made private and said so. */
class PrivateBackupFilesIT {
    @TempDir
    Path tmp;

    @Test
    void aWorldReadableBackupDirectoryIsMadePrivateAndTheBackupAndSidecarAreOwnerOnly() throws Exception {
        Path backups = Files.createDirectory(tmp.resolve("backups"));
        Files.setPosixFilePermissions(backups, PosixFilePermissions.fromString("rwxr-xr-x"));
        PostgresEndpoint db = TestDatabases.create("modes");
        TestDatabases.sql(db, "CREATE TABLE t(id int)", "INSERT INTO t VALUES (1)");
        EmergencyBackupStep step = EmergencyBackupStep.builder()
                .endpoint(db)
                .backupDir(backups)
                .binDir(TestDatabases.server().binaries().binDir())
                .format(BackupFormat.CUSTOM)
                .build();

        TestStepContext dryRun = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step.preflight(dryRun);
        assertThat(mode(backups)).as("preflight changes nothing").isEqualTo("rwxr-xr-x");
        assertThat(dryRun.progress()).anyMatch(p -> p.contains("rwxr-xr-x") && p.contains("rwx------"));

        TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step.execute(context);

        assertThat(mode(backups)).isEqualTo("rwx------");
        assertThat(context.evidence())
                .containsEntry(EmergencyBackupStep.DIR_MADE_PRIVATE, "was rwxr-xr-x, now rwx------");
        List<Path> files;
        try (Stream<Path> s = Files.list(backups)) {
            files = s.toList();
        }
        assertThat(files)
                .hasSize(3)
                .anyMatch(f -> f.toString().endsWith(".sha256"))
                .anyMatch(f -> f.toString().endsWith(EmergencyBackupStep.ROW_COUNTS_SUFFIX));
        assertThat(files).allSatisfy(f -> assertThat(mode(f)).as(f.toString()).isEqualTo("rw-------"));
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
