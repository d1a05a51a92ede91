package dev.rollback.api.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * Files only the runner's user can read: Rollback's backups, checksum sidecars, journal, anchor,
 * lock and token files are created {@code 0600} ({@code rw-------}) and their directories
 * {@code 0700} ({@code rwx------}), because a backup holds the whole database and a journal the
 * evidence of an incident. On a file system without POSIX permissions (Windows) every call here
 * is a no-op. Internal: not API. Stateless and thread-safe.
 */
public final class PrivateFiles {
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {}

    /** Whether {@code path}'s file system has POSIX permissions. */
    public static boolean posix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** The attributes that create a file 0600 (none where POSIX permissions do not exist). */
    public static FileAttribute<?>[] fileAttributes(Path path) {
        return posix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)}
                : new FileAttribute<?>[0];
    }

    /**
     * Opens (and creates, with {@code options}) a file: a new one is created 0600, an existing one
     * that group or others can reach is set to 0600.
     */
    public static FileChannel open(Path file, OpenOption... options) throws IOException {
        FileChannel channel = FileChannel.open(file, Set.of(options), fileAttributes(file));
        try {
            restrict(file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** Writes {@code text} (UTF-8) to a file created 0600 with {@code options}. */
    public static void writeString(Path file, String text, OpenOption... options) throws IOException {
        try (FileChannel channel = open(file, options)) {
            ByteBuffer buffer = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }

    /**
     * Creates {@code directory} and any missing parent 0700; an existing {@code directory} that
     * group or others can reach is set to 0700.
     *
     * @return what was changed on an existing directory ("was rwxr-xr-x, now rwx------"), if anything
     */
    public static Optional<String> createDirectories(Path directory) throws IOException {
        if (!posix(directory)) {
            Files.createDirectories(directory);
            return Optional.empty();
        }
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory, PosixFilePermissions.asFileAttribute(DIRECTORY));
        }
        return tighten(directory);
    }

    /**
     * Sets a file to 0600 or a directory to 0700 if group or others have any permission on it.
     *
     * @return what was changed ("was rw-r--r--, now rw-------"), if anything
     */
    public static Optional<String> tighten(Path path) throws IOException {
        if (!posix(path)) {
            return Optional.empty();
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (!reachableByOthers(now)) {
            return Optional.empty();
        }
        Set<PosixFilePermission> wanted = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS) ? DIRECTORY : FILE;
        Files.setPosixFilePermissions(path, wanted);
        return Optional.of(
                "was " + PosixFilePermissions.toString(now) + ", now " + PosixFilePermissions.toString(wanted));
    }

    /** Sets a file to 0600 or a directory to 0700 if group or others can reach it. */
    public static void restrict(Path path) throws IOException {
        tighten(path);
    }

    /**
     * Read-only check: why {@code path} is not private, if it is not ("rwxr-xr-x: readable by
     * group or others"). Empty where POSIX permissions do not exist.
     */
    public static Optional<String> problem(Path path) throws IOException {
        if (!posix(path)) {
            return Optional.empty();
        }
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        return reachableByOthers(now)
                ? Optional.of(PosixFilePermissions.toString(now) + ": group or others can reach it")
                : Optional.empty();
    }

    /** Whether the runner's user owns {@code path}, so that it may change its permissions. */
    public static boolean ownedByRunner(Path path) throws IOException {
        return Files.getOwner(path, LinkOption.NOFOLLOW_LINKS).getName().equals(System.getProperty("user.name"));
    }

    private static boolean reachableByOthers(Set<PosixFilePermission> permissions) {
        return permissions.contains(PosixFilePermission.GROUP_READ)
                || permissions.contains(PosixFilePermission.GROUP_WRITE)
                || permissions.contains(PosixFilePermission.GROUP_EXECUTE)
                || permissions.contains(PosixFilePermission.OTHERS_READ)
                || permissions.contains(PosixFilePermission.OTHERS_WRITE)
                || permissions.contains(PosixFilePermission.OTHERS_EXECUTE);
    }
}
