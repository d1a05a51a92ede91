package dev.rollback.core.journal.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.spi.JournalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encodes a {@link JournalRecord} as one journal line and decodes it back, checking everything a
 * single line can prove on its own.
 *
 * <p>A line is {@code CCCCCCCC SP JSON LF}: eight hex digits of the CRC32C of the JSON bytes, a
 * space, a compact JSON object written by Jackson, a newline. The object holds {@code v} (format
 * version), {@code runId}, {@code seq}, {@code type}, {@code at}, {@code stepId} (only when
 * present), {@code token}, {@code data}, {@code prev} (the previous record's hash, or the run's
 * genesis), then {@code hash}: the SHA-256 of the same object serialized without {@code hash} and
 * {@code mac}; and {@code mac}, the HMAC-SHA256 of {@code hash} under the configured key, when a
 * key is configured. Because {@code prev} is inside what is hashed, the hashes form a chain. On
 * reading, the hash is recomputed over the line's own bytes (everything before {@code hash}), so
 * no byte outside {@code hash} and {@code mac} can change unnoticed.
 *
 * <p>Immutable and thread-safe.
 */
public final class RecordCodec {
    /** The format version written in every record. */
    public static final int FORMAT_VERSION = 1;
    /** Bytes of a SHA-256 hash. */
    public static final int HASH_BYTES = 32;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();
    private static final String MAC_ALGORITHM = "HmacSHA256";
    private static final String GENESIS_PREFIX = "dev.rollback.journal/v1 genesis\n";
    private static final int CRC_DIGITS = 8;
    private static final byte[] HASH_MARKER = ",\"hash\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAC_MARKER = ",\"mac\":\"".getBytes(StandardCharsets.US_ASCII);

    private final Optional<SecretKeySpec> key;

    /**
     * A codec that writes and checks a MAC when {@code hmacKey} is present.
     *
     * @param hmacKey the key, copied; empty for an unauthenticated chain
     */
    public RecordCodec(Optional<byte[]> hmacKey) {
        this.key = hmacKey.map(k -> new SecretKeySpec(k.clone(), MAC_ALGORITHM));
    }

    /** Whether this codec writes and checks MACs. */
    public boolean authenticates() {
        return key.isPresent();
    }

