package dev.rollback.api.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A step passed its deadline and was interrupted; sent at that moment.
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param budget the time it had been given
 */
public record StepTimedOut(String runId, Instant at, String stepId, Duration budget) implements RollbackEvent {}
