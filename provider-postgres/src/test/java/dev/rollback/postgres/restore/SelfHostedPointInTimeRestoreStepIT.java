package dev.rollback.postgres.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.testkit.TestStepContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SelfHostedPointInTimeRestoreStepIT {
    private static Path work;
    private static Path baseBackup;
    private static PostgresEndpoint db;

    @BeforeAll
    static void baseBackup() throws Exception {
        work = Files.createTempDirectory(
                "rollback-pitr-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        db = TestDatabases.create("pitr");
        TestDatabases.sql(
                db,
                "CREATE TABLE marks(id serial PRIMARY KEY, kind text NOT NULL,"
                        + " at timestamptz NOT NULL DEFAULT clock_timestamp())");
        Path backups = Files.createDirectories(work.resolve("base"));
        TestStepContext context = TestStepContext.of("base-backup", Duration.ofMinutes(2));
        BaseBackupStep.builder()
                .endpoint(db)
                .backupDir(backups)
                .binDir(binDir())
                .build()
                .execute(context);
        baseBackup = Path.of(context.evidence().get(BaseBackupStep.PATH));
    }

    @AfterAll
    static void cleanUp() {
        if (work != null) {
            PgTool.deleteRecursively(work);
        }
    }

    private static Path binDir() {
        return TestDatabases.server().binaries().binDir();
    }

    private static SelfHostedPointInTimeRestoreStep.Builder step(Instant target, Path dataDir) throws IOException {
        SelfHostedPointInTimeRestoreStep.Builder b = SelfHostedPointInTimeRestoreStep.builder()
                .baseBackup(baseBackup)
                .walArchive(TestDatabases.server().archiveDir())
                .dataDir(dataDir)
                .port(TestDatabases.freePort())
                .targetTime(target)
                .login(db)
                .binDir(binDir());
        if (TestDatabases.runningAsRoot()) {
            b.runAs(OsUser.nobody());
        }
        return b;
    }

    @Test
    void recoversANewClusterThatHoldsTheRowsOfTheTargetTimeAndNoneWrittenAfter() throws Exception {
        TestDatabases.sql(
                db,
                "INSERT INTO marks(kind) SELECT 'good' FROM generate_series(1, 100)",
                "INSERT INTO marks(kind) VALUES ('marker-at-target')");
        Thread.sleep(50);
        Instant target = Instant.now();
        Thread.sleep(50);
        TestDatabases.sql(
                db,
                "INSERT INTO marks(kind) VALUES ('marker-after-target')",
                "INSERT INTO marks(kind) SELECT 'bad' FROM generate_series(1, 10)");
        TestDatabases.archiveCurrentWal();

        Path dataDir = work.resolve("restored-1");
        SelfHostedPointInTimeRestoreStep step = step(target, dataDir).build();
        TestStepContext context = TestStepContext.of("point-in-time-restore", Duration.ofMinutes(2));
        try {
            step.execute(context);
            RestoredCluster cluster = step.lastRestored().orElseThrow();
            PostgresEndpoint restored = cluster.endpoint(db, db.database());

            assertThat(cluster.port()).isNotEqualTo(db.port());
            // what a stall timeout watches: WAL replayed while in recovery, then the promotion
            assertThat(context.progress()).last().asString().contains("was promoted");
            assertThat(context.progress())
                    .allSatisfy(p -> assertThat(p).containsAnyOf("replayed WAL up to", "was promoted"));
            assertThat(context.evidence())
                    .containsEntry(SelfHostedPointInTimeRestoreStep.JDBC_URL, restored.jdbcUrl())
                    .containsEntry(SelfHostedPointInTimeRestoreStep.TARGET_TIME, target.toString());
            assertThat(count(restored, "kind = 'good'")).isEqualTo(100);
            assertThat(count(restored, "kind = 'marker-at-target'")).isEqualTo(1);
            assertThat(count(restored, "kind = 'marker-after-target'")).isZero();
            assertThat(count(restored, "kind = 'bad'")).isZero();
            assertThat(TestDatabases.queryLong(restored, "SELECT pg_is_in_recovery()::int"))
                    .isZero();
            // the source is untouched
            assertThat(count(db, "kind = 'bad'")).isEqualTo(10);
        } finally {
            step.lastRestored().ifPresent(RestoredCluster::stop);
        }
        assertThat(dataDir.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void refusesATargetInTheFutureBeforeAnyEffectAndNamesTheWindow() throws Exception {
        Path dataDir = work.resolve("never-future");
        SelfHostedPointInTimeRestoreStep step =
                step(Instant.now().plusSeconds(3600), dataDir).build();
        assertThatThrownBy(() -> step.execute(TestStepContext.of("point-in-time-restore", Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("is outside the restore window")
                .hasMessageContaining("after the newest archived WAL, or in the future");
        assertThat(dataDir).doesNotExist();
        assertThat(step.lastRestored()).isEmpty();
    }

    @Test
    void refusesATargetBeforeTheBaseBackupBeforeAnyEffect() throws Exception {
        Path dataDir = work.resolve("never-past");
        SelfHostedPointInTimeRestoreStep step =
                step(Instant.parse("2020-01-01T00:00:00Z"), dataDir).build();
        assertThatThrownBy(() -> step.execute(TestStepContext.of("point-in-time-restore", Duration.ofMinutes(1))))
                .hasMessageContaining("recovery target 2020-01-01T00:00:00Z is outside the restore window")
                .hasMessageContaining("before the base backup finished");
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void acceptsBothEdgesOfTheWindowAndRefusesAMicrosecondOutside() throws Exception {
        Path dataDir = work.resolve("edges");
        RestoreWindow window = step(Instant.now(), dataDir).build().window(Instant.now());
        TestStepContext context = TestStepContext.of("point-in-time-restore", Duration.ofMinutes(1));
        step(window.earliest(), dataDir).build().preflight(context);
        step(window.latest(), dataDir).build().preflight(context);
        assertThatThrownBy(() -> step(window.earliest().minusNanos(1000), dataDir)
                        .build()
                        .preflight(context))
                .hasMessageContaining("outside the restore window " + window.earliest());
        assertThatThrownBy(() ->
                        step(window.latest().plusNanos(1000), dataDir).build().preflight(context))
                .hasMessageContaining("outside the restore window");
        assertThat(dataDir).doesNotExist();
    }

    @Test
    void refusesToOverwriteAnExistingDataFolder() throws Exception {
        Path existing = Files.createDirectories(work.resolve("existing"));
        assertThatThrownBy(() -> step(Instant.now(), existing)
                        .build()
                        .preflight(TestStepContext.of("point-in-time-restore", Duration.ofMinutes(1))))
                .hasMessageContaining("already exists; a restore never overwrites a folder");
    }

    private static long count(PostgresEndpoint endpoint, String where) throws Exception {
        return TestDatabases.queryLong(endpoint, "SELECT count(*) FROM marks WHERE " + where);
    }
}
