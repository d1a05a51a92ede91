package dev.rollback.api.event;

import java.time.Instant;

/**
 * A step will not run, with the reason (a dependency failed, the run stopped).
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param reason why
 */
public record StepSkipped(String runId, Instant at, String stepId, String reason) implements RollbackEvent {}
