package dev.rollback.api.event;

import dev.rollback.api.Initiator;
import java.time.Instant;

/**
 * A run started (or a dry run began).
 *
 * @param runId the run
 * @param at when
 * @param planName the plan
 * @param initiator who or what started it
 * @param dryRun whether it is a dry run
 */
public record RunStarted(String runId, Instant at, String planName, Initiator initiator, boolean dryRun)
        implements RollbackEvent {}
