package dev.rollback.postgres.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/** Finds the folder of the PostgreSQL client programs when a step was not told where it is. */
public final class PgBinaries {
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");

    private PgBinaries() {}

    /**
     * The folder of {@code program}: the PATH first, then the highest
     * {@code /usr/lib/postgresql/<major>/bin}.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} naming where it looked
     */
    public static Path locate(String program) {
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir).toAbsolutePath().normalize();
            }
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                Optional<Path> best = versions.filter(
                                v -> v.getFileName().toString().matches("\\d+"))
                        .filter(v -> Files.isExecutable(v.resolve("bin").resolve(program)))
                        .max(Comparator.comparingInt(
                                v -> Integer.parseInt(v.getFileName().toString())));
                if (best.isPresent()) {
                    return best.get().resolve("bin");
                }
            } catch (IOException e) {
                // fall through to the error below
            }
        }
        throw new RollbackException(
                ErrorCode.INVALID_CONFIGURATION,
                program + " not found on the PATH nor in " + DEBIAN_ROOT
                        + "/<version>/bin; install the PostgreSQL client tools or set binDir");
    }
}
