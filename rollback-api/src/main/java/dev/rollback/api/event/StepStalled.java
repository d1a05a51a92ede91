package dev.rollback.api.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * An attempt of a step placed with a stall timeout reported no progress for that long and is
 * being interrupted; sent at that moment, before the attempt ends (as failed, or retried if the
 * step is idempotent).
 *
 * @param runId the run
 * @param at when the stall was detected
 * @param stepId the step
 * @param attempt the attempt that stalled, from 1
 * @param silentFor how long the attempt had gone without progress
 * @param lastProgress what the attempt last said it had done, if it ever reported progress
 */
public record StepStalled(
        String runId, Instant at, String stepId, int attempt, Duration silentFor, Optional<String> lastProgress)
        implements RollbackEvent {}
