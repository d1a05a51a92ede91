package dev.rollback.core.journal.internal;

import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.JournalVerification;
import dev.rollback.api.spi.JournalVerification.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads one run's journal file and checks it whole: each line's checksum and hash, sequence
 * order, the links of the hash chain, MACs when the codec has a key, and the anchor.
 *
 * <p>A last line without its newline is a torn write (the process died mid-append): it is left
 * out, reported in {@link Scan#tornTail()}, and is never an error by itself. Any other problem
 * ends the scan with a finding naming the first record concerned and its byte offset.
 *
 * <p>Cost: one read of the file and one SHA-256 per record. Stateless and thread-safe.
 */
public final class ChainScanner {
    private final RecordCodec codec;

    /**
     * A scanner that checks with {@code codec}.
     *
     * @param codec the codec (and its MAC key, if any)
     */
    public ChainScanner(RecordCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /**
     * Scans the journal of {@code runId}.
     *
     * @param runId the run
     * @param journal its journal file
     * @param anchor its anchor file
     * @return the records that verified and the verification
     * @throws IOException if a file exists but cannot be read
     */
    public Scan scan(String runId, Path journal, Path anchor) throws IOException {
        byte[] genesis = RecordCodec.genesis(runId);
        Result result = new Result(runId, journal, genesis, codec.authenticates());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(journal);
        } catch (NoSuchFileException e) {
            AnchorFile.State state = AnchorFile.read(anchor);
            boolean anchored = state.head().filter(h -> h.count() > 0).isPresent();
            return anchored
                    ? result.fail(
                            Finding.REMOVED,
                            0,
                            0,
                            "the journal file is gone but its anchor records "
                                    + state.head().get().count() + " records")
                    : result.fail(Finding.NO_SUCH_RUN, 0, 0, "there is no journal for this run");
        }
        List<int[]> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                lines.add(new int[] {start, i});
                start = i + 1;
            }
        }
        result.validLength = start;
        result.tornTail = start < bytes.length;
        List<Object> decoded = new ArrayList<>(lines.size());
        Set<Long> sequences = new HashSet<>();
        for (int[] line : lines) {
            try {
                RecordCodec.Decoded d = codec.decode(bytes, line[0], line[1]);
                decoded.add(d);
                sequences.add(d.record().sequence());
            } catch (MalformedLineException e) {
                decoded.add(e);
            }
        }
        for (int i = 0; i < decoded.size(); i++) {
            long offset = lines.get(i)[0];
            if (decoded.get(i) instanceof MalformedLineException e) {
                return result.fail(Finding.ALTERED, i, offset, e.getMessage());
            }
            RecordCodec.Decoded d = (RecordCodec.Decoded) decoded.get(i);
            long seq = d.record().sequence();
            if (!d.record().runId().equals(runId)) {
                return result.fail(Finding.ALTERED, i, offset, "the record belongs to another run");
            }
            if (seq < i) {
                return result.fail(Finding.REORDERED, i, offset, "record " + seq + " appears again at position " + i);
            }
            if (seq > i) {
                return sequences.contains((long) i)
                        ? result.fail(Finding.REORDERED, i, offset, "record " + i + " appears after record " + seq)
                        : result.fail(Finding.REMOVED, i, offset, "records " + i + " to " + (seq - 1) + " are missing");
            }
            if (d.mac() == RecordCodec.MacStatus.INVALID || d.mac() == RecordCodec.MacStatus.ABSENT) {
                return result.fail(
                        Finding.REBUILT,
                        i,
                        offset,
                        "the record's MAC "
                                + (d.mac() == RecordCodec.MacStatus.ABSENT
                                        ? "is missing"
                                        : "does not match the configured key")
                                + ": it was written without the key");
            }
            if (!d.follows(result.head)) {
                return result.fail(
                        Finding.ALTERED,
                        i,
                        offset,
                        i == 0
                                ? "the first record does not point back to the run's genesis"
                                : "the record does not point back to record " + (i - 1)
                                        + " (one of them was altered, or records between them removed)");
            }
            result.accept(d);
        }
        return checkAnchor(result, AnchorFile.read(anchor));
    }

    private static Scan checkAnchor(Result result, AnchorFile.State anchor) {
        long count = result.records.size();
        switch (anchor.status()) {
            case MISSING:
            case UNREADABLE:
                return count == 0
                        ? result.verified()
                        : result.fail(
                                Finding.ANCHOR_MISSING,
                                count,
                                result.validLength,
                                "the anchor file is "
                                        + (anchor.status() == AnchorFile.Status.MISSING ? "missing" : "unreadable"));
            case PRESENT:
                AnchorFile.Head head = anchor.head().orElseThrow();
                if (head.count() > count) {
                    return result.fail(
                            Finding.TRUNCATED,
                            count,
                            result.validLength,
                            "the anchor records " + head.count() + " records but only " + count + " remain");
                }
                if (head.count() > 0 && !Arrays.equals(result.hashes.get((int) head.count() - 1), head.hash())) {
                    return result.fail(
                            Finding.REBUILT,
                            head.count() - 1,
                            OptionalLong.empty(),
                            "the chain was rebuilt at or before this record: its hash differs from the anchored head");
                }
                return result.verified();
            case EMPTY:
            default:
                return result.verified();
        }
    }

    /** Mutable scan state; confined to one scan. */
    private static final class Result {
        final String runId;
        final Path file;
        final boolean authenticated;
        final List<JournalRecord> records = new ArrayList<>();
        final List<byte[]> hashes = new ArrayList<>();
        byte[] head;
        long validLength;
        boolean tornTail;

        Result(String runId, Path file, byte[] genesis, boolean authenticated) {
            this.runId = runId;
            this.file = file;
            this.head = genesis;
            this.authenticated = authenticated;
        }

        void accept(RecordCodec.Decoded d) {
            records.add(d.record());
            hashes.add(d.hash());
            head = d.hash();
        }

        Scan verified() {
            return scan(Finding.VERIFIED, OptionalLong.empty(), OptionalLong.empty(), "the chain verified");
        }

        Scan fail(Finding finding, long sequence, long offset, String detail) {
            return fail(finding, sequence, OptionalLong.of(offset), detail);
        }

        Scan fail(Finding finding, long sequence, OptionalLong offset, String detail) {
            return scan(finding, OptionalLong.of(sequence), offset, detail);
        }

        private Scan scan(Finding finding, OptionalLong sequence, OptionalLong offset, String detail) {
            JournalVerification verification = new JournalVerification(
                    runId,
                    file.toString(),
                    finding,
                    records.size(),
                    RecordCodec.hex(head),
                    finding == Finding.NO_SUCH_RUN ? OptionalLong.empty() : sequence,
                    offset,
                    detail,
                    authenticated);
            return new Scan(
                    List.copyOf(records), List.copyOf(hashes), verification, head.clone(), validLength, tornTail);
        }
    }

    /**
     * What a scan found.
     *
     * @param records the records that verified, in order
     * @param hashes the hash of each record that verified, in order (do not change the arrays)
     * @param verification the verdict
     * @param head the hash of the last verified record, or the genesis
     * @param validLength the length of the file up to the end of its last complete line
     * @param tornTail whether the file ends in an incomplete line
     */
    public record Scan(
            List<JournalRecord> records,
            List<byte[]> hashes,
            JournalVerification verification,
            byte[] head,
            long validLength,
            boolean tornTail) {
        /** Checks the parts. */
        public Scan {
            records = List.copyOf(records);
            hashes = List.copyOf(hashes);
            Objects.requireNonNull(verification, "verification");
            Objects.requireNonNull(head, "head");
        }
    }
}
