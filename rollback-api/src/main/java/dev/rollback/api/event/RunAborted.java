package dev.rollback.api.event;

import java.time.Instant;

/**
 * Someone aborted the run; scheduling stops and running steps are interrupted.
 *
 * @param runId the run
 * @param at when
 * @param who who aborted
 * @param reason why
 */
public record RunAborted(String runId, Instant at, String who, String reason) implements RollbackEvent {}
