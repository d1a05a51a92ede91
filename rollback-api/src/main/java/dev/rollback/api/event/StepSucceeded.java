package dev.rollback.api.event;

import java.time.Duration;
import java.time.Instant;

/**
 * A step took effect and its verifications passed.
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param attempts how many attempts it took
 * @param duration how long it took
 */
public record StepSucceeded(String runId, Instant at, String stepId, int attempts, Duration duration)
        implements RollbackEvent {}
