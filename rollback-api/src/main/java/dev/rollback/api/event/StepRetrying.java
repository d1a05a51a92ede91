package dev.rollback.api.event;

import java.time.Duration;
import java.time.Instant;

/**
 * An attempt failed transiently; the next one starts after {@code backoff}.
 *
 * @param runId the run
 * @param at when
 * @param stepId the step
 * @param failedAttempt the attempt that failed
 * @param backoff the wait before the next attempt
 * @param failure the failure, redacted
 */
public record StepRetrying(String runId, Instant at, String stepId, int failedAttempt, Duration backoff, String failure)
        implements RollbackEvent {}
