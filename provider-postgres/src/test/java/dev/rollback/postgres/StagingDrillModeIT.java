package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.drill.DrillKind;
import dev.rollback.core.drill.DrillMode;
import dev.rollback.core.drill.DrillPlans;
import dev.rollback.core.drill.DrillRefusedException;
import dev.rollback.core.drill.StagingTargets;
import dev.rollback.postgres.backup.BackupVerificationStep;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.postgres.internal.PgTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database recovery drill in drill mode against a real PostgreSQL: the application composes one plan
 * for production and the same plan for staging; drill mode runs the staging one and refuses the one that
 * points at production before pg_dump ever starts.
 */
class StagingDrillModeIT {
    private Path work;
    private Path backups;

    @BeforeEach
    void folders() throws Exception {
        work = Files.createTempDirectory(
                "rollback-staging-drill-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        backups = Files.createDirectories(work.resolve("backups"));
    }

    @AfterEach
    void clean() throws Exception {
        PgTool.deleteRecursively(work);
    }

    /** How the application composes its database recovery plan, for production or for staging. */
    private RollbackPlan databaseRecovery(
            String name, PostgresEndpoint database, PostgresEndpoint recovered, SwitchableDataSource app) {
        Path binDir = TestDatabases.server().binaries().binDir();
        return RollbackPlan.builder(name, PostgresRollback.DATABASE_ROLLBACK)
                .step(EmergencyBackupStep.builder()
                        .endpoint(database)
                        .backupDir(backups)
                        .binDir(binDir)
                        .build())
                .step(
                        BackupVerificationStep.builder()
                                .endpoint(database)
                                .binDir(binDir)
                                .restoreTest(true)
                                .build(),
                        s -> s.dependsOn("emergency-backup"))
                .step(
                        ConnectionSwitchStep.builder()
                                .switchable(app)
                                .target(recovered)
                                .build(),
                        s -> s.dependsOn("verify-backup"))
                .build();
    }

    @Test
    void theDatabaseRecoveryDrillRunsAgainstStagingAndItsReportNamesTheStagingTargets() throws Exception {
        PostgresEndpoint production = TestDatabases.endpoint("advisoros");
        PostgresEndpoint productionRecovered = TestDatabases.endpoint("advisoros_recovered");
        PostgresEndpoint staging = TestDatabases.create("advisoros_staging");
        PostgresEndpoint stagingRecovered = TestDatabases.create("advisoros_staging_recovered");
        TestDatabases.sql(staging, "CREATE TABLE client(id int PRIMARY KEY)", "INSERT INTO client VALUES (1), (2)");
        TestDatabases.sql(stagingRecovered, "CREATE TABLE client(id int PRIMARY KEY)", "INSERT INTO client VALUES (1)");
        SwitchableDataSource stagingApp = SwitchableDataSource.of(staging.dataSource(), staging.describe());
        RollbackPlan productionPlan = databaseRecovery(
                "database-recovery",
                production,
                productionRecovered,
                SwitchableDataSource.of(production.dataSource(), production.describe()));
        DrillPlans drills = DrillPlans.builder()
                .plan(
                        DrillKind.DATABASE_RECOVERY,
                        databaseRecovery("database-recovery-drill", staging, stagingRecovered, stagingApp))
                .build();
        StagingTargets policy =
                StagingTargets.custom().addProductionTargetsOf(productionPlan).build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = DrillMode.of(executor, policy).run(drills, DrillKind.DATABASE_RECOVERY, "drill-scheduler");
        }

        assertThat(report.outcome()).as(report.toString()).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.initiator().kind()).isEqualTo(Initiator.Kind.DRILL);
        assertThat(report.notes())
                .contains("Drill mode: Database recovery drill against staging targets only: emergency-backup -> "
                        + staging.describe() + ", verify-backup -> " + staging.describe() + ", connection-switch -> "
                        + stagingRecovered.describe());
        try (Stream<Path> files = Files.list(backups)) {
            assertThat(files.filter(f -> f.getFileName().toString().contains("advisoros_staging")))
                    .isNotEmpty();
        }
        try (Connection c = stagingApp.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database(), count(*) FROM client")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(stagingRecovered.database());
            assertThat(rs.getLong(2)).isEqualTo(1);
        }
    }

    @Test
    void aDrillPlanPointedAtAProductionDatabaseIsRefusedBeforePgDumpRuns() throws Exception {
        PostgresEndpoint production = TestDatabases.create("advisoros_prod");
        PostgresEndpoint stagingRecovered = TestDatabases.create("advisoros_staging_recovered");
        TestDatabases.sql(production, "CREATE TABLE client(id int PRIMARY KEY)", "INSERT INTO client VALUES (1)");
        SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), production.describe());
        RollbackPlan mistaken = databaseRecovery("database-recovery-drill", production, stagingRecovered, app);

        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            DrillMode drillMode = DrillMode.of(executor, StagingTargets.ofDefaults());
            assertThatThrownBy(() -> drillMode.run(DrillKind.DATABASE_RECOVERY, mistaken, "drill-scheduler"))
                    .isInstanceOfSatisfying(
                            DrillRefusedException.class,
                            e -> assertThat(e.refusedSteps()).containsExactly("emergency-backup", "verify-backup"))
                    .hasMessageContaining("step 'emergency-backup' acts on '" + production.describe()
                            + "', which holds the" + " production token 'prod'");
        }

        try (Stream<Path> files = Files.list(backups)) {
            assertThat(files).as("no backup was taken").isEmpty();
        }
        assertThat(app.currentLabel()).isEqualTo(production.describe());
    }
}
