package dev.rollback.postgres.restore;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.PrivateFiles;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.PgBinaries;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes the base backup that a {@link SelfHostedPointInTimeRestoreStep} recovers from:
 * {@code pg_basebackup} of the whole cluster in plain format with its WAL streamed along, into
 * {@code base-<yyyyMMdd'T'HHmmss'Z'>} in the configured folder, written under a hidden
 * {@code .partial} name and renamed only when pg_basebackup exited 0. Next to it, a
 * {@code .properties} file records when it finished: the earliest instant it can be recovered to.
 * Run it regularly (not during an incident); the WAL archive brings it forward in time.
 *
 * <p>Same safety as {@link dev.rollback.postgres.backup.EmergencyBackupStep}: no shell, the password
 * only in a temporary 0600 password file, the child killed on interrupt. The login needs the
 * REPLICATION privilege. Idempotent (a second run takes a second base backup); it never changes the
 * cluster. Immutable and thread-safe.
 *
 * <p>Evidence: {@value #PATH}, {@value #FINISHED_AT}.
 */
public final class BaseBackupStep implements RollbackStep {
    /** Evidence key: the absolute path of the base backup folder. */
    public static final String PATH = "baseBackup.path";
    /** Evidence key: when it finished (ISO-8601 instant). */
    public static final String FINISHED_AT = "baseBackup.finishedAt";

    static final String METADATA_SUFFIX = ".properties";
    static final String FINISHED_AT_PROPERTY = "finishedAt";
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String id;
    private final String component;
    private final PostgresEndpoint endpoint;
    private final Path backupDir;
    private final Path binDir;

    private BaseBackupStep(Builder b, Path binDir) {
        this.id = b.id;
        this.component = b.component;
        this.endpoint = b.endpoint;
        this.backupDir = b.backupDir;
        this.binDir = binDir;
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

    /** The server backed up: {@code host:port/database}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(endpoint.describe());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        PgTool.requireProgram(binDir, "pg_basebackup");
        if (!Files.isDirectory(backupDir) || !Files.isWritable(backupDir)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, "backupDir " + backupDir + " does not exist or is not writable");
        }
    }

    @Override
    public void execute(StepContext context) throws IOException {
        preflight(context);
        String name = "base-" + STAMP.format(context.clock().instant());
        Path target = backupDir.resolve(name);
        if (Files.exists(target)) {
            throw new RollbackException(ErrorCode.STEP_FAILED, "a base backup named " + target + " already exists");
        }
        Path partial = backupDir.resolve("." + name + ".partial");
        boolean renamed = false;
        try {
            PgTool.Result result = PgTool.run(
                    "pg_basebackup of " + endpoint.host() + ":" + endpoint.port(),
                    List.of(
                            binDir.resolve("pg_basebackup").toString(),
                            "--host=" + endpoint.host(),
                            "--port=" + endpoint.port(),
                            "--username=" + endpoint.user(),
                            "--no-password",
                            "--pgdata=" + partial,
                            "--format=plain",
                            "--wal-method=stream",
                            "--checkpoint=fast"),
                    Optional.of(endpoint),
                    Map.of(),
                    context.remaining());
            if (!result.succeeded()) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "pg_basebackup of " + endpoint.host() + ":"
                                + endpoint.port() + " failed with exit status " + result.exitCode()
                                + "; no base backup was"
                                + " kept. stderr: " + result.stderr());
            }
            Instant finishedAt = context.clock().instant();
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            renamed = true;
            PrivateFiles.restrict(target);
            PrivateFiles.writeString(
                    backupDir.resolve(name + METADATA_SUFFIX),
                    FINISHED_AT_PROPERTY + "=" + finishedAt + "\n",
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
            context.evidence(PATH, target.toString());
            context.evidence(FINISHED_AT, finishedAt.toString());
        } finally {
            if (!renamed) {
                PgTool.deleteRecursively(partial);
            }
        }
    }

    @Override
    public String toString() {
        return "BaseBackupStep[" + id + ", " + endpoint.host() + ":" + endpoint.port() + " -> " + backupDir + "]";
    }

    /**
     * Builds a {@link BaseBackupStep}. Setters check their argument at once; not thread-safe;
     * {@link #build()} may be called again and never changes a step already built.
     */
    public static final class Builder {
        private String id = "base-backup";
        private String component = "postgres";
        private PostgresEndpoint endpoint;
        private Path backupDir;
        private Path binDir;

        private Builder() {}

        /** The step id. Default: {@code base-backup}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The cluster to back up, as a user with the REPLICATION privilege. Required. */
        public Builder endpoint(PostgresEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** The folder base backups go to: absolute, no "..". Required. */
        public Builder backupDir(Path backupDir) {
            this.backupDir = ToolArguments.requireAbsolutePath(backupDir, "backupDir");
            return this;
        }

        /** The folder of pg_basebackup. Default: found on the PATH or in /usr/lib/postgresql/&lt;highest&gt;/bin. */
        public Builder binDir(Path binDir) {
            this.binDir = ToolArguments.requireAbsolutePath(binDir, "binDir");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if endpoint or backupDir is missing
         */
        public BaseBackupStep build() {
            if (endpoint == null || backupDir == null) {
                throw new IllegalStateException((endpoint == null ? "endpoint" : "backupDir") + " is required");
            }
            return new BaseBackupStep(this, binDir != null ? binDir : PgBinaries.locate("pg_basebackup"));
        }
    }
}
