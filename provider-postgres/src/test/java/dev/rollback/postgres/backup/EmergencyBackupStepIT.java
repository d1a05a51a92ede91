package dev.rollback.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Redaction;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.postgres.internal.Hashing;
import dev.rollback.testkit.TestStepContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmergencyBackupStepIT {
    @TempDir
    Path tmp;

    private Path backups;
    private PostgresEndpoint db;
    private Path binDir;

    @BeforeEach
    void database() throws Exception {
        backups = Files.createDirectories(tmp.resolve("backups"));
        binDir = TestDatabases.server().binaries().binDir();
        db = TestDatabases.create("backup");
        TestDatabases.sql(
                db,
                "CREATE TABLE accounts(id int PRIMARY KEY, name text)",
                "CREATE TABLE \"Odd Name\"(id int)",
                "INSERT INTO accounts SELECT g, 'a' || g FROM generate_series(1, 1000) g");
    }

    private EmergencyBackupStep.Builder step() {
        return EmergencyBackupStep.builder().endpoint(db).backupDir(backups).binDir(binDir);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /**
     * A classic hang: a migration holds an ACCESS EXCLUSIVE lock and pg_dump waits for its ACCESS
     * SHARE lock, writing nothing, for as long as the lock is held. With a stall timeout the run
     * stops it within seconds, not at the deadline, and leaves no partial backup.
     */
    @Test
    void aPgDumpWaitingBehindALockStopsWritingAndIsStoppedAsStalledWithNothingLeft() throws Exception {
        List<RollbackEvent> events = new CopyOnWriteArrayList<>();
        RollbackPlan plan = RollbackPlan.builder(
                        "backup", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(1)))
                .step(
                        step().format(BackupFormat.CUSTOM).build(),
                        s -> s.timeout(Duration.ofMinutes(2))
                                .stallTimeout(Duration.ofSeconds(3))
                                .retry(RetrySettings.none()))
                .build();
        RollbackReport report;
        long started = System.nanoTime();
        try (Connection migration = db.connect();
                Statement s = migration.createStatement();
                RollbackExecutor executor = RollbackExecutor.builder()
                        .listener(new RollbackListener() {
                            @Override
                            public void onEvent(RollbackEvent event) {
                                events.add(event);
                            }
                        })
                        .build()) {
            migration.setAutoCommit(false);
            s.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
            report = executor.run(plan, RunRequest.drill("test"));
            migration.rollback();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        StepReport backup = report.step("emergency-backup").orElseThrow();
        assertThat(backup.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(backup.reason()).hasValueSatisfying(r -> assertThat(r).contains("stalled", "stall timeout of PT3S"));
        assertThat(events).filteredOn(StepStalled.class::isInstance).hasSize(1);
        assertThat(took)
                .as("stopped by the stall timeout, not the 2 minute timeout")
                .isLessThan(Duration.ofSeconds(60));
        assertThat(list(backups)).as("no backup, no partial file").isEmpty();
        assertThat(TestDatabases.queryLong(
                        db,
                        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump'"
                                + " AND datname = current_database()"))
                .as("pg_dump was killed")
                .isZero();
    }

    @Test
    void writesADirectoryBackupNamedWithDatabaseAndUtcTimeWithAChecksumAndEvidence() throws Exception {
        TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step().build().execute(context);

        Path backup = Path.of(context.evidence().get(EmergencyBackupStep.PATH));
        assertThat(backup.getParent()).isEqualTo(backups);
        assertThat(backup.getFileName().toString()).matches(db.database() + "-\\d{8}T\\d{6}Z");
        assertThat(backup).isDirectory();
        assertThat(backup.resolve("toc.dat")).isRegularFile();
        assertThat(list(backups))
                .containsExactlyInAnyOrder(backup, Path.of(backup + ".sha256"), Path.of(backup + ".rowcounts"));
        assertThat(Files.readString(Path.of(backup + ".sha256")))
                .startsWith(context.evidence().get(EmergencyBackupStep.SHA256) + " ")
                .isEqualTo(Hashing.digest(backup, Hashing.Scheme.CHUNKED, 1).sidecarLine())
                .endsWith(" sha256-chunks-4MiB\n");
        assertThat(context.evidence()).containsEntry(EmergencyBackupStep.FORMAT, "DIRECTORY");
        assertThat(Long.parseLong(context.evidence().get(EmergencyBackupStep.BYTES)))
                .isPositive();
    }

    @Test
    void writesCustomAndPlainFormatsToo() throws Exception {
        TestStepContext custom = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step().format(BackupFormat.CUSTOM).build().execute(custom);
        Path dump = Path.of(custom.evidence().get(EmergencyBackupStep.PATH));
        assertThat(dump.getFileName().toString()).endsWith(".dump");
        assertThat(Files.readAllBytes(dump)).startsWith("PGDMP".getBytes(StandardCharsets.US_ASCII));

        // large enough (about 15 MB of SQL) that whole chunks are hashed while pg_dump still writes
        TestDatabases.sql(
                db,
                "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v"
                        + " FROM generate_series(1, 200000) g");
        Path plainDir = Files.createDirectories(tmp.resolve("plain"));
        TestStepContext plain = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step().backupDir(plainDir).format(BackupFormat.PLAIN).build().execute(plain);
        Path sql = Path.of(plain.evidence().get(EmergencyBackupStep.PATH));
        assertThat(sql.getFileName().toString()).endsWith(".sql");
        assertThat(Files.size(sql)).isGreaterThan(3L * Hashing.CHUNK_BYTES);
        assertThat(Files.readString(sql))
                .contains("CREATE TABLE public.accounts")
                .contains("\"Odd Name\"");
        // the checksum taken partly during the dump is the one of the finished file, hashed afresh
        assertThat(Files.readString(Path.of(sql + ".sha256")))
                .isEqualTo(Hashing.digest(sql, Hashing.Scheme.CHUNKED, 1).sidecarLine());
    }

    @Test
    void passesThePasswordOnlyThroughAPrivatePassFileThatIsDeletedAfterwards() throws Exception {
        try (Connection blocker = lockAccounts()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    step().build().execute(context);
                } catch (Exception e) {
                    failure.set(e);
                }
            });
            ProcessHandle pgDump = awaitBlockedPgDump();
            String password = db.password().reveal();
            String cmdline = Files.readString(
                    Path.of("/proc", Long.toString(pgDump.pid()), "cmdline"), StandardCharsets.ISO_8859_1);
            String environ = Files.readString(
                    Path.of("/proc", Long.toString(pgDump.pid()), "environ"), StandardCharsets.ISO_8859_1);
            assertThat(cmdline).contains("--dbname=" + db.database()).doesNotContain(password);
            assertThat(environ).doesNotContain(password).doesNotContain("PGPASSWORD");
            Path passFile = Stream.of(environ.split("\0"))
                    .filter(v -> v.startsWith("PGPASSFILE="))
                    .map(v -> Path.of(v.substring("PGPASSFILE=".length())))
                    .findFirst()
                    .orElseThrow();
            assertThat(Files.getPosixFilePermissions(passFile))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            assertThat(Files.readString(passFile)).contains(password);

            blocker.rollback();
            run.get(1, TimeUnit.MINUTES);
            assertThat(failure.get()).isNull();
            assertThat(passFile).doesNotExist();
            assertThat(passFile.getParent()).doesNotExist();
            assertThat(context.evidence().values()).noneMatch(v -> v.contains(password));
        }
    }

    @Test
    void aPgDumpKilledMidDumpLeavesNoBackupUnderAFinalName() throws Exception {
        Connection blocker = lockAccounts();
        try {
            TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    step().build().execute(context);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            ProcessHandle pgDump = awaitBlockedPgDump();
            assertThat(list(backups))
                    .singleElement()
                    .satisfies(p -> assertThat(p.getFileName().toString())
                            .startsWith(".")
                            .endsWith(".partial"));
            pgDump.destroyForcibly();

            assertThatThrownBy(() -> run.get(1, TimeUnit.MINUTES))
                    .isInstanceOf(ExecutionException.class)
                    .rootCause()
                    .isInstanceOf(RollbackException.class)
                    .hasMessageContaining("pg_dump of " + db.describe() + " failed with exit status")
                    .hasMessageContaining("no backup was kept");
            assertThat(list(backups)).isEmpty();
            assertThat(context.evidence()).doesNotContainKey(EmergencyBackupStep.PATH);
        } finally {
            blocker.close();
        }
    }

    @Test
    void aDroppedConnectionFailsTheStepWithAClearErrorAndNoBackup() throws Exception {
        Connection blocker = lockAccounts();
        try {
            CompletableFuture<Void> run = CompletableFuture.runAsync(() -> {
                try {
                    step().build().execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            awaitBlockedPgDump();
            // another session kills pg_dump's backend, as a network drop or a server restart would
            try (Connection killer = TestDatabases.server().connect();
                    Statement k = killer.createStatement()) {
                k.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pg_dump'"
                        + " AND datname = '" + db.database() + "'");
            }
            assertThatThrownBy(() -> run.get(1, TimeUnit.MINUTES))
                    .rootCause()
                    .hasMessageContaining("the database connection was lost or refused")
                    .hasMessageContaining("no backup was kept");
            assertThat(list(backups)).isEmpty();
        } finally {
            blocker.close();
        }
    }

    @Test
    void anInterruptedStepKillsPgDumpAndRemovesThePartialDump() throws Exception {
        Connection blocker = lockAccounts();
        try {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread runner = new Thread(() -> {
                try {
                    step().build().execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            runner.start();
            ProcessHandle pgDump = awaitBlockedPgDump();
            runner.interrupt();
            runner.join(30_000);

            assertThat(runner.isAlive()).isFalse();
            assertThat(failure.get()).isInstanceOf(StepInterruptedException.class);
            assertThat(pgDump.isAlive()).isFalse();
            assertThat(list(backups)).isEmpty();
        } finally {
            blocker.close();
        }
    }

    @Test
    void aMissingPgDumpIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("no-bin"));
        EmergencyBackupStep step = step().binDir(empty).build();
        assertThatThrownBy(() -> step.execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("pg_dump not found or not executable at " + empty.resolve("pg_dump"));
        assertThat(list(backups)).isEmpty();
    }

    @Test
    void aPgDumpOlderThanTheServerIsRefusedBeforeItRuns() throws Exception {
        Path fakeBin = Files.createDirectories(tmp.resolve("old-bin"));
        Path marker = tmp.resolve("ran");
        Path fake = fakeBin.resolve("pg_dump");
        Files.writeString(
                fake,
                "#!/bin/sh\nif [ \"$1\" = --version ]; then echo 'pg_dump (PostgreSQL) 9.6.24'; exit 0; fi\n" + "touch "
                        + marker + "\n");
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));

        assertThatThrownBy(() -> step().binDir(fakeBin)
                        .build()
                        .execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1))))
                .hasMessageContaining("is version 9 but the server " + db.describe() + " runs ");
        assertThat(marker).doesNotExist();
        assertThat(list(backups)).isEmpty();
    }

    @Test
    void preflightThenExecuteSpawnsPgDumpVersionOnceUntilTheProgramFileChanges() throws Exception {
        Path wrapperBin = Files.createDirectories(tmp.resolve("logging-bin"));
        Path log = tmp.resolve("pg_dump.log");
        Path wrapper = wrapperBin.resolve("pg_dump");
        String script = "#!/bin/sh\necho \"$1\" >> " + log + "\nexec " + binDir.resolve("pg_dump") + " \"$@\"\n";
        Files.writeString(wrapper, script);
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwx------"));
        EmergencyBackupStep step = step().binDir(wrapperBin).build();

        TestStepContext first = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        step.preflight(first);
        step.execute(first);
        assertThat(Files.readAllLines(log)).containsExactly("--version", "--host=" + db.host());

        // another program file (an upgrade) is checked again
        Files.writeString(wrapper, "# upgraded\n" + script);
        Thread.sleep(1000);
        step.execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1)));
        assertThat(Files.readAllLines(log))
                .containsExactly("--version", "--host=" + db.host(), "--version", "--host=" + db.host());
    }

    @Test
    void aFullDiskFailsTheStepClearlyAndLeavesNoBackup() throws Exception {
        TestDatabases.sql(
                db,
                "CREATE TABLE bulk AS SELECT g AS id, md5(g::text) || md5((g * 7)::text) AS v"
                        + " FROM generate_series(1, 50000) g");
        // pg_dump runs in a private mount namespace where the backup folder is a 64 KiB tmpfs
        List<String> diskFull = List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs -o size=65536 rollback-disk-full \"$0\" && exec \"$@\"",
                backups.toString());
        EmergencyBackupStep step =
                step().format(BackupFormat.CUSTOM).commandWrapper(diskFull).build();

        assertThatThrownBy(() -> step.execute(TestStepContext.of("emergency-backup", Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("disk full in the backup folder")
                .hasMessageContaining("no backup was kept");
        assertThat(list(backups)).isEmpty();
    }

    @Test
    void aRunnerKilledBetweenTheDumpAndItsRenameLeavesOnlyAHiddenPartialNeverABackup() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-D" + "rollback.crashpoint=" + EmergencyBackupStep.CRASH_BEFORE_RENAME,
                        BackupCrashMain.class.getName(),
                        db.host(),
                        Integer.toString(db.port()),
                        db.database(),
                        db.user(),
                        backups.toString(),
                        binDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(tmp.resolve("child.log").toFile());
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        pb.environment().put("ROLLBACK_TEST_PASSWORD", db.password().reveal());
        Process child = pb.start();
        assertThat(child.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(child.exitValue())
                .as(Files.readString(tmp.resolve("child.log")))
                .isEqualTo(137);
        assertThat(list(backups))
                .singleElement()
                .satisfies(p -> assertThat(p.getFileName().toString())
                        .startsWith("." + db.database() + "-")
                        .endsWith(".partial"));

        // the next run makes a good backup next to the leftover, which keeps its hidden name
        TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        Thread.sleep(1000);
        step().build().execute(context);
        assertThat(list(backups)).hasSize(4).contains(Path.of(context.evidence().get(EmergencyBackupStep.PATH)));
    }

    @Test
    void aRefusedPasswordFailsTheStepWithoutTheCredentialInTheMessageOrEvidence() throws Exception {
        String canary = "canary-" + UUID.randomUUID();
        PostgresEndpoint wrong = db.toBuilder().password(Secret.of(canary)).build();
        TestStepContext context = TestStepContext.of("emergency-backup", Duration.ofMinutes(1));
        EmergencyBackupStep step = EmergencyBackupStep.builder()
                .endpoint(wrong)
                .backupDir(backups)
                .binDir(binDir)
                .build();
        assertThatThrownBy(() -> step.execute(context))
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM))
                .satisfies(e -> assertThat(Redaction.describe(e)).doesNotContain(canary))
                .satisfies(e -> assertThat(String.valueOf(e.getMessage()))
                        .doesNotContain(canary)
                        .contains("password authentication failed"));
        assertThat(context.evidence().values()).noneMatch(v -> v.contains(canary));
        assertThat(list(backups)).isEmpty();
    }

    private Connection lockAccounts() throws Exception {
        Connection c = db.connect();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");
        }
        return c;
    }

    private ProcessHandle awaitBlockedPgDump() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            long waiting = TestDatabases.queryLong(
                    TestDatabases.endpoint("postgres"),
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pg_dump' AND datname = '"
                            + db.database() + "' AND wait_event_type = 'Lock'");
            if (waiting > 0) {
                return ProcessHandle.current()
                        .descendants()
                        .filter(p -> p.info()
                                .command()
                                .map(c -> c.endsWith("/pg_dump"))
                                .orElse(false))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("pg_dump is not a child of this JVM"));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("pg_dump never waited on the table lock");
    }
}
