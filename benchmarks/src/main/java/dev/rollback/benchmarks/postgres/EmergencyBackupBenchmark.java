package dev.rollback.benchmarks.postgres;

import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.backup.BackupFormat;
import dev.rollback.postgres.backup.EmergencyBackupStep;
import dev.rollback.testkit.postgres.PostgresServer;
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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The emergency backup against the raw tool in the same run: {@link EmergencyBackupStep} (pg_dump
 * through a 0600 password file, partial name, atomic rename, fsync, SHA-256 of the result) versus
 * {@code pg_dump} with the same arguments, on a pgbench-initialized database of scale {@code scale}
 * in the testkit's real PostgreSQL, for every format. One backup per measured invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 5)
@Fork(1)
public class EmergencyBackupBenchmark {
    @Param({"10"})
    public int scale;

    @Param({"DIRECTORY", "CUSTOM", "PLAIN"})
    public String format;

    /** {@code step} or {@code raw}; a parameter (not two methods) so that the two run next to each other per format. */
    @Param({"step", "raw"})
    public String tool;

    private PostgresServer server;
    private PostgresEndpoint endpoint;
    private Path work;
    private Path passFile;
    private Path output;
    private EmergencyBackupStep step;
    private int jobs = 2;

    /** Starts the server and loads pgbench's tables. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        server = PostgresServer.builder().build();
        server.start();
        try (Connection c = server.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bench");
        }
        endpoint = PostgresEndpoint.builder().host(server.host()).port(server.port()).database("bench")
                .user(server.user()).password(Secret.of(server.password())).build();
        work = Files.createTempDirectory("rollback-bench-");
        passFile = Files.createFile(work.resolve("pgpass"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rw-------")));
        Files.writeString(passFile, server.host() + ":" + server.port() + ":*:" + server.user() + ":"
                + server.password() + "\n", StandardCharsets.UTF_8);
        run(List.of(server.binaries().tool("pgbench").toString(), "--initialize", "--quiet", "--scale=" + scale,
                "--host=" + server.host(), "--port=" + server.port(), "--username=" + server.user(), "bench"));
        try (Connection c = endpoint.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_database_size('bench')")) {
            rs.next();
            System.out.println("# database size: " + rs.getLong(1) + " bytes (pgbench scale " + scale + ")");
        }
        output = Files.createDirectories(work.resolve("out"));
        step = EmergencyBackupStep.builder().endpoint(endpoint).backupDir(output).binDir(server.binaries().binDir())
                .format(BackupFormat.valueOf(format)).jobs(jobs).build();
    }

    /** Empties the output folder after each backup. */
    @TearDown(Level.Invocation)
    public void clean() throws IOException {
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

    /** The step: pg_dump plus its safety (partial name, rename, fsync, checksum file). */
    private String emergencyBackupStep() throws Exception {
        BenchContext context = new BenchContext();
        step.execute(context);
        return context.evidence().get(EmergencyBackupStep.SHA256);
    }

    /** The raw tool with the same arguments. */
    private int rawPgDump() throws Exception {
        BackupFormat f = BackupFormat.valueOf(format);
        List<String> command = new ArrayList<>(List.of(server.binaries().tool("pg_dump").toString(),
                "--host=" + server.host(), "--port=" + server.port(), "--username=" + server.user(), "--dbname=bench",
                "--no-password", "--format=" + f.name().substring(0, 1).toLowerCase(java.util.Locale.ROOT)));
        if (f == BackupFormat.DIRECTORY) {
            command.add("--jobs=" + jobs);
        }
        command.add("--file=" + output.resolve("raw"));
        return run(command);
    }

    private int run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(work.resolve("tool.log").toFile());
        pb.environment().put("PGPASSFILE", passFile.toString());
        int exit = pb.start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(work.resolve("tool.log")));
        }
        return exit;
    }
}
