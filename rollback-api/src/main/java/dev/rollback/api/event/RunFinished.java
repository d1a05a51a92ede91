package dev.rollback.api.event;

import dev.rollback.api.report.RunOutcome;
import java.time.Duration;
import java.time.Instant;

/**
 * A run ended; the last event of every run.
 *
 * @param runId the run
 * @param at when
 * @param outcome how it ended
 * @param duration how long it took
 */
public record RunFinished(String runId, Instant at, RunOutcome outcome, Duration duration) implements RollbackEvent {}
