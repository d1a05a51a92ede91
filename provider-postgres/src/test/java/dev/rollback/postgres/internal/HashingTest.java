package dev.rollback.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashingTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    /** A folder like a directory dump: an empty file, small ones, one at a chunk boundary, a multi-chunk one. */
    private Path dump() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dump"));
        Random random = new Random(7);
        write(dir.resolve("toc.dat"), 3_001, random);
        write(dir.resolve("3001.dat.gz"), 0, random);
        write(dir.resolve("3002.dat.gz"), Hashing.CHUNK_BYTES, random);
        write(dir.resolve("3003.dat.gz"), 2 * Hashing.CHUNK_BYTES + 12_345, random);
        write(dir.resolve("3004.dat.gz"), Hashing.CHUNK_BYTES + 1, random);
        return dir;
    }

    private static void write(Path file, int size, Random random) throws Exception {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        Files.write(file, bytes);
    }

    /** The documented definition of the chunked scheme, computed the plain way, independently of Hashing. */
    private static String documentedChunked(Path root, List<Path> filesInOrder) throws Exception {
        MessageDigest rootDigest = MessageDigest.getInstance("SHA-256");
        for (Path file : filesInOrder) {
            String name = Files.isDirectory(root) ? root.relativize(file).toString() : "";
            byte[] content = Files.readAllBytes(file);
            ByteArrayOutputStream entry = new ByteArrayOutputStream();
            entry.write(name.getBytes(StandardCharsets.UTF_8));
            entry.write(0);
            for (int shift = 56; shift >= 0; shift -= 8) {
                entry.write((int) ((long) content.length >>> shift) & 0xff);
            }
            for (int offset = 0; offset < content.length; offset += 4 * MIB) {
                MessageDigest chunk = MessageDigest.getInstance("SHA-256");
                chunk.update(content, offset, Math.min(4 * MIB, content.length - offset));
                entry.write(chunk.digest());
            }
            rootDigest.update(entry.toByteArray());
        }
        return HexFormat.of().formatHex(rootDigest.digest());
    }

    private static List<Path> byName(Path dir, String... names) {
        return Arrays.stream(names).map(dir::resolve).toList();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 8})
    void theChunkedDigestOfAFolderIsTheDocumentedDefinitionOnAnyNumberOfThreads(int threads) throws Exception {
        Path dir = dump();
        String expected = documentedChunked(
                dir, byName(dir, "3001.dat.gz", "3002.dat.gz", "3003.dat.gz", "3004.dat.gz", "toc.dat"));

        Hashing.Digest digest = Hashing.digest(dir, Hashing.Scheme.CHUNKED, threads);

        assertThat(digest.sha256()).isEqualTo(expected);
        assertThat(digest.bytes()).isEqualTo(3_001L + 0 + 4 * MIB + (8 * MIB + 12_345) + (4 * MIB + 1));
        assertThat(digest.files()).isEqualTo(5);
        assertThat(digest.scheme()).isEqualTo(Hashing.Scheme.CHUNKED);
        assertThat(Hashing.digest(dir)).isEqualTo(digest);
    }

    @Test
    void theChunkedDigestOfOneFileUsesAnEmptyName() throws Exception {
        Path file = tmp.resolve("db.sql");
        write(file, 9 * MIB + 5, new Random(3));
        assertThat(Hashing.digest(file, Hashing.Scheme.CHUNKED, 2).sha256())
                .isEqualTo(documentedChunked(file, List.of(file)));
    }

    @Test
    void theWholeSchemeIsTheFirstDefinitionSoThatOlderBackupsStillVerify() throws Exception {
        Path dir = dump();
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (Path f : byName(dir, "3001.dat.gz", "3002.dat.gz", "3003.dat.gz", "3004.dat.gz", "toc.dat")) {
            md.update(dir.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(Files.readAllBytes(f));
        }
        Hashing.Digest digest = Hashing.digest(dir, Hashing.Scheme.WHOLE, 4);
        assertThat(digest.sha256()).isEqualTo(HexFormat.of().formatHex(md.digest()));
        assertThat(digest.sha256()).isNotEqualTo(Hashing.digest(dir).sha256());
    }

    @Test
    void oneFlippedByteInAnyChunkChangesTheDigestButNotTheSize() throws Exception {
        Path dir = dump();
        Hashing.Digest before = Hashing.digest(dir);
        try (RandomAccessFile f =
                new RandomAccessFile(dir.resolve("3003.dat.gz").toFile(), "rw")) {
            f.seek(2L * Hashing.CHUNK_BYTES + 100);
            int b = f.read();
            f.seek(2L * Hashing.CHUNK_BYTES + 100);
            f.write(b ^ 1);
        }
        Hashing.Digest after = Hashing.digest(dir);
        assertThat(after.sha256()).isNotEqualTo(before.sha256());
        assertThat(after.bytes()).isEqualTo(before.bytes());
    }

    @Test
    void renamingAFileChangesTheDigest() throws Exception {
        Path dir = dump();
        Hashing.Digest before = Hashing.digest(dir);
        Files.move(dir.resolve("3004.dat.gz"), dir.resolve("3005.dat.gz"));
        assertThat(Hashing.digest(dir).sha256()).isNotEqualTo(before.sha256());
    }

    @Test
    void sidecarLinesNameTheSchemeAndParseBack() throws Exception {
        Hashing.Digest digest = Hashing.digest(dump());
        String line = digest.sidecarLine();
        assertThat(line).isEqualTo(digest.sha256() + " " + digest.bytes() + " 5 sha256-chunks-4MiB\n");
        assertThat(Hashing.parseSidecar(line))
                .isEqualTo(
                        new Hashing.Recorded(digest.sha256(), Long.toString(digest.bytes()), Hashing.Scheme.CHUNKED));
        assertThat(Hashing.parseSidecar("abc 12 3\n"))
                .isEqualTo(new Hashing.Recorded("abc", "12", Hashing.Scheme.WHOLE));
        assertThatThrownBy(() -> Hashing.parseSidecar("abc 12 3 md5-chunks"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown checksum scheme 'md5-chunks'");
        assertThatThrownBy(() -> Hashing.parseSidecar("abc 12")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFollowerHashesOnlyWholeChunksWhileTheFileGrowsAndTheFinalDigestIsTheDefinition() throws Exception {
        Path file = tmp.resolve("growing.sql");
        byte[] content = new byte[2 * Hashing.CHUNK_BYTES + 12_345];
        new Random(11).nextBytes(content);
        try (Hashing.Follower follower = Hashing.Follower.start(file)) {
            Thread.sleep(60); // it waits for a file that does not exist yet
            List<byte[]> early;
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(content, 0, Hashing.CHUNK_BYTES + 100);
                out.flush();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (follower.chunksHashed() < 1 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                // the second chunk is not whole yet, so it must not be hashed
                assertThat(follower.chunksHashed()).isEqualTo(1);
                out.write(content, Hashing.CHUNK_BYTES + 100, content.length - Hashing.CHUNK_BYTES - 100);
            }
            early = follower.finish();
            assertThat(early).hasSizeBetween(1, 2);
            Hashing.Digest digest = Hashing.digest(file, early);
            assertThat(digest.sha256()).isEqualTo(documentedChunked(file, List.of(file)));
            assertThat(digest).isEqualTo(Hashing.digest(file, Hashing.Scheme.CHUNKED, 1));
        }
    }

    @Test
    void knownChunkDigestsAreTakenAsTheyAreNotReadAgain() throws Exception {
        Path file = tmp.resolve("db.sql");
        write(file, Hashing.CHUNK_BYTES + 10, new Random(5));
        Hashing.Digest fresh = Hashing.digest(file);
        assertThat(Hashing.digest(file, List.of(new byte[32])).sha256()).isNotEqualTo(fresh.sha256());
        // a known digest for the last, partial chunk is never taken: only whole chunks are followed
        assertThat(Hashing.digest(
                        tmp.resolve("db.sql"),
                        List.of(
                                MessageDigest.getInstance("SHA-256")
                                        .digest(Arrays.copyOf(Files.readAllBytes(file), Hashing.CHUNK_BYTES)),
                                new byte[32])))
                .isEqualTo(fresh);
    }

    @Test
    void anInterruptedCallerGetsAnInterruptedIoExceptionAndKeepsItsFlag() throws Exception {
        Path dir = dump();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Hashing.digest(dir, Hashing.Scheme.CHUNKED, 2))
                    .isInstanceOf(InterruptedIOException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
