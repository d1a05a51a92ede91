package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.integrations.spi.ConfigConflictException;
import dev.rollback.integrations.spi.ConfigDocument;
import dev.rollback.integrations.spi.ConfigStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ConfigStore} over the files of one folder: configuration {@code monitoring.json} is the
 * file {@code <folder>/monitoring.json}, as the application reads it; the runbook's
 * {@code cp /config/monitoring-backup.json /config/monitoring.json} becomes a replace of
 * {@code monitoring.json} with the text of {@code monitoring-backup.json}.
 *
 * <p>A {@link #replace replace} never leaves a partial file, whenever the process dies:
 * <ol>
 *   <li>it takes the configuration's lock ({@code .<name>~lock}, an OS file lock, so cooperating
 *       processes and threads take turns), removes temporary files a crashed writer left, and checks
 *       the file is still at the version the caller read (compare-and-set on its digest);</li>
 *   <li>writes the new text to a temporary file in the same folder ({@code .<name>~<random>.tmp})
 *       with the current file's permissions, owner and group, and fsyncs it;</li>
 *   <li>keeps the current text as {@code .<name>.previous} (temporary file, fsync, atomic rename);</li>
 *   <li>renames the temporary file over {@code <name>} atomically ({@code rename(2)}), then fsyncs the
 *       folder so the rename survives a power cut.</li>
 * </ol>
 * A reader sees the old file or the new one. A crash before step 4 leaves the old file (and perhaps a
 * temporary file, removed by the next replace); after it, the new one.
 *
 * <p>A file carries no version number: a version is the first 12 hex digits of the text's SHA-256.
 * Files must be UTF-8 text of at most 16 MiB. A configuration that is a symbolic link is read
 * through the link but never replaced (that would turn the link into a file); point the store at the
 * folder the link leads to. An owner the process may not give the new file (not running as the
 * owner or root) is an error before anything is renamed.
 *
 * <p>Immutable and thread-safe. Construction does no I/O; a missing or unreadable folder is an
 * {@code EXTERNAL_FAILURE} naming it when first used. It never writes outside its folder and never
 * shows a file's text.
 */
public final class FileConfigStore implements ConfigStore {
    /** The most bytes a configuration file may hold. */
    public static final int MAX_SIZE = 16 * 1024 * 1024;

    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path directory;

    private FileConfigStore(Path directory) {
        this.directory = directory;
    }

    /** A store over the files of {@code directory} (made absolute; need not exist yet). */
    public static FileConfigStore of(Path directory) {
        Objects.requireNonNull(directory, "directory");
        return new FileConfigStore(directory.toAbsolutePath().normalize());
    }

    /** The folder. */
    public Path directory() {
        return directory;
    }

    /** The file that holds configuration {@code name}. */
    public Path file(String name) {
        return directory.resolve(Arguments.requireId(name, "name"));
    }

    /** The file that holds the version the last replace of {@code name} replaced. */
    public Path previousFile(String name) {
        return directory.resolve("." + Arguments.requireId(name, "name") + ".previous");
    }

    @Override
    public String describe() {
        return "file store " + directory;
    }

    @Override
    public Optional<ConfigDocument> read(String name, Duration timeout) {
        Path file = file(name);
        requireDirectory();
        return load(name, file);
    }

    @Override
    public Optional<ConfigDocument> previous(String name, Duration timeout) {
        Path file = previousFile(name);
        requireDirectory();
        return load(name, file);
    }

