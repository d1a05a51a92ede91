package dev.rollback.api.event;

import java.time.Instant;

/**
 * A running attempt reported progress through {@link dev.rollback.api.StepContext#progress(String)}:
 * a unit of work done, a poll answered, a batch copied. Sent on the thread that reported it, once per
 * report, between the attempt's {@link StepStarted} and its end; a listener that writes them somewhere
 * slow should thin them out (the SLF4J listener logs at most one line per step per interval).
 *
 * @param runId the run
 * @param at when it was reported (wall time from the executor's clock)
 * @param stepId the step
 * @param attempt the attempt that reported it, from 1
 * @param what what the step said it did, redacted
 */
public record StepProgress(String runId, Instant at, String stepId, int attempt, String what)
        implements RollbackEvent {}
