package dev.rollback.core.lock;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.PrivateFiles;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.journal.internal.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link RunLock} for the processes of one host, built on the operating system's file locks:
 * for each key, {@code <key>.lock} in one directory is locked with {@link FileChannel#tryLock()}.
 * The kernel releases the lock when its holder dies, even by SIGKILL, so a crashed runner never
 * blocks the next one.
 *
 * <p><b>Fencing tokens.</b> While holding the lock, the next token is read, incremented and
 * persisted before the lease is handed out: atomically in {@code <key>.token} (written to a
 * temporary file, forced, renamed, directory forced) and as a second copy inside the lock file; the
 * next token is one more than the larger of the two. So tokens only grow across releases, restarts
 * and new instances on the same directory, even if one of the two files is deleted.
 *
 * <p><b>Fail closed.</b> A directory that cannot be created or written, or a token file that cannot
 * be read or persisted, makes {@link #tryAcquire(String, Duration)} throw {@link RollbackException}
 * with {@link ErrorCode#LOCK_UNAVAILABLE} naming the directory; it never hands out a lease it could
 * not fence.
 *
 * <p>Lock files are never deleted (deleting one would let a second holder lock a new file of the same
 * name); {@link RunLease#isHeld()} turns false if someone does, and stays false. Within one JVM a
 * key whose lease was lost that way stays taken until that lease is closed. Only the processes of one
 * host (one kernel) are coordinated: do not put the directory on a network file system. Thread-safe;
 * within one JVM, all instances share which keys are held, so threads exclude each other as processes
 * do. These are the rules of the {@link RunLock} contract; the store is the directory.
 */
public final class FileRunLock implements RunLock {
    /** Lock files held by this JVM; a second channel on a held file is never opened (closing it would drop the POSIX lock). */
    private static final Set<Path> HELD_IN_THIS_JVM = ConcurrentHashMap.newKeySet();

    private static final int TOKEN_COPY_BYTES = 20;

    private final Path directory;
    private final Duration pollInterval;

    private FileRunLock(Builder builder) {
        this.directory = builder.directory;
        this.pollInterval = builder.pollInterval;
    }

    /** A builder; {@link Builder#directory(Path)} is required. */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * A lock in {@code directory} with the defaults.
     *
     * @param directory the lock directory, created on first use if missing
     * @return the lock
     */
    public static FileRunLock of(Path directory) {
        return custom().directory(directory).build();
    }

    /** The lock directory. */
    public Path directory() {
        return directory;
    }

    @Override
    public Optional<RunLease> tryAcquire(String key, Duration wait) throws InterruptedException {
        String stem = FileNames.encode("key", key);
        Objects.requireNonNull(wait, "wait");
        if (wait.isNegative()) {
            throw new IllegalArgumentException("wait must not be negative, but was " + wait);
        }
        ensureDirectory();
        Path lockFile = directory.resolve(stem + ".lock");
        Path tokenFile = directory.resolve(stem + ".token");
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            Optional<RunLease> lease = attempt(key, lockFile, tokenFile);
            long left = deadline - System.nanoTime();
            if (lease.isPresent() || left <= 0) {
                return lease;
            }
            Thread.sleep(Math.max(1, Math.min(pollInterval.toMillis(), left / 1_000_000)));
        }
    }

    private Optional<RunLease> attempt(String key, Path lockFile, Path tokenFile) {
        if (!HELD_IN_THIS_JVM.add(lockFile)) {
            return Optional.empty();
        }
        FileChannel channel = null;
        try {
            channel = PrivateFiles.open(
                    lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                HELD_IN_THIS_JVM.remove(lockFile);
                return Optional.empty();
            }
            long token = nextToken(channel, tokenFile);
            Object fileKey =
                    Files.readAttributes(lockFile, BasicFileAttributes.class).fileKey();
            return Optional.of(new Lease(key, token, channel, lockFile, fileKey));
        } catch (IOException | RuntimeException e) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            HELD_IN_THIS_JVM.remove(lockFile);
            throw new RollbackException(
                    ErrorCode.LOCK_UNAVAILABLE,
                    "cannot take run lock '" + lockFile.getFileName() + "' in lock directory " + directory + ": " + e,
                    e);
        }
    }

    /** Reads both copies of the last token, persists the next one in both, returns it; lock held. */
    private long nextToken(FileChannel lockChannel, Path tokenFile) throws IOException {
        long last = Math.max(readSidecar(tokenFile), readCopy(lockChannel));
        long next = Math.addExact(last, 1);
        byte[] text = (next + "\n").getBytes(StandardCharsets.US_ASCII);
        Path temporary = tokenFile.resolveSibling(tokenFile.getFileName() + ".tmp");
        try (FileChannel out = PrivateFiles.open(
                temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(out, ByteBuffer.wrap(text), 0);
            out.force(true);
        }
        Files.move(temporary, tokenFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        }
        ByteBuffer copy = ByteBuffer.allocate(TOKEN_COPY_BYTES);
        copy.put(text).rewind();
        writeFully(lockChannel, copy, 0);
        lockChannel.force(true);
        return next;
    }

    private static long readSidecar(Path tokenFile) throws IOException {
        String text;
        try {
            text = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
        } catch (NoSuchFileException e) {
            return 0;
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException("fencing token file " + tokenFile + " is unreadable", e);
        }
    }

    /** The copy in the lock file; a backup only, so an unreadable copy counts as none. */
    private static long readCopy(FileChannel lockChannel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(TOKEN_COPY_BYTES);
        lockChannel.read(buffer, 0);
        String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    private void ensureDirectory() {
        try {
            PrivateFiles.createDirectories(directory);
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.LOCK_UNAVAILABLE, "lock directory " + directory + " is unreachable: " + e, e);
        }
        if (!Files.isWritable(directory)) {
            throw new RollbackException(ErrorCode.LOCK_UNAVAILABLE, "lock directory " + directory + " is not writable");
        }
    }

    @Override
    public String toString() {
        return "FileRunLock[" + directory + "]";
    }

    private static final class Lease implements RunLease {
        private final String key;
        private final long token;
        private final FileChannel channel;
        private final Path lockFile;
        private final Object fileKey;
        private final AtomicBoolean held = new AtomicBoolean(true);
        /** Set once the lock file was found gone or replaced: a lost lease is never held again. */
        private volatile boolean lost;

        Lease(String key, long token, FileChannel channel, Path lockFile, Object fileKey) {
            this.key = key;
            this.token = token;
            this.channel = channel;
            this.lockFile = lockFile;
            this.fileKey = fileKey;
        }

        @Override
        public String key() {
            return key;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        /** False once closed, and from the moment the lock file was found deleted or replaced since it was locked. */
        @Override
        public boolean isHeld() {
            if (!held.get() || lost || !channel.isOpen()) {
                return false;
            }
            boolean same;
            try {
                same = Objects.equals(
                        fileKey,
                        Files.readAttributes(lockFile, BasicFileAttributes.class)
                                .fileKey());
            } catch (IOException e) {
                same = false;
            }
            if (!same) {
                lost = true;
            }
            return same;
        }

        @Override
        public void close() {
            if (held.compareAndSet(true, false)) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // Closing the descriptor releases the lock even when close reports an error.
                } finally {
                    HELD_IN_THIS_JVM.remove(lockFile);
                }
            }
        }

        @Override
        public String toString() {
            return "RunLease[" + key + ", token " + token + (held.get() ? ", held" : ", released") + "]";
        }
    }

    /**
     * Builds a {@link FileRunLock}. Not thread-safe; {@link #build()} may be called again and never
     * changes a lock already built.
     */
    public static final class Builder {
        private Path directory;
        private Duration pollInterval = Duration.ofMillis(50);

        private Builder() {}

        /**
         * The directory of lock and token files, on a local file system; required. Created on first
         * acquisition if missing.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory")
                    .toAbsolutePath()
                    .normalize();
            return this;
        }

        /**
         * How often a waiting {@code tryAcquire} tries again; default 50 ms, from 1 ms to 10 s.
         *
         * @param pollInterval the interval
         * @return this builder
         */
        public Builder pollInterval(Duration pollInterval) {
            Objects.requireNonNull(pollInterval, "pollInterval");
            if (pollInterval.compareTo(Duration.ofMillis(1)) < 0
                    || pollInterval.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException(
                        "pollInterval must be between 1 ms and 10 s, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * Builds the lock; the directory is checked on each acquisition, so a lock built while it is
         * unreachable fails closed then.
         *
         * @return the lock
         * @throws IllegalStateException if no directory was set
         */
        public FileRunLock build() {
            if (directory == null) {
                throw new IllegalStateException("directory is required");
            }
            return new FileRunLock(this);
        }
    }
}
