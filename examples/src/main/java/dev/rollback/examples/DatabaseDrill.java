package dev.rollback.examples;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
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
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
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
        SelfHostedPointInTimeRestoreStep restore = null;
        try (PostgresServer server = PostgresServer.builder().build()) {
            say("starting a local PostgreSQL from %s", server.binaries().binDir());
            server.start();
            PostgresEndpoint production = createDatabase(server, "cpa_platform");
            sql(
                    production,
                    "CREATE TABLE \"Organization\"(id serial PRIMARY KEY, name text NOT NULL)",
                    "CREATE TABLE \"User\"(id serial PRIMARY KEY, org int NOT NULL REFERENCES \"Organization\"(id),"
                            + " email text NOT NULL, \"createdAt\" timestamptz NOT NULL DEFAULT clock_timestamp())",
                    "CREATE TABLE \"Client\"(id serial PRIMARY KEY, org int NOT NULL REFERENCES \"Organization\"(id),"
                            + " name text NOT NULL, \"createdAt\" timestamptz NOT NULL DEFAULT clock_timestamp())",
                    "INSERT INTO \"Organization\"(name) SELECT 'firm ' || g FROM generate_series(1, 20) g",
                    "INSERT INTO \"User\"(org, email) SELECT g % 20 + 1, 'user' || g || '@firm.example'"
                            + " FROM generate_series(1, 400) g");
            Path binDir = server.binaries().binDir();
            Path backups = Files.createDirectories(work.resolve("backups"));

            say("nightly base backup (pg_basebackup)");
            RollbackPlan nightly = RollbackPlan.builder(
                            "nightly-base-backup", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                    .step(BaseBackupStep.builder()
                            .endpoint(production)
                            .backupDir(backups)
                            .binDir(binDir)
                            .build())
                    .build();
            RollbackReport nightlyReport;
            try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
                nightlyReport = executor.run(nightly, RunRequest.drill("scheduler"));
            }
            Path baseBackup = Path.of(nightlyReport.steps().get(0).evidence().get(BaseBackupStep.PATH));

            sql(
                    production,
                    "INSERT INTO \"Client\"(org, name) SELECT g % 20 + 1, 'client ' || g FROM generate_series(1, 300) g");
            pause();
            Instant lastGoodMoment = Instant.now();
            pause();
            sql(
                    production,
                    "INSERT INTO \"Client\"(org, name) SELECT 1, 'late client ' || g FROM generate_series(1, 3) g");
            pause();
            Instant lastGoodWrite = Instant.now();
            pause();
            say("a bad migration corrupts the clients at %s", Instant.now());
            sql(
                    production,
                    "UPDATE \"Client\" SET name = '' WHERE id % 3 = 0",
                    "INSERT INTO \"Client\"(org, name) SELECT 1, '??' FROM generate_series(1, 50) g");
            archiveCurrentWal(server);

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

            int restoredPort = freePort();
            PostgresEndpoint restored = PostgresEndpoint.builder()
                    .host(production.host())
                    .port(restoredPort)
                    .database(production.database())
                    .user(production.user())
                    .password(production.password())
                    .build();
            SwitchableDataSource application = SwitchableDataSource.of(production.dataSource(), "production");
            SelfHostedPointInTimeRestoreStep.Builder restoreBuilder = SelfHostedPointInTimeRestoreStep.builder()
                    .baseBackup(baseBackup)
                    .walArchive(server.archiveDir())
                    .dataDir(work.resolve("restored"))
                    .port(restoredPort)
                    .targetTime(lastGoodMoment)
                    .login(production)
                    .binDir(binDir);
            if ("root".equals(System.getProperty("user.name"))) {
                restoreBuilder.runAs(OsUser.nobody()); // PostgreSQL refuses to run as root
            }
            restore = restoreBuilder.build();

            RollbackPlan plan = RollbackPlan.builder(
                            "point-in-time-recovery",
                            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                    .component("postgres", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
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
                                    .verifier(ReferentialIntegrityVerifier.of(restored.dataSource()))
                                    .verifier(CriticalDataVerifier.builder()
                                            .dataSource(restored.dataSource())
                                            .addCheck("users", "SELECT count(*) FROM \"User\"", 400)
                                            .addCheck("organizations", "SELECT count(*) FROM \"Organization\"", 20)
                                            .addCheck(
                                                    "clients", "SELECT count(*) FROM \"Client\" WHERE name <> ''", 300)
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
                            s -> s.dependsOn("point-in-time-restore"))
                    .build();

            RollbackReport report;
            try (RollbackExecutor executor =
                    RollbackExecutor.builder().listener(new ConsoleListener()).build()) {
                report = executor.run(plan, RunRequest.automatic(decision));
            }
            try (Connection c = application.getConnection();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE name = '' OR name = '??'), count(*),"
                            + " inet_server_port() FROM \"Client\"")) {
                rs.next();
                say(
                        "the application now reads port %d: %d clients, %d corrupt",
                        rs.getInt(3), rs.getLong(2), rs.getLong(1));
            }
            return report;
        } finally {
            if (restore != null) {
                restore.lastRestored().ifPresent(cluster -> cluster.stop());
            }
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

    private static PostgresEndpoint createDatabase(PostgresServer server, String name) throws SQLException {
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

    private static void sql(PostgresEndpoint endpoint, String... statements) throws SQLException {
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** Switches WAL segments and waits until the server archived the one holding the corruption. */
    private static void archiveCurrentWal(PostgresServer server) throws SQLException, InterruptedException {
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
