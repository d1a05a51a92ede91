package dev.rollback.benchmarks.postgres;

import dev.rollback.api.Secret;
import dev.rollback.benchmarks.support.BenchContext;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.backup.BackupFormat;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The emergency backup against the raw tool in the same run: {@link EmergencyBackupStep} as the
 * executor runs it (preflight, then execute: pg_dump through a 0600 password file, partial name,
 * atomic rename, SHA-256 of the result, checksum file, folder fsync) versus {@code pg_dump} with the
 * same arguments, on a pgbench-initialized database of scale {@code scale} (70 is about 1 GB) in the
 * testkit's real PostgreSQL, for every format. One backup per measured invocation; a new step per
 * invocation, so that each pays its own {@code pg_dump --version} and connections, as one real
 * emergency does. After each backup it prints (untimed) a breakdown: for the step, preflight, the
 * time pg_dump itself ran and the rest of execute, so that the step's own cost is measured inside
 * one invocation and not only as the difference of two trials that pg_dump's variance dominates.
 * (For PLAIN the step hashes while pg_dump runs, so that part is inside its pg_dump time: compare
 * that time with the raw tool's too.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class EmergencyBackupBenchmark {
    @Param({"70"})
    public int scale;

    @Param({"DIRECTORY", "CUSTOM", "PLAIN"})
    public String format;

    /**
     * {@code step} or {@code raw}; a parameter (not two methods) so that the two run next to each
     * other per format. JMH runs the values in the order given: {@code -p tool=raw,step} reverses it,
     * so that two runs cancel a load that drifts during one.
     */
    @Param({"step", "raw"})
    public String tool;

    private PostgresServer server;
    private PostgresEndpoint endpoint;
    private Path work;
    private Path passFile;
    private Path output;
    private EmergencyBackupStep step;
    private final int jobs = 2;
    private boolean sizePrinted;
    /** The last backup's own breakdown, printed after it (not timed): where the step's time beyond pg_dump goes. */
    private String lastBreakdown = "";

    /** Starts the server and loads pgbench's tables. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        server = PostgresServer.builder().build();
        server.start();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bench");
        }
        endpoint = PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("bench")
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
        work = Files.createTempDirectory("rollback-bench-");
        passFile = Files.createFile(
                work.resolve("pgpass"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(
                passFile,
                server.host() + ":" + server.port() + ":*:" + server.user() + ":" + server.password() + "\n",
                StandardCharsets.UTF_8);
        // Server-side generation (G) loads scale 70 in well under a minute; vacuum (v) sets hint bits so that
        // no dump pays for them.
        run(List.of(
                server.binaries().tool("pgbench").toString(),
                "--initialize",
                "--init-steps=dtGvp",
                "--quiet",
                "--scale=" + scale,
                "--host=" + server.host(),
                "--port=" + server.port(),
                "--username=" + server.user(),
                "bench"));
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            settle(s);
            try (ResultSet rs = s.executeQuery("SELECT pg_database_size('bench')")) {
                rs.next();
                System.out.println("# database size: " + rs.getLong(1) + " bytes (pgbench scale " + scale + ")");
            }
        }
        output = Files.createDirectories(work.resolve("out"));
    }

    /**
     * Flushes the load's dirty buffers and waits until the archiver has copied its WAL, so that
     * neither writes behind the measured dumps.
     */
    private static void settle(Statement s) throws Exception {
        s.execute("CHECKPOINT");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            try (ResultSet rs =
                    s.executeQuery("SELECT count(*) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready'")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the WAL archiver did not catch up within 5 minutes");
    }

    /** A new step for each backup (not timed). */
    @Setup(Level.Invocation)
    public void newStep() {
        step = EmergencyBackupStep.builder()
                .endpoint(endpoint)
                .backupDir(output)
                .binDir(server.binaries().binDir())
                .format(BackupFormat.valueOf(format))
                .jobs(jobs)
                .build();
    }

    /** Empties the output folder after each backup; prints the size of the first one, for throughput. */
    @TearDown(Level.Invocation)
    public void clean() throws IOException {
        if (!sizePrinted) {
            long bytes;
            try (Stream<Path> files = Files.walk(output)) {
                bytes = files.filter(Files::isRegularFile)
                        .filter(p -> !p.toString().endsWith(".sha256"))
                        .mapToLong(p -> p.toFile().length())
                        .sum();
            }
            System.out.println("# " + format + " output: " + bytes + " bytes");
            sizePrinted = true;
        }
        System.out.println("# " + lastBreakdown);
        try (Stream<Path> files = Files.walk(output)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(output)) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Stops and deletes the server. */
    @TearDown(Level.Trial)
    public void stop() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** One backup by the step or by the raw tool. */
    @Benchmark
    public Object backup() throws Exception {
        return tool.equals("step") ? emergencyBackupStep() : rawPgDump();
    }

    /** The step as the executor runs it: preflight, then execute (pg_dump plus partial name, rename, checksum, fsync). */
    private String emergencyBackupStep() throws Exception {
        BenchContext context = new BenchContext("emergency-backup", "postgres");
        long start = System.nanoTime();
        step.preflight(context);
        long executing = System.nanoTime();
        step.execute(context);
        long end = System.nanoTime();
        long pgDump = Long.parseLong(context.evidence().get(EmergencyBackupStep.PG_DUMP_MILLIS));
        lastBreakdown = "step " + (end - start) / 1_000_000 + " ms: preflight " + (executing - start) / 1_000_000
                + " ms, pg_dump " + pgDump + " ms, the rest of execute " + ((end - executing) / 1_000_000 - pgDump)
                + " ms";
        return context.evidence().get(EmergencyBackupStep.SHA256);
    }

    /** The raw tool with the same arguments. */
    private int rawPgDump() throws Exception {
        BackupFormat f = BackupFormat.valueOf(format);
        List<String> command = new ArrayList<>(List.of(
                server.binaries().tool("pg_dump").toString(),
                "--host=" + server.host(),
                "--port=" + server.port(),
                "--username=" + server.user(),
                "--dbname=bench",
                "--no-password",
                "--format=" + f.name().substring(0, 1).toLowerCase(Locale.ROOT)));
        if (f == BackupFormat.DIRECTORY) {
            command.add("--jobs=" + jobs);
        }
        command.add("--file=" + output.resolve("raw"));
        long start = System.nanoTime();
        int exit = run(command);
        lastBreakdown = "raw pg_dump " + (System.nanoTime() - start) / 1_000_000 + " ms";
        return exit;
    }

    private int run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(work.resolve("tool.log").toFile());
        pb.environment().put("PGPASSFILE", passFile.toString());
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(work.resolve("tool.log")));
        }
        return exit;
    }
}
