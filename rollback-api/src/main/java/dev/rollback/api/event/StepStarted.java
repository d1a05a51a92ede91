package dev.rollback.api.event;

import java.time.Instant;

/**
 * An attempt of a step started.
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param component its component
 * @param attempt the attempt number, from 1
 * @param deadline when the attempt will be interrupted
 */
public record StepStarted(String runId, Instant at, String stepId, String component, int attempt, Instant deadline)
        implements RollbackEvent {}
