package dev.rollback.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * SHA-256 and size of a backup (one file, or every regular file under a folder), as recorded in
 * the {@code .sha256} file next to it: {@code <hex digest> <bytes> <files> <scheme>}.
 *
 * <p>{@link Scheme#CHUNKED} (written by every backup now): the lowercase hex SHA-256 over, for each
 * file in the order of its path relative to the folder ({@link Path#compareTo}; the name is empty
 * for a single file): the relative name in UTF-8, one NUL byte, the file's size as 8 bytes
 * big-endian, then the 32-byte SHA-256 of each consecutive {@value #CHUNK_BYTES}-byte chunk of the
 * file (the last one shorter; none for an empty file). The chunks are independent, so they are
 * hashed on several threads: one large file (a plain dump, the biggest table of a directory dump)
 * is no longer bounded by one core. Names end at the NUL and the size fixes the number of chunk
 * digests, so the encoding is unambiguous and the root is as collision-resistant as SHA-256.
 *
 * <p>{@link Scheme#WHOLE} (backups written before; its sidecar line has no scheme word): the SHA-256
 * over each file's relative name, a NUL, and its bytes, in the same order, on one thread. Kept so
 * that those backups can still be verified.
 */
public final class Hashing {
    /** The chunk size of {@link Scheme#CHUNKED}: 4 MiB. Part of the definition; never change it. */
    public static final int CHUNK_BYTES = 4 << 20;

    // 256 KiB reads: large enough that a read costs little next to hashing it, small enough to stay in cache.
    private static final int READ_BYTES = 256 << 10;

    private Hashing() {}

    /** How a digest was computed; its {@link #word()} is the last word of the sidecar line. */
    public enum Scheme {
        /** Whole files streamed through one SHA-256 (the first definition; no word in the sidecar). */
        WHOLE(""),
        /** SHA-256 over per-chunk SHA-256s (the current definition). */
        CHUNKED("sha256-chunks-4MiB");

        private final String word;

        Scheme(String word) {
            this.word = word;
        }

        /** The word naming this scheme in a sidecar line (empty for {@link #WHOLE}). */
        public String word() {
            return word;
        }
    }

    /**
     * The digest and size of a backup.
     *
     * @param sha256 lowercase hex digest, as the {@code scheme} defines it
     * @param bytes the total size of the files
     * @param files how many files
     * @param scheme how {@code sha256} was computed
     */
    public record Digest(String sha256, long bytes, int files, Scheme scheme) {
        /** Validates. */
        public Digest {
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(scheme, "scheme");
        }

        /** The line of the {@code .sha256} file: {@code <hex> <bytes> <files>[ <scheme>]} and a newline. */
        public String sidecarLine() {
            return sha256 + " " + bytes + " " + files + (scheme.word().isEmpty() ? "" : " " + scheme.word()) + "\n";
        }
    }

    /**
     * What a {@code .sha256} file recorded.
     *
     * @param sha256 the hex digest
     * @param bytes the size, as written (a number for a well-formed file)
     * @param scheme the scheme it names ({@link Scheme#WHOLE} when it names none)
     */
    public record Recorded(String sha256, String bytes, Scheme scheme) {}

    /**
     * Parses a sidecar line.
     *
     * @throws IllegalArgumentException if it has fewer than three words, or names an unknown scheme
     */
    public static Recorded parseSidecar(String line) {
        String[] words = line.strip().split(" ");
        if (words.length < 3) {
            throw new IllegalArgumentException(
                    "expected '<sha256> <bytes> <files> [scheme]' but found '" + line.strip() + "'");
        }
        if (words.length == 3) {
            return new Recorded(words[0], words[1], Scheme.WHOLE);
        }
        for (Scheme s : Scheme.values()) {
            if (!s.word().isEmpty() && s.word().equals(words[3])) {
                return new Recorded(words[0], words[1], s);
            }
        }
        throw new IllegalArgumentException("unknown checksum scheme '" + words[3] + "'");
    }

    /** Hashes {@code root} (a file or a folder) by {@link Scheme#CHUNKED}, on one thread per available processor. */
    public static Digest digest(Path root) throws IOException {
        return digest(root, Scheme.CHUNKED, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Hashes {@code root} (a file or a folder) by {@code scheme}.
     *
     * @param threads at most this many threads hash chunks ({@link Scheme#CHUNKED} only; 1 hashes
     *     on the caller's thread)
     * @throws IOException if a file cannot be read, or its size changed while it was hashed
     * @throws InterruptedIOException if the calling thread is interrupted (its flag stays set)
     */
    public static Digest digest(Path root, Scheme scheme, int threads) throws IOException {
        Objects.requireNonNull(scheme, "scheme");
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, but was " + threads);
        }
        boolean folder = Files.isDirectory(root);
        List<Path> files;
        if (folder) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(root);
        }
        List<String> names = files.stream()
                .map(f -> folder ? root.relativize(f).toString() : "")
                .toList();
        return scheme == Scheme.WHOLE ? whole(files, names) : chunked(files, names, threads);
    }

    private static Digest whole(List<Path> files, List<String> names) throws IOException {
        MessageDigest md = sha256();
        long bytes = 0;
        byte[] buffer = new byte[READ_BYTES];
        for (int i = 0; i < files.size(); i++) {
            md.update(names.get(i).getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(files.get(i))) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    md.update(buffer, 0, n);
                    bytes += n;
                }
            }
        }
        return new Digest(HexFormat.of().formatHex(md.digest()), bytes, files.size(), Scheme.WHOLE);
    }

    /** One chunk to hash: file {@code file}, bytes [{@code offset}, {@code offset + length}), digest at {@code slot}. */
    private record Chunk(Path path, long offset, int length, int slot) {}

    /**
     * Hashes one file by {@link Scheme#CHUNKED} on one thread per available processor, taking the
     * digests of its first whole chunks from {@code known} (a {@link Follower}'s, in order) instead
     * of reading them again.
     */
    public static Digest digest(Path file, List<byte[]> known) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + " is a folder; known chunk digests are for one file");
        }
        return chunked(List.of(file), List.of(""), Runtime.getRuntime().availableProcessors(), known);
    }

    private static Digest chunked(List<Path> files, List<String> names, int threads) throws IOException {
        return chunked(files, names, threads, List.of());
    }

    /** {@code known}: digests of the first whole chunks of the first file. */
    private static Digest chunked(List<Path> files, List<String> names, int threads, List<byte[]> known)
            throws IOException {
        long[] sizes = new long[files.size()];
        List<Chunk> chunks = new ArrayList<>();
        List<byte[]> prefilled = new ArrayList<>();
        int slots = 0;
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            sizes[i] = Files.size(files.get(i));
            bytes += sizes[i];
            for (long offset = 0; offset < sizes[i]; offset += CHUNK_BYTES) {
                int length = (int) Math.min(CHUNK_BYTES, sizes[i] - offset);
                if (i == 0 && slots < known.size() && length == CHUNK_BYTES) {
                    prefilled.add(known.get(slots));
                } else {
                    chunks.add(new Chunk(files.get(i), offset, length, slots));
                }
                slots++;
            }
        }
        byte[][] digests = new byte[slots][];
        for (int slot = 0; slot < prefilled.size(); slot++) {
            digests[slot] = prefilled.get(slot);
        }
        int workers = Math.min(threads, chunks.size());
        if (chunks.isEmpty()) {
            // every chunk was known
        } else if (workers <= 1) {
            new ChunkWorker(chunks, digests, new AtomicInteger()).call();
        } else {
            hashInParallel(chunks, digests, workers);
        }
        MessageDigest root = sha256();
        int slot = 0;
        for (int i = 0; i < files.size(); i++) {
            // A file that grew or shrank since its size was taken would make the digest describe no real state of it.
            if (Files.size(files.get(i)) != sizes[i]) {
                throw new IOException(files.get(i) + " changed size while it was hashed");
            }
            root.update(names.get(i).getBytes(StandardCharsets.UTF_8));
            root.update((byte) 0);
            root.update(ByteBuffer.allocate(Long.BYTES).putLong(sizes[i]).array());
            for (long offset = 0; offset < sizes[i]; offset += CHUNK_BYTES) {
                root.update(digests[slot++]);
            }
        }
        return new Digest(HexFormat.of().formatHex(root.digest()), bytes, files.size(), Scheme.CHUNKED);
    }

    private static void hashInParallel(List<Chunk> chunks, byte[][] digests, int workers) throws IOException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger number = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "rollback-hash-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Void>> running = new ArrayList<>();
            for (int i = 0; i < workers; i++) {
                running.add(pool.submit(new ChunkWorker(chunks, digests, next)));
            }
            for (Future<Void> f : running) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("hashing was interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("hashing failed", e.getCause());
        } finally {
            // Stops the other workers at once when one failed or the caller was interrupted.
            pool.shutdownNow();
        }
    }

    /** Takes chunks off a shared counter until none is left, so that fast threads take more. */
    private static final class ChunkWorker implements Callable<Void> {
        private final List<Chunk> chunks;
        private final byte[][] digests;
        private final AtomicInteger next;

        ChunkWorker(List<Chunk> chunks, byte[][] digests, AtomicInteger next) {
            this.chunks = chunks;
            this.digests = digests;
            this.next = next;
        }

        @Override
        public Void call() throws IOException {
            MessageDigest md = sha256();
            ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
            for (int i = next.getAndIncrement(); i < chunks.size(); i = next.getAndIncrement()) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("hashing was interrupted");
                }
                Chunk chunk = chunks.get(i);
                try (FileChannel channel = FileChannel.open(chunk.path(), StandardOpenOption.READ)) {
                    long position = chunk.offset();
                    long end = chunk.offset() + chunk.length();
                    while (position < end) {
                        buffer.clear().limit((int) Math.min(READ_BYTES, end - position));
                        int n = channel.read(buffer, position);
                        if (n < 0) {
                            throw new IOException(chunk.path() + " changed size while it was hashed");
                        }
                        md.update(buffer.array(), 0, n);
                        position += n;
                    }
                }
                digests[chunk.slot()] = md.digest();
            }
            return null;
        }
    }

    /**
     * Hashes the whole chunks of a file while another process still appends to it, so that little
     * is left to read once it is done: for a file its writer fills strictly front to back, never
     * rewriting what it wrote ({@code pg_dump --format=plain} does; a custom archive rewrites its
     * header at the end and must not be followed). Only an accelerator: whatever it did not hash,
     * {@link #digest(Path, List)} hashes; a failure of its own just ends it early. Its thread is a
     * daemon, ended by {@link #finish()} or {@link #close()}.
     */
    public static final class Follower implements AutoCloseable {
        private static final long POLL_MILLIS = 20;

        private final Path file;
        private final List<byte[]> digests = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private volatile boolean stopping;

        private Follower(Path file) {
            this.file = file;
            this.thread = new Thread(this::follow, "rollback-hash-follower");
            this.thread.setDaemon(true);
        }

        /** Starts following {@code file}, which need not exist yet. */
        public static Follower start(Path file) {
            Follower f = new Follower(Objects.requireNonNull(file, "file"));
            f.thread.start();
            return f;
        }

        /** How many whole chunks it has hashed so far. */
        public int chunksHashed() {
            return digests.size();
        }

        /**
         * Stops following (after the chunk at hand) and returns the digests of the first whole
         * chunks, in order. Call it once the writer is done.
         *
         * @throws InterruptedIOException if the calling thread is interrupted while waiting
         */
        public List<byte[]> finish() throws InterruptedIOException {
            stopping = true;
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                thread.interrupt();
                throw new InterruptedIOException("waiting for the hash follower was interrupted");
            }
            return List.copyOf(digests);
        }

        /** Stops it at once, without waiting for the chunk at hand to be hashed. */
        @Override
        public void close() {
            stopping = true;
            thread.interrupt();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void follow() {
            MessageDigest md = sha256();
            ByteBuffer buffer = ByteBuffer.allocate(READ_BYTES);
            FileChannel channel = null;
            try {
                while (!stopping) {
                    if (channel == null && Files.exists(file)) {
                        channel = FileChannel.open(file, StandardOpenOption.READ);
                    }
                    long next = (long) digests.size() * CHUNK_BYTES;
                    if (channel == null || channel.size() < next + CHUNK_BYTES) {
                        Thread.sleep(POLL_MILLIS);
                        continue;
                    }
                    for (long position = next; position < next + CHUNK_BYTES; ) {
                        buffer.clear().limit((int) Math.min(READ_BYTES, next + CHUNK_BYTES - position));
                        int n = channel.read(buffer, position);
                        if (n < 0) {
                            return;
                        }
                        md.update(buffer.array(), 0, n);
                        position += n;
                    }
                    digests.add(md.digest());
                }
            } catch (IOException | InterruptedException e) {
                // ends early; the rest is hashed after the writer is done
            } finally {
                if (channel != null) {
                    try {
                        channel.close();
                    } catch (IOException e) {
                        // read-only; nothing to lose
                    }
                }
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