    @Override
    public void checkWritable(String name, Duration timeout) {
        Path file = file(name);
        requireDirectory();
        if (!Files.isWritable(directory)) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    describe() + ": the folder is not writable by this process, so '" + name + "' cannot be replaced");
        }
        if (Files.isSymbolicLink(file)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    describe() + ": '" + name + "' is a symbolic link; a replace would turn it into a file,"
                            + " so point the store at the folder the link leads to");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION, describe() + ": '" + name + "' is not a regular file");
        }
    }

    @Override
    public ConfigDocument replace(
            String name, ConfigDocument expected, String content, String writer, Duration timeout) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(content, "content");
        Arguments.requireText(writer, "writer");
        Arguments.requirePositive(timeout, "timeout");
        Path file = file(name);
        checkWritable(name, timeout);
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "content of '" + name + "' must be at most " + MAX_SIZE + " bytes, but was " + bytes.length);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        ReentrantLock local = IN_PROCESS.computeIfAbsent(file, f -> new ReentrantLock());
        try {
            if (!local.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw lockTimeout(name, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepInterruptedException("waiting for the lock of '" + name + "' was interrupted");
        }
        Path tmpNew = null;
        Path tmpPrevious = null;
        try (FileChannel lockChannel = FileChannel.open(
                        directory.resolve("." + name + "~lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockFile(lockChannel, name, deadline, timeout)) {
            removeStaleTemporaries(name);
            Optional<ConfigDocument> current = load(name, file);
            if (current.isEmpty()) {
                throw new ConfigConflictException(describe() + ": configuration '" + name
                        + "' no longer exists; it was at version " + expected.version() + " when read");
            }
            if (!current.get().sameContentAs(expected)) {
                throw new ConfigConflictException(describe() + ": configuration '" + name
                        + "' changed since it was read (read at version " + expected.version() + ", now at version "
                        + current.get().version() + "); nothing was written");
            }
            PosixFileAttributes attributes = posixAttributes(file);
            tmpNew = writeTemporary(name, bytes, attributes);
            CrashPoints.reach("integrations.config-file.after-temp");
            tmpPrevious = writeTemporary(name, current.get().content().getBytes(StandardCharsets.UTF_8), attributes);
            Files.move(
                    tmpPrevious,
                    previousFile(name),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            tmpPrevious = null;
            syncDirectory();
            CrashPoints.reach("integrations.config-file.after-previous");
            if (!lock.isValid()) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        describe() + ": the lock of '" + name + "' was lost before the rename (its channel was"
                                + " closed); '" + name + "' was left at its old version");
            }
            Files.move(tmpNew, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmpNew = null;
            CrashPoints.reach("integrations.config-file.after-rename");
            syncDirectory();
            return document(name, content);
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    describe() + ": replacing '" + name + "' failed: " + Redaction.describe(e)
                            + "; the file is at its old version or its new one, never a mix",
                    e);
        } finally {
            deleteQuietly(tmpNew);
            deleteQuietly(tmpPrevious);
            local.unlock();
        }
    }

    private FileLock lockFile(FileChannel channel, String name, long deadline, Duration timeout) throws IOException {
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() >= deadline) {
                throw lockTimeout(name, timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException("waiting for the lock of '" + name + "' was interrupted");
            }
        }
    }

    private RollbackException lockTimeout(String name, Duration timeout) {
        return new TransientFailureException(
                describe() + ": another writer held the lock of '" + name + "' for the whole " + timeout, null);
    }

    private Path writeTemporary(String name, byte[] bytes, PosixFileAttributes attributes) throws IOException {
        Path tmp = directory.resolve("." + name + "~" + HexFormat.of().formatHex(randomBytes()) + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw e;
        }
        if (attributes != null) {
            keepAttributes(tmp, attributes, name);
        }
        return tmp;
    }

    private void keepAttributes(Path tmp, PosixFileAttributes attributes, String name) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        try {
            PosixFileAttributes mine = view.readAttributes();
            if (!mine.owner().equals(attributes.owner())) {
                view.setOwner(attributes.owner());
            }
            if (!mine.group().equals(attributes.group())) {
                view.setGroup(attributes.group());
            }
            view.setPermissions(attributes.permissions());
        } catch (FileSystemException e) {
            deleteQuietly(tmp);
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    describe() + ": cannot give the new '" + name + "' the owner "
                            + attributes.owner().getName()
                            + ", group " + attributes.group().getName()
                            + " and permissions of the current file (run as its owner or as root); nothing was replaced",
                    e);
        }
    }

    private static PosixFileAttributes posixAttributes(Path file) throws IOException {
        PosixFileAttributeView view =
                Files.getFileAttributeView(file, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        return view == null ? null : view.readAttributes();
    }

    private void removeStaleTemporaries(String name) throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(directory, "." + name + "~*.tmp")) {
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void syncDirectory() throws IOException {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    private void requireDirectory() {
        if (!Files.isDirectory(directory) || !Files.isReadable(directory)) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    describe() + " is unreachable: " + directory + " is not a readable folder");
        }
    }

    private Optional<ConfigDocument> load(String name, Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            long size = Files.size(file);
            if (size > MAX_SIZE) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        describe() + ": " + file.getFileName() + " holds " + size + " bytes, more than the " + MAX_SIZE
                                + " a configuration may");
            }
            byte[] bytes = Files.readAllBytes(file);
            String text;
            try {
                text = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION, describe() + ": " + file.getFileName() + " is not UTF-8 text");
            }
            return Optional.of(document(name, text));
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    describe() + ": reading '" + file.getFileName() + "' failed: " + Redaction.describe(e),
                    e);
        }
    }

    private static ConfigDocument document(String name, String text) {
        return ConfigDocument.of(name, Digests.sha256(text).substring(0, 12), text);
    }

    private static byte[] randomBytes() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // removed by the next replace
            }
        }
    }

    @Override
    public String toString() {
        return "FileConfigStore[" + directory + "]";
    }
}
