package dev.rollback.postgres.backup;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.internal.PrivateFiles;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Hashing;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.PgBinaries;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runbook's "create emergency backup of current state": {@code pg_dump} of one database before
 * anything destructive, in {@linkplain BackupFormat#DIRECTORY directory format} with parallel jobs
 * by default, named {@code <database>-<yyyyMMdd'T'HHmmss'Z'>} (UTC, from the run's clock) in the
 * configured folder, with a {@code .sha256} file next to it that {@link BackupVerificationStep}
 * checks and a {@code .rowcounts} file with each table's row count in the very snapshot pg_dump dumped
 * (exported from a read-only repeatable-read transaction held open while pg_dump runs, passed as
 * {@code --snapshot}), which the restore test compares with: the live database moves on after the dump.
 *
 * <p>How it stays safe: {@code pg_dump} runs without a shell from an argument list built of checked
 * values; the password lives only in a temporary 0600 {@code PGPASSFILE} deleted afterwards, never on
 * a command line or in the environment; the dump is written under a hidden {@code .partial} name and
 * renamed atomically to its final name only after {@code pg_dump} exited 0 (and the folder is
 * fsynced), so a dump that was killed, ran out of disk, lost its connection or met a wrong server
 * version is never presented under a backup's name; stderr goes into the evidence, redacted. When the
 * step is interrupted (deadline, abort) it kills {@code pg_dump} and removes the partial dump.
 *
 * <p>A {@linkplain #safeguard() safeguard}; {@linkplain #idempotent() idempotent} (a second run makes
 * a second backup, nothing else). It never deletes or overwrites a finished backup, never writes
 * outside its folder, and never changes the database. Thread-safe; its only state is the version
 * of pg_dump it checked last (with the program file's identity), so that preflight followed by
 * execute spawns {@code pg_dump --version} once.
 *
 * <p>Evidence: {@value #PATH}, {@value #FORMAT}, {@value #BYTES}, {@value #SHA256},
 * {@value #PG_DUMP_MILLIS}, {@value #STDERR} (when pg_dump wrote any).
 */
public final class EmergencyBackupStep implements RollbackStep {
    /** Evidence key: the absolute path of the finished backup. */
    public static final String PATH = "backup.path";
    /** Evidence key: the format ({@code DIRECTORY}, {@code CUSTOM}, {@code PLAIN}). */
    public static final String FORMAT = "backup.format";
    /** Evidence key: the size in bytes. */
    public static final String BYTES = "backup.bytes";
    /** Evidence key: the SHA-256 written to the {@code .sha256} file. */
    public static final String SHA256 = "backup.sha256";
    /** Evidence key: how long pg_dump ran, in milliseconds. */
    public static final String PG_DUMP_MILLIS = "backup.pgDumpMillis";
    /** Evidence key: pg_dump's stderr, redacted. */
    public static final String STDERR = "backup.stderr";
    /** Evidence: how a backup directory that group or others could reach was made private. */
    public static final String DIR_MADE_PRIVATE = "backup.dirMadePrivate";
    /** The crash point between a finished dump and its rename (armed by {@code -Drollback.crashpoint}). */
    public static final String CRASH_BEFORE_RENAME = "postgres.backup.before-rename";

    static final String CHECKSUM_SUFFIX = ".sha256";
    /** The file beside a backup with each table's row count in the snapshot pg_dump dumped. */
    static final String ROW_COUNTS_SUFFIX = ".rowcounts";

    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String id;
    private final String component;
    private final PostgresEndpoint endpoint;
    private final Path backupDir;
    private final BackupFormat format;
    private final int jobs;
    private final Path binDir;
    private final List<String> commandWrapper;
    private final AtomicReference<CheckedTool> checkedTool = new AtomicReference<>();

    private EmergencyBackupStep(Builder b, Path binDir) {
        this.id = b.id;
        this.component = b.component;
        this.endpoint = b.endpoint;
        this.backupDir = b.backupDir;
        this.format = b.format;
        this.jobs = b.jobs;
        this.binDir = binDir;
        this.commandWrapper = b.commandWrapper;
    }

    /** A builder; {@code endpoint} and {@code backupDir} are required. */
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

    /** The database backed up: {@code host:port/database}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(endpoint.describe());
    }

    @Override
    public boolean safeguard() {
        return true;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The folder backups are written to. */
    public Path backupDir() {
        return backupDir;
    }

    /**
     * Checks, changing nothing: pg_dump is there and not older than the server, the folder exists
     * and is writable, the database answers.
     */
    @Override
    public void preflight(StepContext context) {
        Path pgDump = PgTool.requireProgram(binDir, "pg_dump");
        if (!Files.isDirectory(backupDir) || !Files.isWritable(backupDir)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "backupDir " + backupDir + " does not exist or is not writable");
        }
        checkPrivate(context);
        int tool = toolMajorVersion(pgDump);
        int server = serverMajorVersion();
        if (tool < server) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "pg_dump at " + pgDump + " is version " + tool
                            + " but the server " + endpoint.describe() + " runs " + server
                            + "; pg_dump cannot dump a newer server: use the client tools of version " + server
                            + " or later");
        }
    }

    /**
     * A backup holds the whole database: its directory must be private (0700). One that group or
     * others can reach is made private by {@link #execute} (and said so in the evidence) when the
     * runner owns it, and refused otherwise.
     */
    private void checkPrivate(StepContext context) {
        try {
            var problem = PrivateFiles.problem(backupDir);
            if (problem.isEmpty()) {
                return;
            }
            if (!PrivateFiles.ownedByRunner(backupDir)) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "backupDir " + backupDir + " is " + problem.get()
                                + ", and it belongs to another user, so it cannot be made private; make it rwx------");
            }
            context.progress("backupDir " + backupDir + " is " + problem.get() + "; the backup makes it rwx------");
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "cannot read the permissions of backupDir " + backupDir, e);
        }
    }

    @Override
    public void execute(StepContext context) throws IOException {
        preflight(context);
        PrivateFiles.tighten(backupDir).ifPresent(change -> {
            context.evidence(DIR_MADE_PRIVATE, change);
            context.progress("backupDir " + backupDir + " could be reached by group or others (" + change + ")");
        });
        String name = endpoint.database() + "-" + STAMP.format(context.clock().instant()) + format.extension();
        Path target = backupDir.resolve(name);
        if (Files.exists(target)) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED, "a backup named " + target + " already exists; it is never overwritten");
        }
        Path partial = backupDir.resolve("." + name + ".partial");
        PgTool.deleteRecursively(partial);
        boolean renamed = false;
        // A plain script is written front to back and is the largest output (uncompressed): hash its
        // chunks while pg_dump still writes, on the core pg_dump leaves idle, instead of all of it afterwards.
        Hashing.Follower follower = format == BackupFormat.PLAIN ? Hashing.Follower.start(partial) : null;
        // The dump's own snapshot, exported from a transaction held open while pg_dump runs: the row counts
        // taken in it are the dump's, for the restore test to compare with.
        Connection snapshot = null;
        try {
            snapshot = endpoint.connect();
            snapshot.setAutoCommit(false);
            snapshot.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            snapshot.setReadOnly(true);
            String snapshotId = exportSnapshot(snapshot, context.remaining());
            // progress is output written: a pg_dump waiting behind a lock writes nothing, and a
            // stall timeout on this step then stops it long before its deadline
            long[] written = {0};
            PgTool.Result result = PgTool.run(
                    "pg_dump of " + endpoint.describe(),
                    command(partial, Optional.of(snapshotId)),
                    Optional.of(endpoint),
                    Map.of(),
                    context.remaining(),
                    () -> {
                        long now = PgTool.sizeOf(partial);
                        if (now > written[0]) {
                            written[0] = now;
                            context.progress("pg_dump wrote " + now + " bytes");
                        }
                    });
            if (!result.stderr().isEmpty()) {
                context.evidence(STDERR, result.stderr());
            }
            context.evidence(PG_DUMP_MILLIS, Long.toString(result.took().toMillis()));
            if (!result.succeeded()) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "pg_dump of " + endpoint.describe()
                                + " failed with exit status " + result.exitCode() + diagnosis(result.stderr())
                                + "; no backup was kept. stderr: " + result.stderr());
            }
            // counted once pg_dump is done (never queued before it behind a lock it would wait on itself),
            // in the snapshot it dumped, which this transaction still holds
            context.progress("counting rows in the snapshot pg_dump dumped");
            Map<String, Long> rowCounts = BackupVerificationStep.rowCounts(snapshot, true);
            List<byte[]> hashedEarly = follower != null ? follower.finish() : List.of();
            CrashPoints.reach(CRASH_BEFORE_RENAME);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            PrivateFiles.restrict(target);
            Hashing.Digest digest = follower != null ? Hashing.digest(target, hashedEarly) : Hashing.digest(target);
            Path sidecar = backupDir.resolve(name + CHECKSUM_SUFFIX);
            PrivateFiles.writeString(
                    sidecar,
                    digest.sidecarLine(),
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            writeRowCounts(backupDir.resolve(name + ROW_COUNTS_SUFFIX), rowCounts);
            syncFolder(backupDir);
            context.evidence(PATH, target.toString());
            context.evidence(FORMAT, format.name());
            context.evidence(BYTES, Long.toString(digest.bytes()));
            context.evidence(SHA256, digest.sha256());
        } catch (SQLException e) {
            throw Jdbc.failure("exporting the dump's snapshot", endpoint.describe(), e);
        } finally {
            if (snapshot != null) {
                try {
                    snapshot.close();
                } catch (SQLException e) {
                    // a read-only transaction; nothing to keep
                }
            }
            if (follower != null) {
                follower.close();
            }
            if (!renamed) {
                PgTool.deleteRecursively(partial);
            }
        }
    }

    /**
     * Exports {@code c}'s transaction snapshot for pg_dump's {@code --snapshot}. The transaction stays
     * open, idle, while pg_dump runs (the snapshot lives only as long as it does), so a server's
     * {@code idle_in_transaction_session_timeout} is lifted for it alone; its statements (the row counts)
     * are bounded by the step's remaining time.
     */
    private static String exportSnapshot(Connection c, Duration remaining) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL idle_in_transaction_session_timeout = 0");
            s.execute("SET LOCAL statement_timeout = " + Math.max(1, remaining.toMillis()));
            try (ResultSet rs = s.executeQuery("SELECT pg_export_snapshot()")) {
                rs.next();
                String id = rs.getString(1);
                if (!id.matches("[0-9A-Fa-f-]+")) {
                    throw new SQLException("unexpected snapshot id from the server");
                }
                return id;
            }
        }
    }

    /** Writes each table's row count, one "schema.table TAB count" line, sorted; durable before it returns. */
    private static void writeRowCounts(Path file, Map<String, Long> counts) throws IOException {
        StringBuilder text = new StringBuilder("# row counts in the snapshot pg_dump dumped\n");
        new TreeMap<>(counts)
                .forEach((t, n) -> text.append(t).append('\t').append(n).append('\n'));
        PrivateFiles.writeString(
                file,
                text.toString(),
                StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE,
                StandardOpenOption.SYNC);
    }

    /** Reads a {@link #ROW_COUNTS_SUFFIX} file. */
    static Map<String, Long> readRowCounts(Path file) throws IOException {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : Files.readAllLines(file, UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int tab = line.lastIndexOf('\t');
            if (tab <= 0) {
                throw new IllegalArgumentException("not a 'table TAB count' line: " + line);
            }
            counts.put(line.substring(0, tab), Long.parseLong(line.substring(tab + 1)));
        }
        return counts;
    }

    /** The pg_dump command line for writing to {@code output} (package-private for tests). */
    List<String> command(Path output) {
        return command(output, Optional.empty());
    }

    /** The pg_dump command line for writing {@code snapshot} (an exported snapshot id) to {@code output}. */
    List<String> command(Path output, Optional<String> snapshot) {
        List<String> command = new ArrayList<>(commandWrapper);
        command.add(binDir.resolve("pg_dump").toString());
        command.add("--host=" + endpoint.host());
        command.add("--port=" + endpoint.port());
        command.add("--username=" + endpoint.user());
        command.add("--dbname=" + endpoint.database());
        command.add("--no-password");
        command.add("--format=" + format.flag());
        if (format == BackupFormat.DIRECTORY) {
            command.add("--jobs=" + jobs);
        }
        snapshot.ifPresent(id -> command.add("--snapshot=" + id));
        command.add("--file=" + output);
        return command;
    }

    /**
     * The major version of {@code pgDump}, spawning {@code pg_dump --version} only when the program
     * file is not the one checked last: the executor calls preflight and then execute, which checks
     * again for direct callers. A stale answer cannot let a wrong version through, since pg_dump
     * itself refuses a newer server and {@link #diagnosis} names that failure.
     */
    private int toolMajorVersion(Path pgDump) {
        Optional<ProgramFile> file = ProgramFile.of(pgDump);
        CheckedTool known = checkedTool.get();
        if (known != null && file.isPresent() && known.file().equals(file.get())) {
            return known.major();
        }
        int major = PgTool.majorVersion(pgDump, Duration.ofSeconds(30));
        file.ifPresent(f -> checkedTool.set(new CheckedTool(f, major)));
        return major;
    }

    /** The identity of a program file: its real path, inode, size and modification time. */
    private record ProgramFile(String realPath, String fileKey, long size, long modifiedMillis) {
        /** The identity of {@code program}; empty if it cannot be read (then nothing is remembered). */
        static Optional<ProgramFile> of(Path program) {
            try {
                BasicFileAttributes a = Files.readAttributes(program, BasicFileAttributes.class);
                return Optional.of(new ProgramFile(
                        program.toRealPath().toString(),
                        String.valueOf(a.fileKey()),
                        a.size(),
                        a.lastModifiedTime().toMillis()));
            } catch (IOException e) {
                return Optional.empty();
            }
        }
    }

    /** A pg_dump program file and the major version it reported. */
    private record CheckedTool(ProgramFile file, int major) {}

    private int serverMajorVersion() {
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1).strip()) / 10000;
        } catch (SQLException e) {
            throw Jdbc.failure("checking the server version", endpoint.describe(), e);
        }
    }

    private static String diagnosis(String stderr) {
        String s = stderr.toLowerCase(Locale.ROOT);
        if (s.contains("no space left on device")) {
            return " (disk full in the backup folder)";
        }
        if (s.contains("server version mismatch")) {
            return " (pg_dump is older than the server)";
        }
        if (s.contains("connection")
                && (s.contains("terminat") || s.contains("closed") || s.contains("lost") || s.contains("refused"))) {
            return " (the database connection was lost or refused)";
        }
        return "";
    }

    private static void syncFolder(Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    @Override
    public String toString() {
        return "EmergencyBackupStep[" + id + ", " + endpoint.describe() + " -> " + backupDir + ", " + format + "]";
    }

    /**
     * Builds an {@link EmergencyBackupStep}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again and never changes a step already built.
     */
    public static final class Builder {
        private String id = "emergency-backup";
        private String component = "postgres";
        private PostgresEndpoint endpoint;
        private Path backupDir;
        private BackupFormat format = BackupFormat.DIRECTORY;
        private int jobs = 2;
        private Path binDir;
        private List<String> commandWrapper = List.of();

        private Builder() {}

        /** The step id. Default: {@code emergency-backup}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The database to back up. Required. */
        public Builder endpoint(PostgresEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** The folder backups go to: absolute, no "..", no component starting with '-'. Required. */
        public Builder backupDir(Path backupDir) {
            this.backupDir = ToolArguments.requireAbsolutePath(backupDir, "backupDir");
            return this;
        }

        /** The format. Default: {@link BackupFormat#DIRECTORY}. */
        public Builder format(BackupFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Parallel pg_dump jobs for the directory format, 1-64. Default: 2. */
        public Builder jobs(int jobs) {
            if (jobs < 1 || jobs > 64) {
                throw new IllegalArgumentException("jobs must be in 1-64, but was " + jobs);
            }
            this.jobs = jobs;
            return this;
        }

        /** The folder of pg_dump. Default: found on the PATH or in /usr/lib/postgresql/&lt;highest&gt;/bin at build. */
        public Builder binDir(Path binDir) {
            this.binDir = ToolArguments.requireAbsolutePath(binDir, "binDir");
            return this;
        }

        /**
         * Programs pg_dump runs under, without a shell ({@code nice -n 10}, {@code ionice -c3},
         * a mount namespace in tests). Default: none. Each word must be non-blank and one line.
         */
        public Builder commandWrapper(List<String> commandWrapper) {
            Objects.requireNonNull(commandWrapper, "commandWrapper");
            for (String word : commandWrapper) {
                Arguments.requireText(word, "commandWrapper word");
            }
            this.commandWrapper = List.copyOf(commandWrapper);
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if endpoint or backupDir is missing
         */
        public EmergencyBackupStep build() {
            if (endpoint == null) {
                throw new IllegalStateException("endpoint is required");
            }
            if (backupDir == null) {
                throw new IllegalStateException("backupDir is required");
            }
            return new EmergencyBackupStep(this, binDir != null ? binDir : PgBinaries.locate("pg_dump"));
        }
    }
}
