package dev.rollback.examples.drill;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.ConnectionSwitchStep;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.SwitchableDataSource;
import dev.rollback.postgres.backup.BackupVerificationStep;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.postgres.restore.BaseBackupStep;
import dev.rollback.postgres.restore.OsUser;
import dev.rollback.postgres.restore.SelfHostedPointInTimeRestoreStep;
import dev.rollback.postgres.verify.CriticalDataVerifier;
import dev.rollback.postgres.verify.ReferentialIntegrityVerifier;
import dev.rollback.postgres.verify.RestoreSanityVerifier;
import dev.rollback.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * The AdvisorOS database as the drills see it: a local PostgreSQL (the testkit's launcher) with the
 * platform's tables, its nightly base backup and WAL archive, good rows, then a bad migration that
 * corrupts the clients. Adds the runbook's point-in-time recovery to a plan: emergency backup, its
 * verification with a restore test, a self-hosted restore to the last moment before the
 * corruption, validation (referential integrity, critical data, nothing newer than the target) and
 * the switch of the application's connections.
 *
 * <p>Not thread-safe; one drill at a time. {@link #close()} stops every server it started.
 */
public final class DatabaseEstate implements AutoCloseable {
    /** The component of the database steps; the runbook's database objectives. */
    public static final String COMPONENT = "postgres";

    /** The runbook's database rollback objectives (RTO 15 min, RPO 1 min). */
    public static final RecoveryObjectives OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1));

    /** The step the application's connections are switched by; later steps that read the restored data follow it. */
    public static final String SWITCH_STEP = "connection-switch";

    private final Consumer<String> say;
    private final Path work;
    private final PostgresServer server;
    private PostgresEndpoint production;
    private Path baseBackup;
    private Instant lastGoodMoment;
    private Instant lastGoodWrite;
    private SwitchableDataSource application;
    private SelfHostedPointInTimeRestoreStep restore;

    private DatabaseEstate(Path work, Consumer<String> say) {
        this.work = work;
        this.say = say;
        this.server = PostgresServer.builder().build();
    }

    /**
     * Starts PostgreSQL, loads the platform's tables and takes the nightly base backup.
     *
     * @param work a folder for backups and the restored cluster, searchable by others (the restored
     *     server runs as {@code nobody} when the drill runs as root)
     * @param say where the estate says what it does, one line at a time
     */
    public static DatabaseEstate start(Path work, Consumer<String> say) throws Exception {
        DatabaseEstate estate = new DatabaseEstate(work, say);
        try {
            estate.load();
        } catch (Exception | Error e) {
            estate.close();
            throw e;
        }
        return estate;
    }

    private void load() throws Exception {
        say("starting a local PostgreSQL from %s", server.binaries().binDir());
        server.start();
        production = createDatabase("cpa_platform");
        sql(
                "CREATE TABLE \"Organization\"(id serial PRIMARY KEY, name text NOT NULL)",
                "CREATE TABLE \"User\"(id serial PRIMARY KEY, org int NOT NULL REFERENCES \"Organization\"(id),"
                        + " email text NOT NULL, \"createdAt\" timestamptz NOT NULL DEFAULT clock_timestamp())",
                "CREATE TABLE \"Client\"(id serial PRIMARY KEY, org int NOT NULL REFERENCES \"Organization\"(id),"
                        + " name text NOT NULL, \"createdAt\" timestamptz NOT NULL DEFAULT clock_timestamp())",
                "INSERT INTO \"Organization\"(name) SELECT 'firm ' || g FROM generate_series(1, 20) g",
                "INSERT INTO \"User\"(org, email) SELECT g % 20 + 1, 'user' || g || '@firm.example'"
                        + " FROM generate_series(1, 400) g");
        application = SwitchableDataSource.of(production.dataSource(), "production");

        say("nightly base backup (pg_basebackup)");
        RollbackPlan nightly = RollbackPlan.builder(
                        "nightly-base-backup", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(BaseBackupStep.builder()
                        .endpoint(production)
                        .backupDir(backups())
                        .binDir(server.binaries().binDir())
                        .build())
                .build();
        RollbackReport nightlyReport;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            nightlyReport = executor.run(nightly, RunRequest.drill("scheduler"));
        }
        baseBackup = Path.of(nightlyReport.steps().get(0).evidence().get(BaseBackupStep.PATH));

        sql("INSERT INTO \"Client\"(org, name) SELECT g % 20 + 1, 'client ' || g FROM generate_series(1, 300) g");
        pause();
        lastGoodMoment = Instant.now();
        pause();
        sql("INSERT INTO \"Client\"(org, name) SELECT 1, 'late client ' || g FROM generate_series(1, 3) g");
        pause();
        lastGoodWrite = Instant.now();
        pause();
    }

    /** A bad migration corrupts the clients; its WAL is archived before this returns. */
    public void corrupt() throws SQLException, InterruptedException {
        say("a bad migration corrupts the clients at %s", Instant.now());
        sql(
                "UPDATE \"Client\" SET name = '' WHERE id % 3 = 0",
                "INSERT INTO \"Client\"(org, name) SELECT 1, '??' FROM generate_series(1, 50) g");
        archiveCurrentWal();
    }

    /** A new, empty database on the same server, for another part of the application. */
    public DataSource newDatabase(String name) throws SQLException {
        return createDatabase(name).dataSource();
    }

    /** The application's connections: production until the switch, the restored server after it. */
    public DataSource application() {
        return application;
    }

    /**
     * Adds the point-in-time recovery to {@code plan}, restoring to the last write before the
     * corruption (nothing is lost), under component {@value #COMPONENT} with {@link #OBJECTIVES};
     * it ends with step {@value #SWITCH_STEP}.
     */
    public RollbackPlan.Builder addPointInTimeRecovery(RollbackPlan.Builder plan) throws IOException {
        return addPointInTimeRecovery(plan, lastGoodWrite, 303);
    }

    /**
     * As {@link #addPointInTimeRecovery(RollbackPlan.Builder)}, but restoring to a moment before the
     * last three clients were written: the report counts them as records lost, within the RPO.
     */
    public RollbackPlan.Builder addPointInTimeRecoveryLosingLateWrites(RollbackPlan.Builder plan) throws IOException {
        return addPointInTimeRecovery(plan, lastGoodMoment, 300);
    }

    private RollbackPlan.Builder addPointInTimeRecovery(RollbackPlan.Builder plan, Instant target, int clients)
            throws IOException {
        Path binDir = server.binaries().binDir();
        int restoredPort = freePort();
        PostgresEndpoint restored = PostgresEndpoint.builder()
                .host(production.host())
                .port(restoredPort)
                .database(production.database())
                .user(production.user())
                .password(production.password())
                .build();
        SelfHostedPointInTimeRestoreStep.Builder restoreBuilder = SelfHostedPointInTimeRestoreStep.builder()
                .baseBackup(baseBackup)
                .walArchive(server.archiveDir())
                .dataDir(work.resolve("restored"))
                .port(restoredPort)
                .targetTime(target)
                .login(production)
                .binDir(binDir);
        if ("root".equals(System.getProperty("user.name"))) {
            restoreBuilder.runAs(OsUser.nobody()); // PostgreSQL refuses to run as root
        }
        restore = restoreBuilder.build();
        return plan.component(COMPONENT, OBJECTIVES)
                .step(EmergencyBackupStep.builder()
                        .endpoint(production)
                        .backupDir(backups())
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
                                .verifier(ReferentialIntegrityVerifier.of(restored.dataSource()))
                                .verifier(CriticalDataVerifier.builder()
                                        .dataSource(restored.dataSource())
                                        .addCheck("users", "SELECT count(*) FROM \"User\"", 400)
                                        .addCheck("organizations", "SELECT count(*) FROM \"Organization\"", 20)
                                        .addCheck(
                                                "clients", "SELECT count(*) FROM \"Client\" WHERE name <> ''", clients)
                                        .build())
                                .verifier(RestoreSanityVerifier.builder()
                                        .restored(restored.dataSource())
                                        .source(production.dataSource())
                                        .lastGoodWrite(lastGoodWrite)
                                        .addTimestampColumn("public", "Client", "createdAt")
                                        .build()))
                .step(
                        ConnectionSwitchStep.builder()
                                .switchable(application)
                                .target(restored)
                                .build(),
                        s -> s.dependsOn("point-in-time-restore"));
    }

    /** What the application reads now: the server's port, the clients and the corrupt ones among them. */
    public String whatTheApplicationReads() throws SQLException {
        try (Connection c = application.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE name = '' OR name = '??'), count(*),"
                        + " inet_server_port() FROM \"Client\"")) {
            rs.next();
            return String.format(
                    "the application reads port %d: %d clients, %d corrupt",
                    rs.getInt(3), rs.getLong(2), rs.getLong(1));
        }
    }

    /** The number of corrupt clients the application reads now. */
    public long corruptClientsTheApplicationReads() throws SQLException {
        try (Connection c = application.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM \"Client\" WHERE name = '' OR name = '??'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        if (restore != null) {
            restore.lastRestored().ifPresent(cluster -> cluster.stop());
        }
        server.close();
    }

    private Path backups() throws IOException {
        return Files.createDirectories(work.resolve("backups"));
    }

    private void say(String format, Object... args) {
        say.accept(String.format(format, args));
    }

    private PostgresEndpoint createDatabase(String name) throws SQLException {
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database(name)
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = production.connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** Switches WAL segments and waits until the server archived the one holding the last change. */
    private void archiveCurrentWal() throws SQLException, InterruptedException {
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            String segment;
            try (ResultSet rs = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                segment = rs.getString(1);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = s.executeQuery("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")) {
                    rs.next();
                    if (rs.getString(1).compareTo(segment) >= 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("WAL segment " + segment + " was not archived within 30 s");
        }
    }

    /** Timestamps in PostgreSQL have microseconds; a short pause keeps the moments apart. */
    private static void pause() throws InterruptedException {
        Thread.sleep(50);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
