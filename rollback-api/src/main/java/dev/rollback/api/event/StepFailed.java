package dev.rollback.api.event;

import java.time.Instant;

/**
 * A step failed (after its last attempt, or a verification failed).
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param attempts how many attempts were made
 * @param failure the failure, redacted
 */
public record StepFailed(String runId, Instant at, String stepId, int attempts, String failure)
        implements RollbackEvent {}
