package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.incident.IncidentTimeline;
import dev.rollback.postgres.backup.BackupFormat;
import dev.rollback.postgres.backup.BackupVerificationStep;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.restore.BaseBackupStep;
import dev.rollback.postgres.restore.OsUser;
import dev.rollback.postgres.restore.SelfHostedPointInTimeRestoreStep;
import dev.rollback.postgres.verify.CriticalDataVerifier;
import dev.rollback.postgres.verify.ReferentialIntegrityVerifier;
import dev.rollback.postgres.verify.RestoreSanityVerifier;
import dev.rollback.testkit.TestStepContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The runbook's database rollback, end to end through the real executor against a real server. */
class DatabaseRollbackDrillIT {

    @Test
    void backupVerifyRestoreValidateAndSwitchLeavesTheApplicationOnGoodDataAndReportsTheRecordsLost() throws Exception {
        Path work = Files.createTempDirectory(
                "rollback-drill-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        SelfHostedPointInTimeRestoreStep restore = null;
        try {
            PostgresEndpoint production = TestDatabases.create("drill");
            TestDatabases.sql(
                    production,
                    "CREATE TABLE \"Organization\"(id serial PRIMARY KEY, name text)",
                    "CREATE TABLE \"User\"(id serial PRIMARY KEY, org int REFERENCES \"Organization\"(id),"
                            + " created_at timestamptz NOT NULL DEFAULT clock_timestamp())",
                    "INSERT INTO \"Organization\"(name) SELECT 'org' || g FROM generate_series(1, 10) g");
            Path backups = Files.createDirectories(work.resolve("backups"));
            Path binDir = TestDatabases.server().binaries().binDir();
            TestStepContext nightly = TestStepContext.of("base-backup", Duration.ofMinutes(2));
            BaseBackupStep.builder()
                    .endpoint(production)
                    .backupDir(backups)
                    .binDir(binDir)
                    .build()
                    .execute(nightly);

            TestDatabases.sql(production, "INSERT INTO \"User\"(org) SELECT g % 10 + 1 FROM generate_series(1, 200) g");
            Thread.sleep(50);
            Instant target = Instant.now();
            Thread.sleep(50);
            TestDatabases.sql(production, "INSERT INTO \"User\"(org) SELECT 1 FROM generate_series(1, 5) g");
            Thread.sleep(50);
            Instant lastGoodWrite = Instant.now();
            Thread.sleep(50);
            TestDatabases.sql(production, "INSERT INTO \"User\"(org) SELECT 2 FROM generate_series(1, 40) g");
            TestDatabases.archiveCurrentWal();

            int port = TestDatabases.freePort();
            PostgresEndpoint restored = production.toBuilder().port(port).build();
            SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), "production");
            SelfHostedPointInTimeRestoreStep.Builder restoreBuilder = SelfHostedPointInTimeRestoreStep.builder()
                    .baseBackup(Path.of(nightly.evidence().get(BaseBackupStep.PATH)))
                    .walArchive(TestDatabases.server().archiveDir())
                    .dataDir(work.resolve("restored"))
                    .port(port)
                    .targetTime(target)
                    .login(production)
                    .binDir(binDir);
            if (TestDatabases.runningAsRoot()) {
                restoreBuilder.runAs(OsUser.nobody());
            }
            restore = restoreBuilder.build();

            RollbackPlan plan = RollbackPlan.builder(
                            "database-rollback", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                    .step(EmergencyBackupStep.builder()
                            .endpoint(production)
                            .backupDir(backups)
                            .binDir(binDir)
                            .build())
                    .step(
                            BackupVerificationStep.builder()
                                    .endpoint(production)
                                    .binDir(binDir)
                                    .restoreTest(true)
                                    .build(),
                            s -> s.dependsOn("emergency-backup"))
                    .step(
                            restore,
                            s -> s.dependsOn("verify-backup")
                                    .verifier(RestoreSanityVerifier.builder()
                                            .restored(restored.dataSource())
                                            .source(production.dataSource())
                                            .lastGoodWrite(lastGoodWrite)
                                            .addTimestampColumn("public", "User", "created_at")
                                            .build())
                                    .verifier(ReferentialIntegrityVerifier.of(restored.dataSource()))
                                    .verifier(CriticalDataVerifier.builder()
                                            .dataSource(restored.dataSource())
                                            .addCheck("users", "SELECT count(*) FROM \"User\"", 200)
                                            .addCheck("organizations", "SELECT count(*) FROM \"Organization\"", 10)
                                            .build()))
                    .step(
                            ConnectionSwitchStep.builder()
                                    .switchable(app)
                                    .target(restored)
                                    .build(),
                            s -> s.dependsOn("point-in-time-restore"))
                    .build();

            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
                report = executor.run(plan, RunRequest.drill("drill-test"));
            }

            assertThat(report.outcome()).as(report.toString()).isEqualTo(RunOutcome.SUCCEEDED);
            StepReport pitr = report.step("point-in-time-restore").orElseThrow();
            assertThat(pitr.verifications()).allMatch(v -> v.passed());
            assertThat(pitr.evidence()).containsEntry(EvidenceKey.RECORDS_LOST.name(), "5");
            assertThat(pitr.evidence(EvidenceKey.DATA_LOSS_WINDOW).orElseThrow())
                    .isEqualTo(Duration.between(target, lastGoodWrite));
            assertThat(IncidentTimeline.recordsLost(report.steps())).hasValue(5);
            try (Connection c = app.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*), inet_server_port() FROM \"User\"")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(200);
                assertThat(rs.getInt(2)).isEqualTo(port);
            }
        } finally {
            if (restore != null) {
                restore.lastRestored().ifPresent(c -> c.stop());
            }
            PgTool.deleteRecursively(work);
        }
    }

    @Test
    void whenTheEmergencyBackupFailsOnAFullDiskTheDestructiveSwitchNeverRuns() throws Exception {
        Path work = Files.createTempDirectory("rollback-drill-");
        try {
            PostgresEndpoint production = TestDatabases.create("drillfail");
            PostgresEndpoint other = TestDatabases.create("drillother");
            TestDatabases.sql(
                    production,
                    "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 3)::text) AS v"
                            + " FROM generate_series(1, 50000) g");
            Path backups = Files.createDirectories(work.resolve("backups"));
            Path binDir = TestDatabases.server().binaries().binDir();
            SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), "production");
            RollbackPlan plan = RollbackPlan.builder(
                            "database-rollback", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                    .step(EmergencyBackupStep.builder()
                            .endpoint(production)
                            .backupDir(backups)
                            .binDir(binDir)
                            .format(BackupFormat.CUSTOM)
                            .commandWrapper(List.of(
                                    "unshare",
                                    "--mount",
                                    "--propagation",
                                    "private",
                                    "sh",
                                    "-c",
                                    "mount -t tmpfs -o size=65536 rollback-disk-full \"$0\" && exec \"$@\"",
                                    backups.toString()))
                            .build())
                    .step(
                            ConnectionSwitchStep.builder()
                                    .switchable(app)
                                    .target(other)
                                    .build(),
                            s -> s.dependsOn("emergency-backup"))
                    .build();

            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
                report = executor.run(plan, RunRequest.drill("drill-test"));
            }

            assertThat(report.outcome()).isNotEqualTo(RunOutcome.SUCCEEDED);
            assertThat(report.step("emergency-backup").orElseThrow().outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(report.step("emergency-backup").orElseThrow().reason())
                    .hasValueSatisfying(r -> assertThat(r).contains("disk full in the backup folder"));
            assertThat(report.step("connection-switch").orElseThrow().outcome()).isNotEqualTo(StepOutcome.SUCCEEDED);
            assertThat(app.currentLabel()).isEqualTo("production");
            try (Stream<Path> files = Files.list(backups)) {
                assertThat(files).isEmpty();
            }
        } finally {
            PgTool.deleteRecursively(work);
        }
    }
}
