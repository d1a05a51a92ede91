package dev.rollback.postgres.restore;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.PgBinaries;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The runbook's point-in-time recovery for a self-hosted PostgreSQL: from a base backup (taken by
 * {@link BaseBackupStep}) and the archived WAL, it recovers a NEW cluster in a new data folder on a
 * new port to a target instant ({@code recovery_target_time}, {@code recovery_target_action =
 * promote}, {@code restore_command} copying from the archive), waits until it is promoted and
 * answers, and hands over its endpoint as evidence. The source cluster, the base backup and the
 * archive are only read.
 *
 * <p>The restore window is [the base backup's finish, the newest archived WAL file's time], capped
 * at now: a target outside it (in the future, before the base backup) is refused in
 * {@link #preflight(StepContext)}, before any effect, with the window in the message. Recovery
 * stops before the first transaction that committed after the target, so the WAL archive must hold
 * at least one commit after it (PostgreSQL refuses to promote otherwise, and the step fails with
 * the server's log).
 *
 * <p>When the JVM runs as root, set {@link Builder#runAs(OsUser)}: the data folder is given to that
 * user and {@code pg_ctl} runs as it (its parent folders must be searchable by it). Not idempotent
 * (it refuses an existing data folder, so it never overwrites one); not destructive. Thread-safe;
 * {@link #lastRestored()} remembers the cluster it last started.
 *
 * <p>Evidence: {@value #HOST}, {@value #PORT}, {@value #DATA_DIR}, {@value #JDBC_URL},
 * {@value #TARGET_TIME}, {@value #WINDOW}.
 */
public final class SelfHostedPointInTimeRestoreStep implements RollbackStep {
    /** Evidence key: the restored cluster's host. */
    public static final String HOST = "restore.host";
    /** Evidence key: the restored cluster's port. */
    public static final String PORT = "restore.port";
    /** Evidence key: the restored cluster's data folder. */
    public static final String DATA_DIR = "restore.dataDir";
    /** Evidence key: the JDBC URL of the restored database (no credentials). */
    public static final String JDBC_URL = "restore.jdbcUrl";
    /** Evidence key: the recovery target (ISO-8601 instant). */
    public static final String TARGET_TIME = "restore.targetTime";
    /** Evidence key: the restore window that was checked ("earliest/latest"). */
    public static final String WINDOW = "restore.window";

    private static final DateTimeFormatter PG_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx").withZone(ZoneOffset.UTC);

    private final String id;
    private final String component;
    private final Path baseBackup;
    private final Path walArchive;
    private final Path dataDir;
    private final String listenAddress;
    private final int port;
    private final Instant targetTime;
    private final PostgresEndpoint login;
    private final Path binDir;
    private final Optional<OsUser> runAs;
    private final AtomicReference<RestoredCluster> last = new AtomicReference<>();

    private SelfHostedPointInTimeRestoreStep(Builder b, Path binDir) {
        this.id = b.id;
        this.component = b.component;
        this.baseBackup = b.baseBackup;
        this.walArchive = b.walArchive;
        this.dataDir = b.dataDir;
        this.listenAddress = b.listenAddress;
        this.port = b.port;
        this.targetTime = b.targetTime;
        this.login = b.login;
        this.binDir = binDir;
        this.runAs = b.runAs;
    }

    /** A builder; baseBackup, walArchive, dataDir, port, targetTime and login are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The recovered cluster: {@code listenAddress:port (dataDir)}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(listenAddress + ":" + port + " (" + dataDir + ")");
    }

    /** The cluster this step last started, to hand over or stop. */
    public Optional<RestoredCluster> lastRestored() {
        return Optional.ofNullable(last.get());
    }

    /**
     * The window a target may lie in: [the base backup's finish, the newest archived WAL file's
     * modification time], the latter capped at {@code now}.
     */
    public RestoreWindow window(Instant now) {
        Path metadata = baseBackup.resolveSibling(baseBackup.getFileName() + BaseBackupStep.METADATA_SUFFIX);
        Properties props = new Properties();
        try (InputStream in = Files.newInputStream(metadata)) {
            props.load(in);
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "the base backup " + baseBackup
                            + " has no readable " + metadata.getFileName()
                            + " (written by BaseBackupStep); cannot tell when"
                            + " it finished");
        }
        Instant earliest = Instant.parse(props.getProperty(BaseBackupStep.FINISHED_AT_PROPERTY));
        Instant newestWal;
        try (Stream<Path> files = Files.list(walArchive)) {
            newestWal = files.filter(Files::isRegularFile)
                    .map(SelfHostedPointInTimeRestoreStep::modified)
                    .max(Instant::compareTo)
                    .orElse(earliest);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the WAL archive " + walArchive, e);
        }
        Instant latest = newestWal.isAfter(now) ? now : newestWal;
        return new RestoreWindow(earliest, latest.isBefore(earliest) ? earliest : latest);
    }

    /**
     * Checks, changing nothing: the programs exist, the data folder does not, the target lies in
     * the window.
     */
    @Override
    public void preflight(StepContext context) {
        PgTool.requireProgram(binDir, "pg_ctl");
        PgTool.requireProgram(binDir, "postgres");
        if (!Files.isDirectory(baseBackup.resolve("global"))) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "baseBackup " + baseBackup + " is not a plain-format base backup (no global/ folder)");
        }
        if (!Files.isDirectory(walArchive)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "walArchive " + walArchive + " is not a folder");
        }
        if (Files.exists(dataDir, LinkOption.NOFOLLOW_LINKS)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "dataDir " + dataDir + " already exists; a restore never overwrites a folder");
        }
        RestoreWindow window = window(context.clock().instant());
        if (!window.contains(targetTime)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "recovery target " + targetTime
                            + " is outside the restore window " + window.earliest() + " to " + window.latest()
                            + (targetTime.isAfter(window.latest())
                                    ? " (after the newest archived WAL, or in the future)"
                                    : " (before the base backup finished)"));
        }
    }

    @Override
    public void execute(StepContext context) throws IOException {
        preflight(context);
        RestoreWindow window = window(context.clock().instant());
        context.evidence(WINDOW, window.earliest() + "/" + window.latest());
        context.evidence(TARGET_TIME, targetTime.toString());
        copyTree(baseBackup, dataDir);
        Files.deleteIfExists(dataDir.resolve("postmaster.pid"));
        Files.deleteIfExists(dataDir.resolve("standby.signal"));
        String settings = "\n# rollback: point-in-time restore\n"
                + "listen_addresses = '" + listenAddress + "'\n"
                + "port = " + port + "\n"
                + "unix_socket_directories = '" + dataDir + "'\n"
                + "archive_mode = off\n"
                + "restore_command = 'cp " + walArchive + "/%f %p'\n"
                + "recovery_target_time = '" + PG_TIME.format(targetTime) + "'\n"
                + "recovery_target_action = 'promote'\n";
        Files.writeString(
                dataDir.resolve("postgresql.auto.conf"),
                settings,
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        Files.writeString(dataDir.resolve("recovery.signal"), "", StandardCharsets.UTF_8);
        if (runAs.isPresent()) {
            chownTree(dataDir, runAs.get());
        }
        Path log = dataDir.resolve("restore.log");
        RestoredCluster cluster = new RestoredCluster(listenAddress, port, dataDir, binDir, runAs);
        last.set(cluster);
        long seconds = Math.max(1, context.remaining().toSeconds());
        PgTool.Result start = PgTool.run(
                "pg_ctl start of the restored cluster",
                RestoredCluster.command(
                        runAs,
                        List.of(
                                binDir.resolve("pg_ctl").toString(),
                                "start",
                                "-w",
                                "-t",
                                Long.toString(seconds),
                                "-D",
                                dataDir.toString(),
                                "-l",
                                log.toString())),
                Optional.empty(),
                Map.of(),
                context.remaining());
        if (!start.succeeded()) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the restored cluster in " + dataDir
                            + " did not start (exit " + start.exitCode() + "): "
                            + start.stdout().strip() + " " + start.stderr()
                            + "\nserver log:\n" + tail(log));
        }
        PostgresEndpoint restored = cluster.endpoint(login, login.database());
        awaitPromotion(context, restored, log);
        context.evidence(HOST, listenAddress);
        context.evidence(PORT, Integer.toString(port));
        context.evidence(DATA_DIR, dataDir.toString());
        context.evidence(JDBC_URL, restored.jdbcUrl());
    }

    private void awaitPromotion(StepContext context, PostgresEndpoint restored, Path log) {
        String replayed = "";
        while (true) {
            try (Connection c = restored.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(
                            "SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '')")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    context.progress("the restored cluster " + restored.describe() + " was promoted");
                    return;
                }
                // progress is WAL replayed, not a poll answered: a recovery that stopped moving is a stall
                if (!rs.getString(2).equals(replayed)) {
                    replayed = rs.getString(2);
                    context.progress("the restored cluster replayed WAL up to " + replayed);
                }
            } catch (SQLException e) {
                if (context.stopRequested()) {
                    throw Jdbc.failure("waiting for the restored cluster", restored.describe(), e);
                }
            }
            if (context.stopRequested()) {
                throw new RollbackException(
                        ErrorCode.STEP_TIMED_OUT,
                        "the restored cluster " + restored.describe()
                                + " was not promoted before the deadline; server log:\n" + tail(log));
            }
            try {
                context.clock().sleep(Duration.ofMillis(50));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("interrupted while waiting for the restored" + " cluster "
                        + restored.describe() + " to be promoted");
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.createDirectory(to, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path source : (Iterable<Path>) walk::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (source.equals(from)) {
                    continue;
                }
                if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(target);
                    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwx------"));
                } else {
                    Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    private static void chownTree(Path root, OsUser user) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
            }
        }
    }

    private static Instant modified(Path file) {
        try {
            FileTime time = Files.getLastModifiedTime(file);
            return time.toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }

    private static String tail(Path log) {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8).strip();
            return Redaction.redact(text.length() > 4000 ? "..." + text.substring(text.length() - 4000) : text);
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    @Override
    public String toString() {
        return "SelfHostedPointInTimeRestoreStep[" + id + ", " + baseBackup + " + " + walArchive + " -> " + dataDir
                + " on " + listenAddress + ":" + port + " at " + targetTime + "]";
    }

    /**
     * Builds a {@link SelfHostedPointInTimeRestoreStep}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again and never changes a step already built.
     */
    public static final class Builder {
        private String id = "point-in-time-restore";
        private String component = "postgres";
        private Path baseBackup;
        private Path walArchive;
        private Path dataDir;
        private String listenAddress = "127.0.0.1";
        private int port;
        private Instant targetTime;
        private PostgresEndpoint login;
        private Path binDir;
        private Optional<OsUser> runAs = Optional.empty();

        private Builder() {}

        /** The step id. Default: {@code point-in-time-restore}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The plain-format base backup folder (from {@link BaseBackupStep}). Required. */
        public Builder baseBackup(Path baseBackup) {
            this.baseBackup = ToolArguments.requireAbsolutePath(baseBackup, "baseBackup");
            return this;
        }

        /** The WAL archive folder (what {@code archive_command} copies to); letters, digits, '/', '_', '.', '-'. Required. */
        public Builder walArchive(Path walArchive) {
            this.walArchive = ToolArguments.requireShellSafePath(walArchive, "walArchive");
            return this;
        }

        /** The new cluster's data folder; must not exist; letters, digits, '/', '_', '.', '-'. Required. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = ToolArguments.requireShellSafePath(dataDir, "dataDir");
            return this;
        }

        /** The address the new cluster listens on. Default: {@code 127.0.0.1}. */
        public Builder listenAddress(String listenAddress) {
            this.listenAddress = ToolArguments.requireHost(listenAddress, "listenAddress");
            return this;
        }

        /** The new cluster's port, 1-65535; it must differ from the source's. Required. */
        public Builder port(int port) {
            this.port = ToolArguments.requirePort(port, "port");
            return this;
        }

        /** The instant to recover to. Required; checked against the restore window in preflight. */
        public Builder targetTime(Instant targetTime) {
            this.targetTime = Objects.requireNonNull(targetTime, "targetTime");
            return this;
        }

        /**
         * Who checks the new cluster and whose database the evidence's JDBC URL names: a user and
         * password of the source cluster (the restored one has the same), and a database; its host
         * and port are ignored. Required.
         */
        public Builder login(PostgresEndpoint login) {
            this.login = Objects.requireNonNull(login, "login");
            return this;
        }

        /** The folder of pg_ctl and postgres. Default: found on the PATH or in /usr/lib/postgresql/&lt;highest&gt;/bin. */
        public Builder binDir(Path binDir) {
            this.binDir = ToolArguments.requireAbsolutePath(binDir, "binDir");
            return this;
        }

        /** The unprivileged user the new cluster runs as (needed when the JVM runs as root). Default: this JVM's user. */
        public Builder runAs(OsUser runAs) {
            this.runAs = Optional.of(Objects.requireNonNull(runAs, "runAs"));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if a required value is missing, or dataDir lies inside
         *     baseBackup or walArchive
         */
        public SelfHostedPointInTimeRestoreStep build() {
            if (baseBackup == null
                    || walArchive == null
                    || dataDir == null
                    || port == 0
                    || targetTime == null
                    || login == null) {
                throw new IllegalStateException(
                        "baseBackup, walArchive, dataDir, port, targetTime and login are required");
            }
            if (dataDir.startsWith(baseBackup) || dataDir.startsWith(walArchive)) {
                throw new IllegalStateException("dataDir " + dataDir + " must not lie inside baseBackup or walArchive");
            }
            return new SelfHostedPointInTimeRestoreStep(this, binDir != null ? binDir : PgBinaries.locate("pg_ctl"));
        }
    }
}
