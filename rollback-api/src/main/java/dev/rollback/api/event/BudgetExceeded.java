package dev.rollback.api.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A component's RTO budget (or the plan's, when {@code component} is "plan") ran out.
 *
 * @param runId the run
 * @param at when
 * @param component the component, or "plan"
 * @param budget the budget that ran out
 */
public record BudgetExceeded(String runId, Instant at, String component, Duration budget) implements RollbackEvent {}
