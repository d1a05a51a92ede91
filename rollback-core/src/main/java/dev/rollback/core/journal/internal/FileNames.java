package dev.rollback.core.journal.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Turns any run id or lock key into a file name that is safe on every file system and back:
 * letters, digits, {@code _} and {@code -} stay, every other UTF-8 byte becomes {@code %XX}. So
 * {@code ..}, {@code /}, a newline or a leading {@code -} can never escape the directory or
 * become an option. Stateless and thread-safe.
 */
public final class FileNames {
    /** Longest encoded name, leaving room for a suffix within the usual 255-byte limit. */
    static final int MAX_ENCODED_LENGTH = 200;

    private FileNames() {}

    /**
     * Encodes {@code name}.
     *
     * @param field the name of the argument, for the error message
     * @param name the run id or key
     * @return the encoded file name stem
     * @throws IllegalArgumentException if {@code name} is empty or encodes to more than 200 characters
     */
    public static String encode(String field, String name) {
        Objects.requireNonNull(name, field);
        if (name.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        StringBuilder out = new StringBuilder(name.length());
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        if (out.length() > MAX_ENCODED_LENGTH) {
            throw new IllegalArgumentException(field + " is too long for a file name: " + out.length()
                    + " encoded characters, at most " + MAX_ENCODED_LENGTH);
        }
        return out.toString();
    }

    /**
     * Decodes a stem made by {@link #encode(String, String)}.
     *
     * @param stem the encoded stem
     * @return the original name
     * @throws IllegalArgumentException if {@code stem} was not made by {@link #encode(String, String)}
     */
    public static String decode(String stem) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(stem.length());
        for (int i = 0; i < stem.length(); i++) {
            char c = stem.charAt(i);
            if (c == '%' && i + 2 < stem.length()) {
                bytes.write(Integer.parseInt(stem.substring(i + 1, i + 3), 16));
                i += 2;
            } else if (c == '%') {
                throw new IllegalArgumentException("not an encoded name: " + stem);
            } else {
                bytes.write(c);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
