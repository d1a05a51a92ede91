package dev.rollback.api.event;

import dev.rollback.api.Verification;
import java.time.Instant;

/**
 * A verification passed; {@code stepId} is "plan" for plan verifiers.
 *
 * @param runId the run
 * @param at when
 * @param stepId the step verified, or "plan"
 * @param verification the result with its evidence
 */
public record VerificationPassed(String runId, Instant at, String stepId, Verification verification)
        implements RollbackEvent {}
