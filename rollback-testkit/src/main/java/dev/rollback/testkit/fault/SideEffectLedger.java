package dev.rollback.testkit.fault;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only file of side effects, shared by the test and its child JVM nodes: each node
 * records what it did ({@link LedgerEntry}), the test reads every entry after the fault and hands
 * them to the {@link InvariantChecker}.
 *
 * <p>One entry is one line, written with a single {@code write} on a file opened with
 * {@code O_APPEND} while holding an exclusive {@link FileLock}, then forced to disk, so entries of
 * concurrent processes never interleave and an entry recorded before a SIGKILL is kept. A line torn
 * by a crash inside {@code write} (no newline) is ignored on read. Thread-safe and process-safe.
 */
public final class SideEffectLedger {
    /**
     * A JVM may hold only one lock on a file region (a second {@code lock()} from another thread
     * throws OverlappingFileLockException), so threads of one JVM take turns on this monitor before
     * taking the file lock that keeps other processes out.
     */
    private static final ConcurrentHashMap<Path, Object> IN_JVM = new ConcurrentHashMap<>();

    private final Path file;

    private SideEffectLedger(Path file) {
        this.file = file;
    }

    /** The ledger in {@code file} (created on first record). */
    public static SideEffectLedger at(Path file) {
        return new SideEffectLedger(Objects.requireNonNull(file, "file").toAbsolutePath());
    }

    /** The ledger's file (pass it to child JVMs). */
    public Path file() {
        return file;
    }

    /** Appends {@code entry} and forces it to disk before returning. */
    public void record(LedgerEntry entry) {
        ByteBuffer line =
                ByteBuffer.wrap(Objects.requireNonNull(entry, "entry").toLine().getBytes(StandardCharsets.UTF_8));
        synchronized (IN_JVM.computeIfAbsent(file, f -> new Object())) {
            append(line);
        }
    }

    @SuppressWarnings("try") // the file lock is held for the body's duration, never read
    private void append(ByteBuffer line) {
        try (FileChannel channel = FileChannel.open(
                        file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                FileLock ignored = channel.lock()) {
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the side-effect ledger " + file, e);
        }
    }

    /** Every complete entry, in the order written; empty if nothing was recorded. */
    public List<LedgerEntry> entries() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8);
            List<LedgerEntry> entries = new ArrayList<>();
            int start = 0;
            for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
                entries.add(LedgerEntry.parse(text.substring(start, end)));
                start = end + 1;
            }
            return List.copyOf(entries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the side-effect ledger " + file, e);
        }
    }

    @Override
    public String toString() {
        return "SideEffectLedger[" + file + "]";
    }
}
