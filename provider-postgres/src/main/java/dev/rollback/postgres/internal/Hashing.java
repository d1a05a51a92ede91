package dev.rollback.postgres.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** SHA-256 and size of a backup: one file, or every file of a folder in name order. */
public final class Hashing {
    private Hashing() {
    }

    /**
     * The digest and size of {@code root}.
     *
     * @param sha256 lowercase hex SHA-256 over each file's name relative to the folder (empty for a single file), a NUL, and its bytes, in
     *     name order
     * @param bytes the total size of the files
     * @param files how many files
     */
    public record Digest(String sha256, long bytes, int files) {
    }

    /** Hashes {@code root} (a file or a folder). */
    public static Digest digest(Path root) throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        List<Path> files;
        if (Files.isDirectory(root)) {
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
        } else {
            files = List.of(root);
        }
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        for (Path file : files) {
            String name = Files.isDirectory(root) ? root.relativize(file).toString() : "";
            md.update(name.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            try (InputStream in = Files.newInputStream(file)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    md.update(buffer, 0, n);
                    bytes += n;
                }
            }
        }
        return new Digest(HexFormat.of().formatHex(md.digest()), bytes, files.size());
    }
}