    /**
     * The hash the first record of a run points back to: the SHA-256 of a fixed prefix and the run id.
     *
     * @param runId the run
     * @return 32 bytes
     */
    public static byte[] genesis(String runId) {
        return sha256((GENESIS_PREFIX + runId).getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex of {@code bytes}. */
    public static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    /**
     * Encodes {@code record} chained after {@code previousHash}.
     *
     * @param record the record
     * @param previousHash the hash of the record before it, or the genesis
     * @return the line, newline included, and the record's hash
     */
    public Encoded encode(JournalRecord record, byte[] previousHash) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("v", FORMAT_VERSION);
        node.put("runId", record.runId());
        node.put("seq", record.sequence());
        node.put("type", record.type().name());
        node.put("at", record.at().toString());
        record.stepId().ifPresent(step -> node.put("stepId", step));
        node.put("token", record.fencingToken());
        ObjectNode data = node.putObject("data");
        record.data().forEach(data::put);
        node.put("prev", hex(previousHash));
        byte[] hash = sha256(write(node));
        node.put("hash", hex(hash));
        key.ifPresent(k -> node.put("mac", hex(mac(k, hash))));
        byte[] json = write(node);
        byte[] line = new byte[CRC_DIGITS + 1 + json.length + 1];
        byte[] crc = String.format("%08x", crc32c(json, 0, json.length)).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(crc, 0, line, 0, CRC_DIGITS);
        line[CRC_DIGITS] = ' ';
        System.arraycopy(json, 0, line, CRC_DIGITS + 1, json.length);
        line[line.length - 1] = '\n';
        return new Encoded(line, hash);
    }

    /**
     * Decodes the line in {@code buffer[from, to)} (without its newline) and checks its checksum,
     * its fields, its own hash and, with a key, its MAC. The chain is checked by the caller.
     *
     * @param buffer the bytes
     * @param from the first byte of the line
     * @param to one past the last byte, before the newline
     * @return the decoded record
     * @throws MalformedLineException naming what is wrong with the line
     */
    public Decoded decode(byte[] buffer, int from, int to) throws MalformedLineException {
        int jsonFrom = from + CRC_DIGITS + 1;
        if (to - from < CRC_DIGITS + 3 || buffer[from + CRC_DIGITS] != ' ') {
            throw new MalformedLineException("not a journal line (checksum prefix missing)");
        }
        long expectedCrc;
        try {
            expectedCrc = Long.parseLong(new String(buffer, from, CRC_DIGITS, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            throw new MalformedLineException("checksum prefix is not hexadecimal");
        }
        if (crc32c(buffer, jsonFrom, to - jsonFrom) != expectedCrc) {
            throw new MalformedLineException("CRC32C checksum mismatch");
        }
        ObjectNode node;
        try {
            JsonNode parsed = MAPPER.readTree(buffer, jsonFrom, to - jsonFrom);
            if (!(parsed instanceof ObjectNode)) {
                throw new MalformedLineException("not a JSON object");
            }
            node = (ObjectNode) parsed;
        } catch (IOException e) {
            throw new MalformedLineException("not valid JSON");
        }
        if (node.path("v").asInt(-1) != FORMAT_VERSION) {
            throw new MalformedLineException("unknown format version " + node.path("v"));
        }
        byte[] storedHash = hashField(node, "hash");
        byte[] previousHash = hashField(node, "prev");
        Optional<byte[]> storedMac = node.hasNonNull("mac") ? Optional.of(hashField(node, "mac")) : Optional.empty();
        if (!MessageDigest.isEqual(bodyHash(buffer, jsonFrom, to), storedHash)) {
            throw new MalformedLineException("content does not match its hash");
        }
        JournalRecord record = toRecord(node);
        return new Decoded(record, previousHash, storedHash, macStatus(storedHash, storedMac));
    }

    /**
     * The SHA-256 of the object as written without {@code hash} and {@code mac}: the raw bytes before
     * the last {@code ,"hash":"} plus the closing brace, which is exactly what {@link #encode} hashed.
     * Only {@code mac} may follow {@code hash}, so every other field is inside the hashed bytes.
     */
    private static byte[] bodyHash(byte[] buffer, int from, int to) throws MalformedLineException {
        int at = lastIndexOf(buffer, from, to, HASH_MARKER);
        int afterHash = at + HASH_MARKER.length + HASH_BYTES * 2 + 1;
        int tail = to - afterHash;
        boolean onlyMacFollows = at >= 0
                && (tail == 1
                        || (tail == MAC_MARKER.length + HASH_BYTES * 2 + 2
                                && lastIndexOf(buffer, afterHash, afterHash + MAC_MARKER.length, MAC_MARKER)
                                        == afterHash));
        if (!onlyMacFollows || buffer[to - 1] != '}') {
            throw new MalformedLineException("fields 'hash' and 'mac' are not last");
        }
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(buffer, from, at - from);
            digest.update((byte) '}');
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static int lastIndexOf(byte[] buffer, int from, int to, byte[] marker) {
        for (int i = to - marker.length; i >= from; i--) {
            if (Arrays.equals(buffer, i, i + marker.length, marker, 0, marker.length)) {
                return i;
            }
        }
        return -1;
    }

    private MacStatus macStatus(byte[] hash, Optional<byte[]> storedMac) {
        if (key.isEmpty()) {
            return MacStatus.NOT_CHECKED;
        }
        if (storedMac.isEmpty()) {
            return MacStatus.ABSENT;
        }
        return MessageDigest.isEqual(mac(key.get(), hash), storedMac.get()) ? MacStatus.VALID : MacStatus.INVALID;
    }

    private static JournalRecord toRecord(ObjectNode node) throws MalformedLineException {
        try {
            Map<String, String> data = new LinkedHashMap<>();
            JsonNode dataNode = node.path("data");
            if (!dataNode.isObject()) {
                throw new MalformedLineException("field 'data' is not an object");
            }
            for (Map.Entry<String, JsonNode> entry : dataNode.properties()) {
                data.put(entry.getKey(), textField(entry.getValue(), "data." + entry.getKey()));
            }
            Optional<String> stepId =
                    node.has("stepId") ? Optional.of(textField(node.get("stepId"), "stepId")) : Optional.empty();
            return new JournalRecord(
                    textField(node.get("runId"), "runId"),
                    longField(node, "seq"),
                    JournalRecord.Type.valueOf(textField(node.get("type"), "type")),
                    Instant.parse(textField(node.get("at"), "at")),
                    stepId,
                    longField(node, "token"),
                    data);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new MalformedLineException("invalid field value: " + e.getMessage());
        }
    }

    private static String textField(JsonNode value, String name) throws MalformedLineException {
        if (value == null || !value.isTextual()) {
            throw new MalformedLineException("field '" + name + "' is missing or not a string");
        }
        return value.textValue();
    }

    private static long longField(ObjectNode node, String name) throws MalformedLineException {
        JsonNode value = node.get(name);
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber()) {
            throw new MalformedLineException("field '" + name + "' is missing or not an integer");
        }
        return value.longValue();
    }

    private static byte[] hashField(ObjectNode node, String name) throws MalformedLineException {
        String text = textField(node.get(name), name);
        if (text.length() != HASH_BYTES * 2) {
            throw new MalformedLineException("field '" + name + "' is not a 32-byte hex hash");
        }
        try {
            return HEX.parseHex(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedLineException("field '" + name + "' is not hexadecimal");
        }
    }

    private static byte[] write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree of strings and numbers could not be written", e);
        }
    }

    private static long crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return crc.getValue();
    }

    /**
     * The SHA-256 of {@code bytes}.
     *
     * @param bytes the input
     * @return 32 bytes
     */
    public static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static byte[] mac(SecretKeySpec key, byte[] hash) {
        try {
            Mac mac = Mac.getInstance(MAC_ALGORITHM);
            mac.init(key);
            return mac.doFinal(hash);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has " + MAC_ALGORITHM, e);
        }
    }

    /** Whether a record's MAC was checked and how it fared. */
    public enum MacStatus {
        /** No key is configured; the MAC, if any, was not checked. */
        NOT_CHECKED,
        /** The MAC matches. */
        VALID,
        /** The MAC does not match: the record was written without the key. */
        INVALID,
        /** A key is configured but the record has no MAC. */
        ABSENT
    }

    /**
     * An encoded record.
     *
     * @param line the bytes to append, newline included
     * @param hash the record's hash, which the next record points back to
     */
    public record Encoded(byte[] line, byte[] hash) {
        /** Checks the parts. */
        public Encoded {
            Objects.requireNonNull(line, "line");
            Objects.requireNonNull(hash, "hash");
        }
    }

    /**
     * A decoded record with its chain fields.
     *
     * @param record the record
     * @param previousHash the hash it points back to
     * @param hash its own hash
     * @param mac how its MAC fared
     */
    public record Decoded(JournalRecord record, byte[] previousHash, byte[] hash, MacStatus mac) {
        /** Checks the parts. */
        public Decoded {
            Objects.requireNonNull(record, "record");
            Objects.requireNonNull(previousHash, "previousHash");
            Objects.requireNonNull(hash, "hash");
            Objects.requireNonNull(mac, "mac");
        }

        /** Whether this record points back to {@code hash}. */
        public boolean follows(byte[] hash) {
            return Arrays.equals(previousHash, hash);
        }
    }
}
