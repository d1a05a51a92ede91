package dev.rollback.core.journal;

import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The outcome of checking one run's journal: its checksums, its hash chain, its anchor and, when a
 * key is configured, every record's MAC. Either the chain {@linkplain #verified() verified}, with
 * {@link #recordCount()} records ending in {@link #headHash()}, or {@link #finding()} says what
 * was wrong and {@link #firstBadSequence()} names the first record concerned.
 *
 * <p>Immutable and thread-safe. It never contains a record's content.
 *
 * @param runId the run
 * @param file the journal file
 * @param finding what was found
 * @param recordCount the number of records that verified (all of them when verified; otherwise the
 *     good prefix before the first bad record)
 * @param headHash hex SHA-256 of the last record that verified (the run's genesis when none)
 * @param firstBadSequence the sequence number of the first record concerned, when not verified
 * @param byteOffset the byte offset in {@code file} where the problem was found, when known
 * @param detail a sentence on what was found; never a record's content
 * @param authenticated whether every verified record's MAC was checked with the configured key
 */
public record JournalVerification(
        String runId,
        Path file,
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
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(headHash, "headHash");
        Objects.requireNonNull(firstBadSequence, "firstBadSequence");
        Objects.requireNonNull(byteOffset, "byteOffset");
        Objects.requireNonNull(detail, "detail");
    }

    /** Whether the whole chain verified. */
    public boolean verified() {
        return finding == Finding.VERIFIED;
    }

    /** One line for a report or an exception message: the file, the finding, the record, the offset. */
    public String describe() {
        StringBuilder text = new StringBuilder("journal ")
                .append(file)
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
        /** Every checksum, hash, link (and MAC) holds and the chain is at least as long as its anchor. */
        VERIFIED,
        /** No journal and no anchor exist for this run. */
        NO_SUCH_RUN,
        /** A record's bytes changed: bad checksum, unreadable, content not matching its hash, or a broken link. */
        ALTERED,
        /** Records are missing from the middle of the chain (or the whole journal file is gone). */
        REMOVED,
        /** Records appear out of sequence order. */
        REORDERED,
        /** The chain is shorter than its anchor says it was. */
        TRUNCATED,
        /** The chain is self-consistent but is not the one written: a MAC fails, or the head differs from the anchor. */
        REBUILT,
        /** The journal has records but its anchor file is missing or unreadable. */
        ANCHOR_MISSING
    }
}
