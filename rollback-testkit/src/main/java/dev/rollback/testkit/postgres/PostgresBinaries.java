package dev.rollback.testkit.postgres;

import dev.rollback.testkit.internal.Commands;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the PostgreSQL server binaries ({@code initdb}, {@code pg_ctl}, {@code postgres}) and
 * client tools ({@code pg_dump}, {@code pg_basebackup}, {@code pg_restore}, {@code psql}) of this
 * machine are. Immutable and thread-safe.
 *
 * <p>{@link #locate(Optional)} looks, in order, in: the configured folder; the system property
 * {@value #BIN_DIR_PROPERTY}; the environment variable {@value #BIN_DIR_ENV}; {@code pg_config
 * --bindir}; the folder of {@code initdb} on the PATH; the highest version among
 * {@code /usr/lib/postgresql/<version>/bin}. It never installs anything.
 *
 * @param binDir the folder holding initdb, pg_ctl and postgres
 */
public record PostgresBinaries(Path binDir) {
    /** The system property naming the folder of the PostgreSQL binaries. */
    public static final String BIN_DIR_PROPERTY = "rollback.postgres.bindir";
    /** The environment variable naming the folder of the PostgreSQL binaries. */
    public static final String BIN_DIR_ENV = "ROLLBACK_POSTGRES_BINDIR";

    private static final List<String> SERVER_PROGRAMS = List.of("initdb", "pg_ctl", "postgres");
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    /** Validates. */
    public PostgresBinaries {
        Objects.requireNonNull(binDir, "binDir");
    }

    /**
     * Finds the binaries.
     *
     * @param configured a folder the caller chose; when present, it is the only place looked at
     * @throws IllegalStateException if none of the places holds initdb, pg_ctl and postgres; the
     *     message lists where it looked and how to install PostgreSQL
     */
    public static PostgresBinaries locate(Optional<Path> configured) {
        List<String> looked = new ArrayList<>();
        List<Optional<Path>> candidates = configured.isPresent()
                ? List.of(configured)
                : List.of(
                        Optional.ofNullable(System.getProperty(BIN_DIR_PROPERTY))
                                .map(Path::of),
                        Optional.ofNullable(System.getenv(BIN_DIR_ENV)).map(Path::of),
                        fromPgConfig(),
                        Commands.onPath("initdb").map(Path::getParent),
                        highestDebianVersion());
        for (Optional<Path> candidate : candidates) {
            if (candidate.isEmpty()) {
                continue;
            }
            Path dir = candidate.get().toAbsolutePath();
            if (holdsServerPrograms(dir)) {
                return new PostgresBinaries(dir);
            }
            looked.add(dir.toString());
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found"
                + (looked.isEmpty() ? "" : " in " + looked) + "; also looked at -D" + BIN_DIR_PROPERTY + ", $"
                + BIN_DIR_ENV + ", pg_config --bindir, the PATH and " + DEBIAN_ROOT + "/*/bin. Install them "
                + "(Debian/Ubuntu: `apt-get install postgresql-15`) or set -D" + BIN_DIR_PROPERTY + "=/path/to/bin");
    }

    /** The path of the program {@code name} in {@link #binDir()} ("pg_dump", "pg_basebackup"). */
    public Path tool(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("name must be a program name, but was '" + name + "'");
        }
        return binDir.resolve(name);
    }

    private static boolean holdsServerPrograms(Path dir) {
        return SERVER_PROGRAMS.stream().map(dir::resolve).allMatch(Files::isExecutable);
    }

    private static Optional<Path> fromPgConfig() {
        Optional<Path> pgConfig = Commands.onPath("pg_config");
        if (pgConfig.isEmpty()) {
            return Optional.empty();
        }
        try {
            String out = Commands.run(
                    "pg_config --bindir",
                    List.of(pgConfig.get().toString(), "--bindir"),
                    Path.of("/"),
                    Duration.ofSeconds(10));
            return Optional.of(Path.of(out.strip()));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Path> highestDebianVersion() {
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        List<Path> versions = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(DEBIAN_ROOT, "[0-9]*")) {
            dirs.forEach(versions::add);
        } catch (IOException e) {
            return Optional.empty();
        }
        return versions.stream()
                .filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                .max(Comparator.comparingDouble(
                        v -> Double.parseDouble(v.getFileName().toString())))
                .map(v -> v.resolve("bin"));
    }
}
