package dev.rollback.core.journal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.internal.PrivateFiles;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.core.journal.internal.AnchorFile;
import dev.rollback.core.journal.internal.ChainScanner;
import dev.rollback.core.journal.internal.FileNames;
import dev.rollback.core.journal.internal.RecordCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Journal} in plain files: one directory, one append-only file per run
 * ({@code <run>.journal}, the run id encoded as a safe file name) beside a small anchor file
 * ({@code <run>.anchor}). One file per run keeps {@link #records(String)} and a resume to one
 * sequential read of that run alone, lets a finished run's file be archived on its own, and keeps
 * a damaged file from touching other runs.
 *
 * <p><b>Format.</b> One record per line: the CRC32C of the JSON, a space, the record as compact JSON
 * written by Jackson, a newline. Each record carries the SHA-256 of the record before it (the first
 * one the hash of a run-specific genesis) and its own hash; with {@link Builder#hmacKey(byte[])} also
 * an HMAC of its hash. See {@code docs/durable-runs.md}.
 *
 * <p><b>Durability.</b> {@link #append(JournalRecord)} returns only after the record's bytes were
 * written and forced to the device ({@link FileChannel#force(boolean)}). With
 * {@linkplain Builder#groupCommit(boolean) group commit}, records appended at the same time by
 * several threads share one force. If a write or a force fails (a full disk), that append and every
 * append of the same run still waiting throw {@link RollbackException} with
 * {@link ErrorCode#JOURNAL_FAILURE}; nothing is acknowledged that was not forced, and the file is cut
 * back to its last forced record when the system allows. Later appends of that run to this instance
 * fail at once (the caller's sequence now has a hole); a new instance reopens, re-verifies and
 * continues the file, as a resume after a restart does.
 *
 * <p><b>Order.</b> Records of a run must arrive with sequence numbers {@code 0, 1, 2, ...}. Threads
 * may call {@code append} concurrently and out of order: a record waits (at most
 * {@link Builder#sequenceGapTimeout(Duration)}) until every record before it was accepted, so the
 * file never has a gap. A record identical to the one its sequence number already holds (a retry) is
 * accepted without being written twice, once that record is forced; a different one is refused with
 * {@link ErrorCode#JOURNAL_FAILURE}. A record whose fencing token is lower than one already journaled
 * for its run is refused with {@link ErrorCode#LOCK_UNAVAILABLE}, because it comes from a stale lock
 * holder. These are the rules of the {@link Journal} contract; the records of an open run keep their
 * 32-byte hashes in memory to check a retry.
 *
 * <p><b>Interrupts.</b> An append goes on when its thread is interrupted, and returns (or throws) with
 * the interrupt flag set again. An interrupt that arrives while this thread writes closes the run's
 * channel: that append and the run's waiting ones fail with {@link ErrorCode#JOURNAL_FAILURE}, and a new
 * instance continues the run (an identical retry is then accepted). Reads on an interrupted thread
 * may fail with {@code JOURNAL_FAILURE}, the flag kept.
 *
 * <p><b>Integrity.</b> Opening a run for append, {@link #records(String)} and
 * {@link #unfinishedRuns()} verify the whole file and throw {@link ErrorCode#JOURNAL_FAILURE}, naming
 * the file and byte offset, on any problem; so no run starts or resumes on a corrupt journal. The
 * one exception is a torn last line (the process died mid-write), which is ignored on read and cut
 * off before the next append. {@link #verify(String)} returns the verdict instead of throwing.
 *
 * <p>Thread-safe. Each run file is locked ({@link FileChannel#tryLock()}) while this journal has it
 * open, so a second process or journal instance cannot append to the same run. The journal never
 * deletes or rewrites a record, never logs a record's content, and never reads the clock.
 */
public final class FileJournal implements Journal, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileJournal.class);
    private static final String JOURNAL_SUFFIX = ".journal";
    private static final String ANCHOR_SUFFIX = ".anchor";

    private final Path directory;
    private final boolean groupCommit;
    private final Duration sequenceGapTimeout;
    private final RecordCodec codec;
    private final ChainScanner scanner;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progress = lock.newCondition();
    private final Map<String, RunFile> openRuns = new HashMap<>();
    private final Map<String, RollbackException> brokenRuns = new HashMap<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private boolean writing;
    private boolean closed;

    private FileJournal(Builder builder) {
        this.directory = builder.directory;
        this.groupCommit = builder.groupCommit;
        this.sequenceGapTimeout = builder.sequenceGapTimeout;
        this.codec = new RecordCodec(Optional.ofNullable(builder.hmacKey));
        this.scanner = new ChainScanner(codec);
    }

    /** A builder; {@link Builder#directory(Path)} is required. */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * A journal in {@code directory} with the defaults: group commit on, no MAC key.
     *
     * @param directory the directory, created if missing
     * @return the journal
     */
    public static FileJournal of(Path directory) {
        return custom().directory(directory).build();
    }

    /** The directory holding the run files. */
    public Path directory() {
        return directory;
    }

    @Override
    public void append(JournalRecord record) {
        Objects.requireNonNull(record, "record");
        Pending pending;
        // An interrupt does not stop an append (it would close the run's channel mid-write); the flag is
        // set aside and restored when the append returns.
        boolean interrupted = Thread.interrupted();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the journal in " + directory + " is closed");
            }
            RunFile file = runFile(record.runId());
            Optional<Pending> original = originalOf(file, record);
            if (original.isPresent()) {
                pending = original.get();
            } else {
                pending = new Pending(record, file);
                admit(pending);
            }
            long deadline = System.nanoTime() + sequenceGapTimeout.toNanos();
            while (pending.state == State.WAITING || pending.state == State.QUEUED) {
                if (pending.state == State.QUEUED && !writing) {
                    lead();
                    continue;
                }
                try {
                    if (pending.state == State.WAITING) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            file.waiting.remove(record.sequence(), pending);
                            pending.fail(new RollbackException(
                                    ErrorCode.JOURNAL_FAILURE,
                                    "record " + record.sequence()
                                            + " of run '" + record.runId() + "' waited " + sequenceGapTimeout
                                            + " for record "
                                            + file.acceptedCount + ", which never came"));
                            progress.signalAll();
                            break;
                        }
                        progress.awaitNanos(left);
                    } else {
                        progress.await();
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (pending.state == State.FAILED) {
            throw pending.failure;
        }
    }

    /**
     * The append already under way or done for {@code record}'s sequence, when {@code record} repeats
     * it identically (a retry), so that the retry shares its outcome; empty for a new sequence.
     *
     * @throws RollbackException {@link ErrorCode#JOURNAL_FAILURE} if a different record holds the sequence
     */
    private Optional<Pending> originalOf(RunFile file, JournalRecord record) {
        long seq = record.sequence();
        Pending waiting = file.waiting.get(seq);
        if (waiting != null) {
            if (identical(waiting.record, record)) {
                return Optional.of(waiting);
            }
            throw conflict(file, record);
        }
        if (seq >= file.acceptedCount) {
            return Optional.empty();
        }
        byte[] stored = file.hashes.get((int) seq);
        if (!MessageDigest.isEqual(codec.encode(record, file.hashBefore(seq)).hash(), stored)) {
            throw conflict(file, record);
        }
        Pending unforced = file.unforced.get(seq);
        return Optional.of(unforced != null ? unforced : Pending.durable(record, file));
    }

    /** Equal in every field, data entries in the same order: what the chain would hash the same. */
    private static boolean identical(JournalRecord a, JournalRecord b) {
        return a.equals(b)
                && List.copyOf(a.data().keySet()).equals(List.copyOf(b.data().keySet()));
    }

    private static RollbackException conflict(RunFile file, JournalRecord record) {
        return new RollbackException(
                ErrorCode.JOURNAL_FAILURE,
                "record " + record.sequence() + " of run '" + record.runId()
                        + "' is refused: a different record already holds that sequence number (the next one is "
                        + file.acceptedCount + ")");
    }

    /** Accepts {@code pending}, a new sequence, into its run's order and queues every record now in sequence. */
    private void admit(Pending pending) {
        RunFile file = pending.file;
        JournalRecord record = pending.record;
        long seq = record.sequence();
        if (record.fencingToken() < file.highestToken) {
            throw new RollbackException(
                    ErrorCode.LOCK_UNAVAILABLE,
                    "record " + seq + " of run '" + record.runId()
                            + "' carries fencing token " + record.fencingToken() + ", older than token "
                            + file.highestToken
                            + " already journaled: it comes from a stale lock holder and is refused");
        }
        file.waiting.put(seq, pending);
        while (!file.waiting.isEmpty() && file.waiting.firstKey() == file.acceptedCount) {
            Pending next = file.waiting.pollFirstEntry().getValue();
            if (next.record.fencingToken() < file.highestToken) {
                next.fail(new RollbackException(
                        ErrorCode.LOCK_UNAVAILABLE,
                        "record " + next.record.sequence()
                                + " of run '" + next.record.runId()
                                + "' carries a fencing token older than one journaled"
                                + " before it; refused"));
                break;
            }
            RecordCodec.Encoded encoded = codec.encode(next.record, file.acceptedHead);
            next.line = encoded.line();
            next.hash = encoded.hash();
            next.state = State.QUEUED;
            file.acceptedHead = encoded.hash();
            file.hashes.add(encoded.hash());
            file.unforced.put(next.record.sequence(), next);
            file.acceptedCount++;
            file.highestToken = next.record.fencingToken();
            queue.add(next);
        }
    }

    /** Writes and forces the queued records as the one leader; called and returns with the lock held. */
    private void lead() {
        writing = true;
        Map<RunFile, List<Pending>> batch = new LinkedHashMap<>();
        do {
            Pending next = queue.poll();
            batch.computeIfAbsent(next.file, f -> new ArrayList<>()).add(next);
        } while (groupCommit && !queue.isEmpty());
        Map<RunFile, RollbackException> failures = new HashMap<>();
        lock.unlock();
        // A channel written by an interrupted thread is closed (ClosedByInterruptException), for every
        // run in the batch: write with the flag set aside (close() may lead on any thread).
        boolean interrupted = Thread.interrupted();
        try {
            batch.forEach((file, records) -> file.write(records).ifPresent(e -> failures.put(file, e)));
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            lock.lock();
            batch.forEach((file, records) -> {
                records.forEach(p -> file.unforced.remove(p.record.sequence()));
                RollbackException failure = failures.get(file);
                if (failure == null) {
                    records.forEach(p -> p.state = State.DURABLE);
                    if (file.finished() && file.acceptedCount == file.durableCount && file.waiting.isEmpty()) {
                        closeRun(file);
                    }
                } else {
                    records.forEach(p -> p.fail(failure));
                    brokenRuns.put(file.runId, failure);
                    abandon(file, failure);
                }
            });
            writing = false;
            progress.signalAll();
        }
    }

    /** Fails every record of {@code file} not yet written and forgets the file, so it is reopened and re-verified. */
    private void abandon(RunFile file, RollbackException cause) {
        queue.removeIf(p -> {
            if (p.file == file) {
                p.fail(notWritten(p, cause));
                return true;
            }
            return false;
        });
        file.waiting.values().forEach(p -> p.fail(notWritten(p, cause)));
        file.waiting.clear();
        file.unforced.values().forEach(p -> p.fail(notWritten(p, cause)));
        file.unforced.clear();
        closeRun(file);
    }

    private static RollbackException notWritten(Pending p, RollbackException cause) {
        return new RollbackException(
                ErrorCode.JOURNAL_FAILURE,
                "record " + p.record.sequence() + " of run '" + p.record.runId()
                        + "' was not written: an earlier record of the run failed",
                cause);
    }

    private void closeRun(RunFile file) {
        openRuns.remove(file.runId, file);
        file.close();
    }

    /** The open file of {@code runId}, opening and verifying it first if needed; lock held. */
    private RunFile runFile(String runId) {
        RollbackException broken = brokenRuns.get(runId);
        if (broken != null) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "an earlier append of run '" + runId
                            + "' failed, so its sequence has a hole; a new journal instance can resume the run",
                    broken);
        }
        RunFile file = openRuns.get(runId);
        if (file == null) {
            file = RunFile.open(runId, journalPath(runId), anchorPath(runId), scanner, directory);
            openRuns.put(runId, file);
        }
        return file;
    }

    @Override
    public List<JournalRecord> records(String runId) {
        ChainScanner.Scan scan = scan(runId);
        JournalVerification verification = scan.verification();
        if (verification.finding() == JournalVerification.Finding.NO_SUCH_RUN) {
            return List.of();
        }
        if (!verification.verified()) {
            throw new RollbackException(ErrorCode.JOURNAL_FAILURE, "corrupt " + verification.describe());
        }
        return scan.records();
    }

    /**
     * Verifies the journal of {@code runId}: every checksum, hash, chain link, MAC (with a key) and
     * the anchor. Never throws for what it finds; a verdict says it. A file journal always keeps a
     * chain, so the answer is never empty.
     *
     * @param runId the run
     * @return the verdict, with the record count and head hash when it verified
     * @throws RollbackException with {@link ErrorCode#JOURNAL_FAILURE} if the files cannot be read
     */
    @Override
    public Optional<JournalVerification> verify(String runId) {
        return Optional.of(scan(runId).verification());
    }

    private ChainScanner.Scan scan(String runId) {
        Objects.requireNonNull(runId, "runId");
        Path journal = journalPath(runId);
        try {
            return scanner.scan(runId, journal, anchorPath(runId));
        } catch (IOException e) {
            throw new RollbackException(ErrorCode.JOURNAL_FAILURE, "cannot read journal " + journal + ": " + e, e);
        }
    }

    /**
     * Every run this directory holds a journal file for, finished or not, in the order of their file
     * names; reads no record, so it works on a damaged journal too (for tools that verify or list
     * them one by one).
     *
     * @return the run ids
     * @throws RollbackException with {@link ErrorCode#JOURNAL_FAILURE} if the directory cannot be
     *     listed or holds a journal file no journal wrote
     */
    public List<String> runs() {
        List<String> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(JOURNAL_SUFFIX)) {
                    runs.add(runIdOf(file, name));
                }
            }
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE, "cannot list journal directory " + directory + ": " + e, e);
        }
        return List.copyOf(runs);
    }

    @Override
    public List<String> unfinishedRuns() {
        List<String> runs = new ArrayList<>();
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith(JOURNAL_SUFFIX)) {
                    // One corrupt or stray file blocks only its own run: it is named in the log and skipped,
                    // never offered for resume, and every other run is still listed.
                    try {
                        String runId = runIdOf(file, name);
                        List<JournalRecord> records = records(runId);
                        if (records.stream().anyMatch(r -> r.type() == JournalRecord.Type.RUN_STARTED)
                                && records.stream().noneMatch(r -> r.type() == JournalRecord.Type.RUN_FINISHED)) {
                            runs.add(runId);
                        }
                    } catch (RollbackException e) {
                        LOG.warn("{} is not offered for resume: {}", file, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE, "cannot list journal directory " + directory + ": " + e, e);
        }
        return List.copyOf(runs);
    }

    private static String runIdOf(Path file, String name) {
        try {
            return FileNames.decode(name.substring(0, name.length() - JOURNAL_SUFFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "journal directory holds " + file + ", which no journal wrote (its name is not an encoded run id)",
                    e);
        }
    }

    /**
     * Waits for records being written, then closes every open run file. Appends after this throw
     * {@link IllegalStateException}; reads and {@link #verify(String)} still work. Closing twice is harmless.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            while (writing || !queue.isEmpty()) {
                if (!writing) {
                    lead();
                } else {
                    progress.awaitUninterruptibly();
                }
            }
            for (RunFile file : List.copyOf(openRuns.values())) {
                abandon(file, new RollbackException(ErrorCode.JOURNAL_FAILURE, "the journal was closed"));
            }
            progress.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private Path journalPath(String runId) {
        return directory.resolve(FileNames.encode("runId", runId) + JOURNAL_SUFFIX);
    }

    private Path anchorPath(String runId) {
        return directory.resolve(FileNames.encode("runId", runId) + ANCHOR_SUFFIX);
    }

    @Override
    public String toString() {
        return "FileJournal[" + directory + (groupCommit ? ", group commit" : "")
                + (codec.authenticates() ? ", authenticated" : "") + "]";
    }

    private enum State {
        WAITING,
        QUEUED,
        DURABLE,
        FAILED
    }

    /** One append in flight; guarded by the journal's lock, except {@code line} and {@code hash}, set once before queuing. */
    private static final class Pending {
        final JournalRecord record;
        final RunFile file;
        State state = State.WAITING;
        byte[] line;
        byte[] hash;
        RollbackException failure;

        Pending(JournalRecord record, RunFile file) {
            this.record = record;
            this.file = file;
        }

        /** A retry of a record already forced: nothing to wait for. */
        static Pending durable(JournalRecord record, RunFile file) {
            Pending done = new Pending(record, file);
            done.state = State.DURABLE;
            return done;
        }

        void fail(RollbackException cause) {
            if (state != State.DURABLE) {
                state = State.FAILED;
                failure = cause;
            }
        }
    }

    /**
     * One run's open file. The accepted fields and {@code waiting} are guarded by the journal's lock;
     * the channel and the durable fields are used only by the one leader writing at a time.
     */
    private static final class RunFile {
        final String runId;
        final Path path;
        final FileChannel channel;
        final AnchorFile anchor;
        final TreeMap<Long, Pending> waiting = new TreeMap<>();
        /** The hash of every accepted record, by sequence: what an identical retry is checked against. */
        final List<byte[]> hashes;
        /** Accepted records not yet forced, by sequence: what an identical retry waits for. */
        final Map<Long, Pending> unforced = new HashMap<>();

        long acceptedCount;
        byte[] acceptedHead;
        long highestToken;
        long durableCount;
        long durableLength;
        JournalRecord.Type lastDurableType;

        private RunFile(String runId, Path path, FileChannel channel, AnchorFile anchor, ChainScanner.Scan scan) {
            this.runId = runId;
            this.path = path;
            this.channel = channel;
            this.anchor = anchor;
            this.hashes = new ArrayList<>(scan.hashes());
            this.acceptedCount = scan.records().size();
            this.durableCount = acceptedCount;
            this.acceptedHead = scan.head();
            this.durableLength = scan.validLength();
            this.highestToken = scan.records().stream()
                    .mapToLong(JournalRecord::fencingToken)
                    .max()
                    .orElse(0);
            this.lastDurableType = scan.records().isEmpty()
                    ? null
                    : scan.records().get(scan.records().size() - 1).type();
        }

        /**
         * Opens, locks and verifies the file of {@code runId}, creating it if needed, and cuts off a
         * torn tail. The lock lives as long as the channel: closing the channel releases it.
         */
        static RunFile open(String runId, Path path, Path anchorPath, ChainScanner scanner, Path directory) {
            FileChannel channel = null;
            AnchorFile anchor = null;
            try {
                boolean created = !Files.exists(path);
                anchor = AnchorFile.open(anchorPath);
                channel = PrivateFiles.open(
                        path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                if (tryLock(channel) == null) {
                    throw new RollbackException(
                            ErrorCode.JOURNAL_FAILURE,
                            "journal " + path + " is open for appending by another process or journal instance");
                }
                if (created) {
                    forceDirectory(directory);
                }
                ChainScanner.Scan scan = scanner.scan(runId, path, anchorPath);
                if (!scan.verification().verified()) {
                    throw new RollbackException(
                            ErrorCode.JOURNAL_FAILURE,
                            "refusing to append to corrupt "
                                    + scan.verification().describe());
                }
                if (scan.tornTail()) {
                    LOG.warn(
                            "journal {} ends in a torn record (a crash mid-write); cutting it off at byte {}",
                            path,
                            scan.validLength());
                    channel.truncate(scan.validLength());
                    channel.force(true);
                }
                return new RunFile(runId, path, channel, anchor, scan);
            } catch (IOException | RuntimeException e) {
                closeQuietly(channel, anchor);
                if (e instanceof RollbackException re) {
                    throw re;
                }
                throw new RollbackException(ErrorCode.JOURNAL_FAILURE, "cannot open journal " + path + ": " + e, e);
            }
        }

        private static FileLock tryLock(FileChannel channel) throws IOException {
            try {
                return channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return null;
            }
        }

        /** Writes, forces and anchors {@code records}; outside the journal's lock, by the leader only. */
        Optional<RollbackException> write(List<Pending> records) {
            long position = durableLength;
            try {
                for (Pending p : records) {
                    CrashPoints.reach("journal.before-append");
                    ByteBuffer buffer = ByteBuffer.wrap(p.line);
                    while (buffer.hasRemaining()) {
                        position += channel.write(buffer, position);
                    }
                }
                CrashPoints.reach("journal.after-write");
                channel.force(false);
                CrashPoints.reach("journal.after-fsync");
                Pending last = records.get(records.size() - 1);
                durableLength = position;
                durableCount += records.size();
                lastDurableType = last.record.type();
                anchor.write(durableCount, last.hash);
                return Optional.empty();
            } catch (IOException e) {
                cutBack();
                Pending first = records.get(0);
                return Optional.of(new RollbackException(
                        ErrorCode.JOURNAL_FAILURE,
                        "cannot append record " + first.record.sequence() + " of run '" + runId + "' to journal " + path
                                + ": " + e,
                        e));
            }
        }

        /** Cuts the file back to its last forced record, so nothing unacknowledged stays behind if possible. */
        private void cutBack() {
            try {
                channel.truncate(durableLength);
                channel.force(true);
            } catch (IOException e) {
                LOG.warn(
                        "journal {} could not be cut back to byte {} after a failed append: {}",
                        path,
                        durableLength,
                        e.toString());
            }
        }

        /** The hash record {@code sequence} (accepted, or the next) is chained after. */
        byte[] hashBefore(long sequence) {
            return sequence == 0 ? RecordCodec.genesis(runId) : hashes.get((int) sequence - 1);
        }

        boolean finished() {
            return lastDurableType == JournalRecord.Type.RUN_FINISHED;
        }

        void close() {
            closeQuietly(channel, anchor);
        }

        private static void closeQuietly(FileChannel channel, AnchorFile anchor) {
            try {
                if (channel != null) {
                    channel.close();
                }
                if (anchor != null) {
                    anchor.close();
                }
            } catch (IOException e) {
                LOG.warn("closing a journal file failed: {}", e.toString());
            }
        }

        private static void forceDirectory(Path directory) throws IOException {
            try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
                dir.force(true);
            }
        }
    }

    /**
     * Builds a {@link FileJournal}. Not thread-safe; {@link #build()} may be called again and never
     * changes a journal already built.
     */
    public static final class Builder {
        private Path directory;
        private boolean groupCommit = true;
        private Duration sequenceGapTimeout = Duration.ofSeconds(10);
        private byte[] hmacKey;

        private Builder() {}

        /**
         * The directory holding one journal and one anchor file per run; required. Created on
         * {@link #build()} if missing.
         *
         * @param directory the directory
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
            return this;
        }

        /**
         * Whether records appended at the same time by several threads share one write and one
         * force; default {@code true}, which costs a lone appender nothing. With {@code false}
         * every record is forced on its own.
         *
         * @param groupCommit whether to batch concurrent appends
         * @return this builder
         */
        public Builder groupCommit(boolean groupCommit) {
            this.groupCommit = groupCommit;
            return this;
        }

        /**
         * How long a record that arrives before its predecessor waits for it before the append
         * fails with {@link ErrorCode#JOURNAL_FAILURE}; default 10 seconds, must be positive.
         *
         * @param sequenceGapTimeout the longest wait
         * @return this builder
         */
        public Builder sequenceGapTimeout(Duration sequenceGapTimeout) {
            Objects.requireNonNull(sequenceGapTimeout, "sequenceGapTimeout");
            if (sequenceGapTimeout.isZero() || sequenceGapTimeout.isNegative()) {
                throw new IllegalArgumentException(
                        "sequenceGapTimeout must be positive, but was " + sequenceGapTimeout);
            }
            this.sequenceGapTimeout = sequenceGapTimeout;
            return this;
        }

        /**
         * A secret key, at least 16 bytes, with which every record's hash is authenticated
         * (HMAC-SHA256), so a chain rebuilt as a whole by someone without the key is detected and its
         * first record named. Default: none. The key is copied, never written to the journal, logged,
         * or shown by {@code toString}. A journal verified with a key rejects records without a MAC.
         *
         * @param hmacKey the key
         * @return this builder
         */
        public Builder hmacKey(byte[] hmacKey) {
            Objects.requireNonNull(hmacKey, "hmacKey");
            if (hmacKey.length < 16) {
                throw new IllegalArgumentException(
                        "hmacKey must be at least 16 bytes, but was " + hmacKey.length + " bytes");
            }
            this.hmacKey = hmacKey.clone();
            return this;
        }

        /**
         * Builds the journal, creating the directory if needed.
         *
         * @return the journal
         * @throws IllegalStateException if no directory was set
         * @throws RollbackException with {@link ErrorCode#JOURNAL_FAILURE} if the directory cannot be
         *     created or written, naming it
         */
        public FileJournal build() {
            if (directory == null) {
                throw new IllegalStateException("directory is required");
            }
            try {
                PrivateFiles.createDirectories(directory)
                        .ifPresent(change -> LOG.warn(
                                "journal directory {} could be read by group or others ({}): made private",
                                directory,
                                change));
            } catch (IOException e) {
                throw new RollbackException(
                        ErrorCode.JOURNAL_FAILURE, "cannot create journal directory " + directory + ": " + e, e);
            }
            if (!Files.isWritable(directory)) {
                throw new RollbackException(
                        ErrorCode.JOURNAL_FAILURE, "journal directory " + directory + " is not writable");
            }
            return new FileJournal(this);
        }
    }
}
