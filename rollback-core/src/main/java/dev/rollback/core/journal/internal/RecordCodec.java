package dev.rollback.core.journal.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.spi.JournalRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
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
    private static final JsonFactory FACTORY = MAPPER.getFactory();
    /** One digest per thread: looking one up costs more than hashing a line. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    });

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
        long expectedCrc = 0;
        for (int i = from; i < from + CRC_DIGITS; i++) {
            int digit = Character.digit(buffer[i], 16);
            if (digit < 0) {
                throw new MalformedLineException("checksum prefix is not hexadecimal");
            }
            expectedCrc = (expectedCrc << 4) | digit;
        }
        if (crc32c(buffer, jsonFrom, to - jsonFrom) != expectedCrc) {
            throw new MalformedLineException("CRC32C checksum mismatch");
        }
        Fields fields = Fields.parse(buffer, jsonFrom, to - jsonFrom);
        if (!"1".equals(fields.version)) {
            throw new MalformedLineException("unknown format version " + fields.version);
        }
        byte[] storedHash = hashField(fields.hash, "hash");
        byte[] previousHash = hashField(fields.prev, "prev");
        Optional<byte[]> storedMac = fields.mac == null || fields.mac == Fields.NULL
                ? Optional.empty()
                : Optional.of(hashField(fields.mac, "mac"));
        if (!MessageDigest.isEqual(bodyHash(buffer, jsonFrom, to), storedHash)) {
            throw new MalformedLineException("content does not match its hash");
        }
        JournalRecord record = fields.toRecord();
        return new Decoded(record, previousHash, storedHash, macStatus(storedHash, storedMac));
    }

    /**
     * The fields of one line's JSON object, read with a streaming parser (no tree: a journal of a
     * hundred thousand records is read in well under a second). Each holds the field's text, or
     * {@link #NOT_TEXT} when it is not a string, or null when it is absent; {@code v}, {@code seq}
     * and {@code token} hold their integer text. Confined to one decode.
     */
    private static final class Fields {
        static final String NOT_TEXT = new String("not text");
        static final String NULL = new String("null");

        String version = "missing";
        String runId;
        String seq;
        String type;
        String at;
        String stepId;
        String token;
        String prev;
        String hash;
        String mac;
        Map<String, String> data;
        String dataProblem;

        static Fields parse(byte[] buffer, int offset, int length) throws MalformedLineException {
            Fields f = new Fields();
            try (JsonParser p = FACTORY.createParser(buffer, offset, length)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new MalformedLineException("not a JSON object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "v" ->
                            f.version = value == JsonToken.VALUE_NUMBER_INT ? p.getText() : "'" + p.getText() + "'";
                        case "runId" -> f.runId = text(p, value);
                        case "seq" -> f.seq = integral(p, value);
                        case "type" -> f.type = text(p, value);
                        case "at" -> f.at = text(p, value);
                        case "stepId" -> f.stepId = text(p, value);
                        case "token" -> f.token = integral(p, value);
                        case "prev" -> f.prev = text(p, value);
                        case "hash" -> f.hash = text(p, value);
                        case "mac" -> f.mac = value == JsonToken.VALUE_NULL ? NULL : text(p, value);
                        case "data" -> f.data(p, value);
                        default -> p.skipChildren();
                    }
                }
                if (p.currentToken() != JsonToken.END_OBJECT) {
                    throw new MalformedLineException("not a JSON object");
                }
            } catch (IOException e) {
                throw new MalformedLineException("not valid JSON");
            }
            return f;
        }

        private void data(JsonParser p, JsonToken value) throws IOException {
            data = null;
            dataProblem = null;
            if (value != JsonToken.START_OBJECT) {
                dataProblem = "field 'data' is not an object";
                p.skipChildren();
                return;
            }
            data = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String key = p.currentName();
                JsonToken entry = p.nextToken();
                String text = text(p, entry);
                if (text == NOT_TEXT && dataProblem == null) {
                    dataProblem = "field 'data." + key + "' is missing or not a string";
                }
                data.put(key, text);
            }
        }

        private static String text(JsonParser p, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_STRING) {
                return p.getText();
            }
            p.skipChildren();
            return NOT_TEXT;
        }

        private static String integral(JsonParser p, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                return p.getText();
            }
            p.skipChildren();
            return NOT_TEXT;
        }

        JournalRecord toRecord() throws MalformedLineException {
            if (data == null && dataProblem == null) {
                dataProblem = "field 'data' is not an object";
            }
            if (dataProblem != null) {
                throw new MalformedLineException(dataProblem);
            }
            try {
                String step = stepId == null ? null : require(stepId, "stepId");
                return new JournalRecord(
                        require(runId, "runId"),
                        number(seq, "seq"),
                        JournalRecord.Type.valueOf(require(type, "type")),
                        instant(require(at, "at")),
                        Optional.ofNullable(step),
                        number(token, "token"),
                        data);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                throw new MalformedLineException("invalid field value: " + e.getMessage());
            }
        }

        private static String require(String value, String name) throws MalformedLineException {
            if (value == null || value == NOT_TEXT || value == NULL) {
                throw new MalformedLineException("field '" + name + "' is missing or not a string");
            }
            return value;
        }

        private static long number(String value, String name) throws MalformedLineException {
            if (value == null || value == NOT_TEXT) {
                throw new MalformedLineException("field '" + name + "' is missing or not an integer");
            }
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw new MalformedLineException("field '" + name + "' is missing or not an integer");
            }
        }
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
        MessageDigest digest = SHA256.get();
        digest.update(buffer, from, at - from);
        digest.update((byte) '}');
        return digest.digest(); // and resets it for the thread's next line
    }

    private static int lastIndexOf(byte[] buffer, int from, int to, byte[] marker) {
        for (int i = to - marker.length; i >= from; i--) {
            if (Arrays.equals(buffer, i, i + marker.length, marker, 0, marker.length)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@link Instant#parse}, with a fast path for the form {@link Instant#toString()} writes for
     * years 0000-9999 ({@code 2026-11-25T12:00:00.123456Z}), which is what every record holds;
     * anything else goes to {@code Instant.parse}, so the result is always the same.
     */
    static Instant instant(String text) {
        int n = text.length();
        if (n < 20
                || n > 30
                || text.charAt(4) != '-'
                || text.charAt(7) != '-'
                || text.charAt(10) != 'T'
                || text.charAt(13) != ':'
                || text.charAt(16) != ':'
                || text.charAt(n - 1) != 'Z'
                || (n > 20 && (text.charAt(19) != '.' || n == 21))) {
            return Instant.parse(text);
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 7);
        int day = digits(text, 8, 10);
        int hour = digits(text, 11, 13);
        int minute = digits(text, 14, 16);
        int second = digits(text, 17, 19);
        int fraction = n > 20 ? digits(text, 20, n - 1) : 0;
        if (year < 0
                || month < 1
                || month > 12
                || day < 1
                || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
                || hour < 0
                || hour > 23
                || minute < 0
                || minute > 59
                || second < 0
                || second > 59
                || fraction < 0) {
            return Instant.parse(text);
        }
        long nanos = fraction;
        for (int i = n - 1 - 20; i < 9; i++) {
            nanos *= 10;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** The decimal number in {@code text[from, to)}, or -1 if a character is not a digit. */
    private static int digits(String text, int from, int to) {
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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

    private static byte[] hashField(String text, String name) throws MalformedLineException {
        if (text == null || text == Fields.NOT_TEXT || text == Fields.NULL) {
            throw new MalformedLineException("field '" + name + "' is missing or not a string");
        }
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
