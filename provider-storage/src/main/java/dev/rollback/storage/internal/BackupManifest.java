package dev.rollback.storage.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.Arguments;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a backup upload put in its container, written last (so its presence means the upload
 * completed) as a small text blob {@code <root>.manifest}:
 *
 * <pre>
 * # rollback backup manifest v1
 * root	appdb-20260301T120000Z
 * 0f343b0931126a20f133d67c2b018a3b	1048576	appdb-20260301T120000Z/toc.dat
 * </pre>
 *
 * One line per file: its MD5 (hex), its size and its path relative to the container's prefix
 * (which is also its blob name after the prefix), separated by tabs. Paths are checked when read:
 * no absolute path, no {@code .} or {@code ..} segment, no control character, so a manifest cannot
 * make a download write outside its folder. Immutable.
 *
 * @param root the name of the uploaded file or folder
 * @param files the files, in upload order
 */
public record BackupManifest(String root, List<BackupManifest.FileEntry> files) {
    private static final String HEADER = "# rollback backup manifest v1";

    /**
     * One file.
     *
     * @param path the path relative to the prefix, with {@code /}
     * @param size the size in bytes
     * @param md5 its MD5
     */
    public record FileEntry(String path, long size, byte[] md5) {
        /** Validates. */
        public FileEntry {
            requirePath(path);
            Objects.requireNonNull(md5, "md5");
        }
    }

    /** Validates. */
    public BackupManifest {
        requirePath(root);
        files = List.copyOf(files);
    }

    /** The manifest's blob name for a root uploaded under {@code prefix}. */
    public static String blobName(String prefix, String root) {
        return prefix + root + ".manifest";
    }

    /** The total size of the files. */
    public long bytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }

    /** The manifest as text. */
    public byte[] render() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        sb.append("root\t").append(root).append('\n');
        for (FileEntry f : files) {
            sb.append(Md5.hex(f.md5()))
                    .append('\t')
                    .append(f.size())
                    .append('\t')
                    .append(f.path())
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Reads a manifest.
     *
     * @throws RollbackException {@code EXTERNAL_FAILURE} naming {@code what} and the line when it is
     *     not a manifest or a path is unsafe
     */
    public static BackupManifest parse(byte[] content, String what) {
        List<String> lines = new String(content, StandardCharsets.UTF_8).lines().toList();
        if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("root\t")) {
            throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, what + " is not a rollback backup manifest");
        }
        try {
            String root = lines.get(1).substring("root\t".length());
            List<FileEntry> files = new ArrayList<>();
            for (int i = 2; i < lines.size(); i++) {
                String[] parts = lines.get(i).split("\t", 3);
                if (parts.length != 3) {
                    throw new IllegalArgumentException("line " + (i + 1) + " has not 3 tab-separated fields");
                }
                files.add(new FileEntry(
                        parts[2], Long.parseLong(parts[1]), HexFormat.of().parseHex(parts[0])));
            }
            return new BackupManifest(root, files);
        } catch (IllegalArgumentException e) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE, what + " is not a valid backup manifest: " + e.getMessage());
        }
    }

    /** A relative path with {@code /}: no leading {@code /}, no {@code .}/{@code ..}/empty segment, no control character. */
    public static String requirePath(String path) {
        Objects.requireNonNull(path, "path");
        boolean bad = path.isEmpty()
                || path.startsWith("/")
                || path.contains("\\")
                || path.chars().anyMatch(Character::isISOControl);
        for (String segment : path.split("/", -1)) {
            bad |= segment.isEmpty() || segment.equals(".") || segment.equals("..");
        }
        if (bad) {
            throw new IllegalArgumentException("unsafe path '" + Arguments.printable(path) + "' (absolute, empty, '.',"
                    + " '..', a backslash or a control character)");
        }
        return path;
    }
}
