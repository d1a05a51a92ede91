package dev.rollback.api.spi;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * The outcome of checking one run's hash chain in a {@link Journal} ({@link Journal#verify(String)}):
 * every record's hash, the links between them and whatever else the journal keeps to prove its
 * records (checksums, an anchor of the head, MACs with a key). Either the chain
 * {@linkplain #verified() verified}, with {@link #recordCount()} records ending in {@link #headHash()},
 * or {@link #finding()} says what was wrong and {@link #firstBadSequence()} names the first record
 * concerned.
 *
 * <p>Immutable and thread-safe. It never contains a record's content, nor a credential of the store.
 *
 * @param runId the run
 * @param location where the run's chain is kept, for a person to find it (a file, a table on a
 *     host); never a credential
 * @param finding what was found
 * @param recordCount the number of records that verified (all of them when verified; otherwise the
 *     good prefix before the first bad record)
 * @param headHash hex hash of the last record that verified (the run's genesis when none), in the
 *     journal's own hash format
 * @param firstBadSequence the sequence number of the first record concerned, when not verified
 * @param byteOffset the byte offset in a file where the problem was found, when the journal is a
 *     file and it is known
 * @param detail a sentence on what was found; never a record's content
 * @param authenticated whether every verified record's MAC was checked with a configured key
 */
public record JournalVerification(
        String runId,
        String location,
        Finding finding,
        long recordCount,
        String headHash,
        OptionalLong firstBadSequence,
        OptionalLong byteOffset,
        String detail,
        boolean authenticated) {

    /** Checks the parts. */
    public JournalVerification {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(headHash, "headHash");
        Objects.requireNonNull(firstBadSequence, "firstBadSequence");
        Objects.requireNonNull(byteOffset, "byteOffset");
        Objects.requireNonNull(detail, "detail");
        if (recordCount < 0) {
            throw new IllegalArgumentException("recordCount must be >= 0, but was " + recordCount);
        }
    }

    /** Whether the whole chain verified. */
    public boolean verified() {
        return finding == Finding.VERIFIED;
    }

    /** One line for a report or an exception message: the location, the finding, the record, the offset. */
    public String describe() {
        StringBuilder text = new StringBuilder("journal ")
                .append(location)
                .append(" of run '")
                .append(runId)
                .append("': ")
                .append(finding);
        firstBadSequence.ifPresent(seq -> text.append(" at record ").append(seq));
        byteOffset.ifPresent(
                offset -> text.append(" (byte offset ").append(offset).append(')'));
        text.append(": ").append(detail);
        if (verified()) {
            text.append(" (")
                    .append(recordCount)
                    .append(" records, head ")
                    .append(headHash)
                    .append(authenticated ? ", authenticated" : "")
                    .append(')');
        }
        return text.toString();
    }

    /** What verification found. */
    public enum Finding {
        /** Every hash and link (and checksum, anchor, MAC, where the journal keeps them) holds. */
        VERIFIED,
        /** The journal holds nothing for this run. */
        NO_SUCH_RUN,
        /** A record's stored content changed: bad checksum, unreadable, content not matching its hash, or a broken link. */
        ALTERED,
        /** Records are missing from the middle of the chain (or the whole run is gone while its anchor remains). */
        REMOVED,
        /** Records appear out of sequence order. */
        REORDERED,
        /** The chain is shorter than its anchor says it was. */
        TRUNCATED,
        /** The chain is self-consistent but is not the one written: a MAC fails, or the head differs from the anchor. */
        REBUILT,
        /** The run has records but the anchor that vouches for its head is missing or unreadable. */
        ANCHOR_MISSING
    }
}
