package dev.rollback.postgres.failover;

import java.util.Locale;
import java.util.Objects;

/**
 * A PostgreSQL WAL position ({@code pg_lsn}, written {@code 16/B374D848}): a byte offset in the
 * write-ahead log. Immutable.
 *
 * @param bytes the position, an unsigned 64-bit number held in a long
 */
record Lsn(long bytes) implements Comparable<Lsn> {

    /**
     * Parses {@code hi/lo} (both hexadecimal).
     *
     * @throws IllegalArgumentException if it is not a WAL position
     */
    static Lsn parse(String text) {
        Objects.requireNonNull(text, "text");
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 8 || text.length() - slash - 1 > 8) {
            throw new IllegalArgumentException("not a WAL position: '" + text + "'");
        }
        try {
            long hi = Long.parseLong(text.substring(0, slash), 16);
            long lo = Long.parseLong(text.substring(slash + 1), 16);
            return new Lsn((hi << 32) | lo);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a WAL position: '" + text + "'", e);
        }
    }

    /** The bytes from {@code earlier} to this position; zero if {@code earlier} is not before it. */
    long bytesAfter(Lsn earlier) {
        return compareTo(earlier) <= 0 ? 0 : bytes - earlier.bytes;
    }

    @Override
    public int compareTo(Lsn other) {
        return Long.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return Long.toHexString(bytes >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(bytes & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }
}
