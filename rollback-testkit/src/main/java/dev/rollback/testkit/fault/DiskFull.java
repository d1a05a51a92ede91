package dev.rollback.testkit.fault;

import dev.rollback.testkit.internal.Commands;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A full disk on demand, for the process a test starts (a child JVM, pg_dump):
 * <ul>
 *   <li>{@link Kind#TMPFS}: the process runs in a private mount namespace ({@code unshare -m}, root
 *       only) where {@link #dir()} is a tmpfs of the given size, so writes there fail with ENOSPC
 *       once it is full; the test's own JVM does not see that mount;</li>
 *   <li>{@link Kind#DEV_FULL}: {@link #file(String)} is a symbolic link to {@code /dev/full}, on
 *       which every write fails with ENOSPC at once.</li>
 * </ul>
 * Start the process with {@link #commandPrefix()} in front of its command (for example through
 * {@link ChildJvm.Builder#commandPrefix(List)}) and give it {@link #file(String)} or paths under
 * {@link #dir()}. {@link #kind()} reports which was used. Immutable and thread-safe.
 */
public final class DiskFull {
    /** How the full disk is made. */
    public enum Kind {
        /** A size-capped tmpfs in a private mount namespace. */
        TMPFS,
        /** A symbolic link to {@code /dev/full}. */
        DEV_FULL
    }

    private final Kind kind;
    private final Path dir;
    private final long bytes;

    private DiskFull(Kind kind, Path dir, long bytes) {
        this.kind = kind;
        this.dir = dir;
        this.bytes = bytes;
    }

    /**
     * A tmpfs of {@code bytes} at {@code dir} if this machine allows it (root and a working
     * {@code unshare -m}), else {@code /dev/full} links in {@code dir}.
     */
    public static DiskFull onDemand(Path dir, long bytes) {
        return tmpfsAvailable() ? tmpfs(dir, bytes) : devFull(dir);
    }

    /**
     * A tmpfs of {@code bytes} (at least 4096) mounted at {@code dir} in the started process's own
     * mount namespace.
     *
     * @throws IllegalStateException if this machine cannot do it (not root, or no {@code unshare})
     */
    public static DiskFull tmpfs(Path dir, long bytes) {
        if (bytes < 4096) {
            throw new IllegalArgumentException("bytes must be at least 4096, but was " + bytes);
        }
        if (!tmpfsAvailable()) {
            throw new IllegalStateException("a tmpfs in a private mount namespace needs root and `unshare -m`; "
                    + "use DiskFull.devFull(dir) or DiskFull.onDemand(dir, bytes)");
        }
        return new DiskFull(Kind.TMPFS, prepare(dir), bytes);
    }

    /** {@code /dev/full} links in {@code dir}. */
    public static DiskFull devFull(Path dir) {
        return new DiskFull(Kind.DEV_FULL, prepare(dir), 0);
    }

    /** Which mechanism is used. */
    public Kind kind() {
        return kind;
    }

    /** The folder whose files fill up. */
    public Path dir() {
        return dir;
    }

    /**
     * The command words to put before the process's command: the {@code unshare}/{@code mount}
     * wrapper for {@link Kind#TMPFS}, nothing for {@link Kind#DEV_FULL}.
     */
    public List<String> commandPrefix() {
        if (kind == Kind.DEV_FULL) {
            return List.of();
        }
        return List.of(
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
                "mount -t tmpfs -o size=" + bytes + " rollback-disk-full \"$0\" && exec \"$@\"",
                dir.toString());
    }

    /**
     * A file in {@link #dir()} that cannot be filled past the disk: for {@link Kind#DEV_FULL} a link
     * to {@code /dev/full} made now, for {@link Kind#TMPFS} a plain path in the tmpfs.
     */
    public Path file(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/") || name.equals("..")) {
            throw new IllegalArgumentException("name must be a file name, but was '" + name + "'");
        }
        Path file = dir.resolve(name);
        if (kind == Kind.DEV_FULL) {
            try {
                Files.deleteIfExists(file);
                Files.createSymbolicLink(file, Path.of("/dev/full"));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot link " + file + " to /dev/full", e);
            }
        }
        return file;
    }

    @Override
    public String toString() {
        return "DiskFull[" + kind + " at " + dir + (kind == Kind.TMPFS ? ", " + bytes + " bytes" : "") + "]";
    }

    private static Path prepare(Path dir) {
        try {
            return Files.createDirectories(Objects.requireNonNull(dir, "dir")).toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    private static boolean tmpfsAvailable() {
        if (!Commands.runningAsRoot() || Commands.onPath("unshare").isEmpty()) {
            return false;
        }
        try {
            Commands.run(
                    "unshare -m probe",
                    List.of("unshare", "--mount", "--propagation", "private", "true"),
                    Path.of("/"),
                    Duration.ofSeconds(10));
            return true;
        } catch (IllegalStateException | UncheckedIOException e) {
            return false;
        }
    }
}
