package dev.rollback.core.journal.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.internal.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The small side file that remembers how long a run's chain was and what its head was, so that a
 * truncated journal, or one rebuilt as a whole, no longer matches it.
 *
 * <p>Layout: two slots of {@value #SLOT_BYTES} bytes; the head after {@code n} records goes to
 * slot {@code n % 2}. A slot is a 4-byte length, a 4-byte CRC32C and a JSON object
 * {@code {"count":n,"head":"hex"}}, zero-padded. A write tears at most the slot it writes, so the
 * other slot always holds the previous head. The anchor is written after the journal's fsync and
 * is not forced itself: after a power loss it may lag the journal, never lead it, and readers
 * treat it as a lower bound.
 *
 * <p>Not thread-safe; the journal writes it under its own lock.
 */
public final class AnchorFile implements AutoCloseable {
    static final int SLOT_BYTES = 128;
    private static final int HEADER_BYTES = 8;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    private final FileChannel channel;

    private AnchorFile(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Opens the anchor at {@code path} for writing, creating it empty if needed.
     *
     * @param path the anchor file
     * @return the open anchor
     * @throws IOException if it cannot be opened
     */
    public static AnchorFile open(Path path) throws IOException {
        return new AnchorFile(
                PrivateFiles.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    /**
     * Records that the chain has {@code count} durable records ending in {@code head}.
     *
     * @param count the number of durable records
     * @param head the hash of the last of them
     * @throws IOException if the slot cannot be written
     */
    public void write(long count, byte[] head) throws IOException {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("count", count);
        node.put("head", HEX.formatHex(head));
        byte[] payload = MAPPER.writeValueAsBytes(node);
        ByteBuffer slot = ByteBuffer.allocate(SLOT_BYTES);
        slot.putInt(payload.length)
                .putInt((int) crc(payload, 0, payload.length))
                .put(payload)
                .rewind();
        long position = (count % 2) * SLOT_BYTES;
        while (slot.hasRemaining()) {
            position += channel.write(slot, position);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Reads the anchor at {@code path}.
     *
     * @param path the anchor file
     * @return what the anchor says
     * @throws IOException if it exists but cannot be read
     */
    public static State read(Path path) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return new State(Status.MISSING, Optional.empty());
        }
        Optional<Head> best = Optional.empty();
        boolean damaged = false;
        for (int slot = 0; slot * SLOT_BYTES < bytes.length; slot++) {
            int from = slot * SLOT_BYTES;
            int to = Math.min(bytes.length, from + SLOT_BYTES);
            Optional<Head> head = parseSlot(bytes, from, to);
            if (head.isPresent()) {
                if (best.isEmpty() || head.get().count() > best.get().count()) {
                    best = head;
                }
            } else if (!allZero(bytes, from, to)) {
                damaged = true;
            }
        }
        if (best.isPresent()) {
            return new State(Status.PRESENT, best);
        }
        return new State(damaged ? Status.UNREADABLE : Status.EMPTY, Optional.empty());
    }

    private static Optional<Head> parseSlot(byte[] bytes, int from, int to) {
        if (to - from < HEADER_BYTES) {
            return Optional.empty();
        }
        ByteBuffer header = ByteBuffer.wrap(bytes, from, HEADER_BYTES);
        int length = header.getInt();
        int crc = header.getInt();
        if (length <= 0 || length > to - from - HEADER_BYTES || (int) crc(bytes, from + HEADER_BYTES, length) != crc) {
            return Optional.empty();
        }
        try {
            JsonNode node = MAPPER.readTree(bytes, from + HEADER_BYTES, length);
            return Optional.of(new Head(
                    node.path("count").asLong(-1),
                    HEX.parseHex(node.path("head").asText())));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean allZero(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static long crc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /** What an anchor file holds. */
    public enum Status {
        /** There is no anchor file. */
        MISSING,
        /** The file exists and holds no head yet. */
        EMPTY,
        /** A head was read. */
        PRESENT,
        /** The file holds bytes but no readable slot. */
        UNREADABLE
    }

    /**
     * An anchor as read.
     *
     * @param status what the file holds
     * @param head the newest readable head, when {@code status} is {@link Status#PRESENT}
     */
    public record State(Status status, Optional<Head> head) {
        /** Checks the parts. */
        public State {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(head, "head");
        }
    }

    /**
     * A chain head.
     *
     * @param count how many records the chain had
     * @param hash the hash of its last record
     */
    public record Head(long count, byte[] hash) {
        /** Checks the parts. */
        public Head {
            Objects.requireNonNull(hash, "hash");
        }
    }
}
