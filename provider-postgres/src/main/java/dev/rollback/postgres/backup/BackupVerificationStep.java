package dev.rollback.postgres.backup;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.internal.Hashing;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.PgBinaries;
import dev.rollback.postgres.internal.PgTool;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runbook's "verify backup integrity", done so that it can fail: a backup is not good until
 * this step passed (pgBackRest's rule). It checks the backup written by an
 * {@link EmergencyBackupStep} (found through that step's evidence, or a fixed path):
 * <ol>
 *   <li>its SHA-256 and size still match the {@code .sha256} file written with it, recomputed by
 *       the scheme that file names (a backup altered or truncated afterwards fails here);</li>
 *   <li>its table of contents ({@code pg_restore --list}; the {@code CREATE TABLE} statements for a
 *       plain script) names exactly the live database's tables;</li>
 *   <li>optionally, a full restore into a new scratch database on the same server, whose row count
 *       per table must equal the counts the backup step took in the very snapshot pg_dump dumped (its
 *       {@code .rowcounts} file; never the live database, which has moved on since); the scratch database
 *       is dropped afterwards.</li>
 * </ol>
 *
 * <p>Evidence: {@value #VERIFIED_SHA256}, {@value #VERIFIED_BYTES}, {@value #TABLES}, and for the
 * restore test {@value #RESTORED_ROWS}. A {@linkplain #safeguard() safeguard}; idempotent. It never
 * changes the backup or the live database; the restore test writes only to its own scratch
 * database. Immutable and thread-safe.
 */
public final class BackupVerificationStep implements RollbackStep {
    /** Evidence key: the SHA-256 recomputed from the backup. */
    public static final String VERIFIED_SHA256 = "verify.sha256";
    /** Evidence key: the size in bytes recomputed from the backup. */
    public static final String VERIFIED_BYTES = "verify.bytes";
    /** Evidence key: how many tables the table of contents names. */
    public static final String TABLES = "verify.tables";
    /** Evidence key: the total rows restored into the scratch database. */
    public static final String RESTORED_ROWS = "verify.restoredRows";

    private static final Pattern TOC_TABLE = Pattern.compile("^\\d+; 1259 \\d+ TABLE (.+)$");
    private static final String IDENTIFIER = "(\"(?:[^\"]|\"\")*\"|[^.\"\\s(]+)";
    private static final Pattern PLAIN_TABLE =
            Pattern.compile("^CREATE TABLE " + IDENTIFIER + "\\." + IDENTIFIER + " \\($");

    private final String id;
    private final String component;
    private final PostgresEndpoint endpoint;
    private final String backupStepId;
    private final Optional<Path> backupPath;
    private final boolean restoreTest;
    private final int jobs;
    private final Path binDir;

    private BackupVerificationStep(Builder b, Path binDir) {
        this.id = b.id;
        this.component = b.component;
        this.endpoint = b.endpoint;
        this.backupStepId = b.backupStepId;
        this.backupPath = b.backupPath;
        this.restoreTest = b.restoreTest;
        this.jobs = b.jobs;
        this.binDir = binDir;
    }

    /** A builder; {@code endpoint} (the live database) is required. */
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

    /** The database whose backup is verified (and restore-tested on its server): {@code host:port/database}. */
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

    @Override
    public void preflight(StepContext context) {
        PgTool.requireProgram(binDir, "pg_restore");
    }

    @Override
    public void execute(StepContext context) throws IOException {
        preflight(context);
        Path backup = backupPath
                .or(() -> context.evidenceOf(backupStepId, EmergencyBackupStep.PATH)
                        .map(Path::of))
                .orElseThrow(() -> new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "no backup to verify: step " + backupStepId + " recorded no " + EmergencyBackupStep.PATH
                                + " and no backupPath is set"));
        if (!Files.exists(backup)) {
            throw fail(backup, "it does not exist");
        }
        checkChecksum(context, backup);
        boolean plain =
                Files.isRegularFile(backup) && backup.getFileName().toString().endsWith(".sql");
        TreeSet<String> live = new TreeSet<>(liveRowCounts(endpoint, false).keySet());
        List<String> entries = plain ? plainTables(backup) : tocTables(context, backup);
        context.evidence(TABLES, Integer.toString(entries.size()));
        List<String> unmatched = new ArrayList<>(entries);
        TreeSet<String> missing = new TreeSet<>();
        for (String table : live) {
            String[] parts = table.split("\\.", 2);
            String prefix = parts[0] + " " + parts[1] + " ";
            Optional<String> entry = unmatched.stream()
                    .filter(e -> plain ? e.equals(table) : e.startsWith(prefix))
                    .findFirst();
            entry.ifPresentOrElse(unmatched::remove, () -> missing.add(table));
        }
        if (!missing.isEmpty() || !unmatched.isEmpty()) {
            throw fail(
                    backup,
                    "its tables differ from the live database " + endpoint.describe() + ": missing " + missing
                            + ", not live " + unmatched);
        }
        if (restoreTest) {
            if (plain) {
                throw fail(backup, "a plain SQL backup cannot be restore-tested with pg_restore");
            }
            restoreAndCompare(context, backup);
        }
    }

    private void checkChecksum(StepContext context, Path backup) throws IOException {
        Path sidecar = backup.resolveSibling(backup.getFileName() + EmergencyBackupStep.CHECKSUM_SUFFIX);
        if (!Files.isRegularFile(sidecar)) {
            throw fail(backup, "its checksum file " + sidecar + " is missing");
        }
        Hashing.Recorded recorded;
        try {
            recorded = Hashing.parseSidecar(Files.readString(sidecar, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw fail(backup, "its checksum file " + sidecar + " is unreadable: " + e.getMessage());
        }
        // The scheme the backup was hashed with, so that backups written before the chunked scheme still verify.
        Hashing.Digest digest =
                Hashing.digest(backup, recorded.scheme(), Runtime.getRuntime().availableProcessors());
        context.evidence(VERIFIED_SHA256, digest.sha256());
        context.evidence(VERIFIED_BYTES, Long.toString(digest.bytes()));
        if (!recorded.sha256().equals(digest.sha256()) || !recorded.bytes().equals(Long.toString(digest.bytes()))) {
            throw fail(
                    backup,
                    "it changed after it was written: recorded sha256 " + recorded.sha256() + " (" + recorded.bytes()
                            + " bytes), now " + digest.sha256() + " (" + digest.bytes() + " bytes)");
        }
    }

    /** The TABLE entries of the archive's table of contents, each "schema name owner". */
    private List<String> tocTables(StepContext context, Path backup) {
        PgTool.Result list = PgTool.run(
                "pg_restore --list of " + backup,
                List.of(binDir.resolve("pg_restore").toString(), "--list", "--file=-", backup.toString()),
                Optional.empty(),
                Map.of(),
                context.remaining());
        if (!list.succeeded()) {
            throw fail(backup, "pg_restore --list failed with exit status " + list.exitCode() + ": " + list.stderr());
        }
        List<String> tables = new ArrayList<>();
        for (String line : list.stdout().split("\n")) {
            Matcher m = TOC_TABLE.matcher(line.strip());
            if (m.matches()) {
                tables.add(m.group(1));
            }
        }
        return tables;
    }

    /** The tables a plain script creates, each "schema.name". */
    private static List<String> plainTables(Path backup) throws IOException {
        List<String> tables = new ArrayList<>();
        try (var lines = Files.lines(backup, StandardCharsets.UTF_8)) {
            lines.map(PLAIN_TABLE::matcher)
                    .filter(Matcher::matches)
                    .forEach(m -> tables.add(unquote(m.group(1)) + "." + unquote(m.group(2))));
        }
        return tables;
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("\"")
                ? identifier.substring(1, identifier.length() - 1).replace("\"\"", "\"")
                : identifier;
    }

    private void restoreAndCompare(StepContext context, Path backup) {
        String scratch = "rollback_verify_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        PostgresEndpoint scratchEndpoint =
                endpoint.toBuilder().database(scratch).build();
        execute("CREATE DATABASE " + scratch);
        try {
            PgTool.Result restore = PgTool.run(
                    "pg_restore of " + backup + " into " + scratch,
                    List.of(
                            binDir.resolve("pg_restore").toString(),
                            "--host=" + endpoint.host(),
                            "--port=" + endpoint.port(),
                            "--username=" + endpoint.user(),
                            "--dbname=" + scratch,
                            "--no-password",
                            "--no-owner",
                            "--exit-on-error",
                            "--jobs=" + jobs,
                            backup.toString()),
                    Optional.of(endpoint),
                    Map.of(),
                    context.remaining());
            if (!restore.succeeded()) {
                throw fail(
                        backup,
                        "the restore test into " + scratch + " failed with exit status " + restore.exitCode() + ": "
                                + restore.stderr());
            }
            Map<String, Long> restored = liveRowCounts(scratchEndpoint, true);
            Map<String, Long> dumped = dumpedRowCounts(backup);
            context.evidence(
                    RESTORED_ROWS,
                    Long.toString(restored.values().stream()
                            .mapToLong(Long::longValue)
                            .sum()));
            if (!restored.equals(dumped)) {
                throw fail(
                        backup,
                        "the restore test's row counts " + restored + " differ from those counted when the dump was"
                                + " taken " + dumped);
            }
        } finally {
            execute("DROP DATABASE IF EXISTS " + scratch + " WITH (FORCE)");
        }
    }

    /**
     * The row counts the backup step counted in the snapshot pg_dump dumped, from the {@code .rowcounts}
     * file written with the backup: the live database has moved on since, so it is no measure.
     */
    private static Map<String, Long> dumpedRowCounts(Path backup) {
        Path sidecar = backup.resolveSibling(backup.getFileName() + EmergencyBackupStep.ROW_COUNTS_SUFFIX);
        if (!Files.isRegularFile(sidecar)) {
            throw fail(
                    backup,
                    "its row-count file " + sidecar + " is missing: the restore test compares with the counts taken"
                            + " when the dump was taken (EmergencyBackupStep writes them), never with the live database");
        }
        try {
            return EmergencyBackupStep.readRowCounts(sidecar);
        } catch (IOException | IllegalArgumentException e) {
            throw fail(backup, "its row-count file " + sidecar + " is unreadable: " + e.getMessage());
        }
    }

    private void execute(String sql) {
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw Jdbc.failure(sql, endpoint.describe(), e);
        }
    }

    /** The user tables of {@code db} ("schema.table"), with exact row counts when {@code count}, else 0. */
    static Map<String, Long> liveRowCounts(PostgresEndpoint db, boolean count) {
        try (Connection c = db.connect()) {
            return rowCounts(c, count);
        } catch (SQLException e) {
            throw Jdbc.failure("listing tables", db.describe(), e);
        }
    }

    /**
     * The user tables seen by {@code c} ("schema.table"), with exact row counts when {@code count}, else 0:
     * in {@code c}'s snapshot, so counted in the transaction whose snapshot pg_dump dumps, they are the
     * dump's own counts.
     */
    static Map<String, Long> rowCounts(Connection c, boolean count) throws SQLException {
        Map<String, Long> tables = new TreeMap<>();
        String query = "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog',"
                + " 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";
        try (Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery(query)) {
                while (rs.next()) {
                    tables.put(rs.getString(1) + "." + rs.getString(2), 0L);
                }
            }
            if (count) {
                for (Map.Entry<String, Long> e : tables.entrySet()) {
                    String[] parts = e.getKey().split("\\.", 2);
                    try (ResultSet rs = s.executeQuery("SELECT count(*) FROM " + Jdbc.qualified(parts[0], parts[1]))) {
                        rs.next();
                        e.setValue(rs.getLong(1));
                    }
                }
            }
            return tables;
        }
    }

    private static RollbackException fail(Path backup, String why) {
        return new RollbackException(ErrorCode.STEP_FAILED, "backup " + backup + " failed verification: " + why);
    }

    @Override
    public String toString() {
        return "BackupVerificationStep[" + id + ", " + endpoint.describe() + (restoreTest ? ", restore test" : "")
                + "]";
    }

    /**
     * Builds a {@link BackupVerificationStep}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again and never changes a step already built.
     */
    public static final class Builder {
        private String id = "verify-backup";
        private String component = "postgres";
        private PostgresEndpoint endpoint;
        private String backupStepId = "emergency-backup";
        private Optional<Path> backupPath = Optional.empty();
        private boolean restoreTest;
        private int jobs = 2;
        private Path binDir;

        private Builder() {}

        /** The step id. Default: {@code verify-backup}. */
        public Builder id(String id) {
            this.id = ToolArguments.requireFileName(id, "id");
            return this;
        }

        /** The component. Default: {@code postgres}. */
        public Builder component(String component) {
            this.component = ToolArguments.requireFileName(component, "component");
            return this;
        }

        /** The live database the backup was taken from (and, for the restore test, whose server hosts the scratch database). Required. */
        public Builder endpoint(PostgresEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /** The emergency backup step whose {@value EmergencyBackupStep#PATH} evidence names the backup. Default: {@code emergency-backup}. */
        public Builder backupStepId(String backupStepId) {
            this.backupStepId = ToolArguments.requireFileName(backupStepId, "backupStepId");
            return this;
        }

        /** A fixed backup to verify instead of the backup step's. Default: none. */
        public Builder backupPath(Path backupPath) {
            this.backupPath = Optional.of(ToolArguments.requireAbsolutePath(backupPath, "backupPath"));
            return this;
        }

        /** Whether to restore the backup into a scratch database and compare row counts. Default: false. */
        public Builder restoreTest(boolean restoreTest) {
            this.restoreTest = restoreTest;
            return this;
        }

        /** Parallel pg_restore jobs for the restore test, 1-64. Default: 2. */
        public Builder jobs(int jobs) {
            if (jobs < 1 || jobs > 64) {
                throw new IllegalArgumentException("jobs must be in 1-64, but was " + jobs);
            }
            this.jobs = jobs;
            return this;
        }

        /** The folder of pg_restore. Default: found on the PATH or in /usr/lib/postgresql/&lt;highest&gt;/bin. */
        public Builder binDir(Path binDir) {
            this.binDir = ToolArguments.requireAbsolutePath(binDir, "binDir");
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if endpoint is missing
         */
        public BackupVerificationStep build() {
            if (endpoint == null) {
                throw new IllegalStateException("endpoint is required");
            }
            return new BackupVerificationStep(this, binDir != null ? binDir : PgBinaries.locate("pg_restore"));
        }
    }
}
