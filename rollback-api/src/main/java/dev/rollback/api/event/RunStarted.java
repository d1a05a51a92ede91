package dev.rollback.api.event;

import dev.rollback.api.Initiator;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A run started (or a dry run began, or a run resumed after its process died: then {@code at} is
 * when it first started, since its RTO budgets count from there).
 *
 * @param runId the run
 * @param at when it (first) started; the budgets count from here
 * @param planName the plan
 * @param initiator who or what started it
 * @param dryRun whether it is a dry run
 * @param budgets the RTO budget of each component of the plan, and of the plan itself under the key
 *     {@code "plan"} (as {@link BudgetExceeded} names it), in the plan's order; empty when not known
 */
public record RunStarted(
        String runId, Instant at, String planName, Initiator initiator, boolean dryRun, Map<String, Duration> budgets)
        implements RollbackEvent {

    /** Checks the parts and copies the budgets. */
    public RunStarted {
        Objects.requireNonNull(budgets, "budgets");
        budgets = Collections.unmodifiableMap(new LinkedHashMap<>(budgets));
    }

    /** A start whose budgets are not known. */
    public RunStarted(String runId, Instant at, String planName, Initiator initiator, boolean dryRun) {
        this(runId, at, planName, initiator, dryRun, Map.of());
    }
}
