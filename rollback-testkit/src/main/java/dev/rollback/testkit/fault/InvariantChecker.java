package dev.rollback.testkit.fault;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a {@link SideEffectLedger}'s entries against the invariants of the fault model (docs/fault-model.md) that a ledger can
 * show:
 * <ol>
 *   <li>no double execution: a step takes effect ({@code APPLIED}) at most once per run, unless it
 *       was declared {@link #idempotent(String...) idempotent};</li>
 *   <li>fencing: no write is applied with a fencing token lower than one applied before it;</li>
 *   <li>deadlines: no attempt starts after its deadline.</li>
 * </ol>
 * Immutable and thread-safe; cost is linear in the number of entries.
 */
public final class InvariantChecker {
    private final List<LedgerEntry> entries;
    private final Set<String> idempotentSteps;

    private InvariantChecker(List<LedgerEntry> entries, Set<String> idempotentSteps) {
        this.entries = entries;
        this.idempotentSteps = idempotentSteps;
    }

    /** A checker of {@code entries}, in ledger order, where every step counts as non-idempotent. */
    public static InvariantChecker of(List<LedgerEntry> entries) {
        return new InvariantChecker(List.copyOf(entries), Set.of());
    }

    /** This checker, with {@code stepIds} allowed to take effect more than once per run. */
    public InvariantChecker idempotent(String... stepIds) {
        Set<String> all = new HashSet<>(idempotentSteps);
        for (String id : stepIds) {
            all.add(Objects.requireNonNull(id, "stepId"));
        }
        return new InvariantChecker(entries, Set.copyOf(all));
    }

    /** Every violation, in words, in ledger order; empty when all invariants hold. */
    public List<String> violations() {
        List<String> found = new ArrayList<>();
        Map<String, LedgerEntry> applied = new HashMap<>();
        LedgerEntry highest = null;
        for (LedgerEntry e : entries) {
            if (e.outcome() == LedgerEntry.Outcome.APPLIED) {
                LedgerEntry first = applied.putIfAbsent(e.runId() + "\t" + e.stepId(), e);
                if (first != null && !idempotentSteps.contains(e.stepId())) {
                    found.add(
                            "double execution: step '" + e.stepId() + "' of run " + e.runId() + " took effect again on "
                                    + e.node() + " (attempt " + e.attempt() + ") after " + first.node() + " (attempt "
                                    + first.attempt() + ")");
                }
                if (highest != null && e.fencingToken() < highest.fencingToken()) {
                    found.add("fencing: " + e.node() + " applied step '" + e.stepId() + "' with token "
                            + e.fencingToken() + " after " + highest.node() + " applied one with token "
                            + highest.fencingToken());
                }
                if (highest == null || e.fencingToken() > highest.fencingToken()) {
                    highest = e;
                }
            }
            if (e.outcome() == LedgerEntry.Outcome.STARTED
                    && e.deadline().isPresent()
                    && e.at().isAfter(e.deadline().get())) {
                found.add("deadline: attempt " + e.attempt() + " of step '" + e.stepId() + "' (run " + e.runId()
                        + ") started at " + e.at() + ", after its deadline "
                        + e.deadline().get());
            }
        }
        return List.copyOf(found);
    }

    /**
     * Throws if any invariant is violated.
     *
     * @throws AssertionError listing every violation
     */
    public void assertHolds() {
        List<String> found = violations();
        if (!found.isEmpty()) {
            throw new AssertionError(found.size() + " invariant violation(s) in " + entries.size()
                    + " ledger entries:\n  " + String.join("\n  ", found));
        }
    }
}
