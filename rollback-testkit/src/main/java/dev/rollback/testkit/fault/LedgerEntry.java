package dev.rollback.testkit.fault;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One side effect a node recorded in the {@link SideEffectLedger}: which node, run, step and
 * attempt, under which fencing token, with what outcome, when, and before which deadline.
 *
 * @param node the node (child JVM) that acted
 * @param runId the run
 * @param stepId the step
 * @param fencingToken the fencing token the node held
 * @param attempt the attempt number, from 1
 * @param outcome what happened
 * @param at when (the node's wall clock)
 * @param deadline the attempt's deadline, if it had one
 */
public record LedgerEntry(
        String node,
        String runId,
        String stepId,
        long fencingToken,
        int attempt,
        Outcome outcome,
        Instant at,
        Optional<Instant> deadline) {

    /** What a node did. */
    public enum Outcome {
        /** An attempt started. */
        STARTED,
        /** The effect took place (the resource accepted the write). */
        APPLIED,
        /** The resource refused the write (a stale fencing token). */
        REFUSED,
        /** The attempt failed without an effect. */
        FAILED
    }

    /** Validates: text fields are non-empty and hold no tab or line break. */
    public LedgerEntry {
        requireField(node, "node");
        requireField(runId, "runId");
        requireField(stepId, "stepId");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, but was " + attempt);
        }
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(deadline, "deadline");
    }

    String toLine() {
        return String.join(
                        "\t",
                        node,
                        runId,
                        stepId,
                        Long.toString(fencingToken),
                        Integer.toString(attempt),
                        outcome.name(),
                        at.toString(),
                        deadline.map(Instant::toString).orElse("-"))
                + "\n";
    }

    static LedgerEntry parse(String line) {
        String[] f = line.split("\t", -1);
        if (f.length != 8) {
            throw new IllegalArgumentException("not a ledger line (8 tab-separated fields): " + line);
        }
        return new LedgerEntry(
                f[0],
                f[1],
                f[2],
                Long.parseLong(f[3]),
                Integer.parseInt(f[4]),
                Outcome.valueOf(f[5]),
                Instant.parse(f[6]),
                f[7].equals("-") ? Optional.empty() : Optional.of(Instant.parse(f[7])));
    }

    private static void requireField(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty() || value.indexOf('\t') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException(
                    name + " must be non-empty with no tab or line break, but was '" + value + "'");
        }
    }
}
