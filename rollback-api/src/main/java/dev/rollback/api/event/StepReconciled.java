package dev.rollback.api.event;

import java.time.Instant;

/**
 * The outcome of an attempt was indeterminate (it threw an
 * {@link dev.rollback.api.IndeterminateOutcomeException}) and the executor settled it by the step's
 * own reading of state, before anything else happens to the step; sent after the verdict was
 * journaled. What follows depends on the verdict: verifications and {@link StepSucceeded}
 * ({@link Verdict#TOOK_EFFECT}), {@link StepRetrying} or {@link StepFailed}
 * ({@link Verdict#DID_NOT_TAKE_EFFECT}, {@link Verdict#REPEAT_IS_SAFE}), {@link StepFailed} with the
 * outcome {@code HUMAN_DECISION_REQUIRED} ({@link Verdict#CANNOT_TELL}).
 *
 * @param runId the run
 * @param at when the verdict was reached
 * @param stepId the step
 * @param attempt the attempt whose outcome was indeterminate, from 1
 * @param verdict what the step's check said
 * @param indeterminate what happened to the call, redacted
 * @param explanation why the verdict is what it is (what the check saw or why it could not tell), redacted
 */
public record StepReconciled(
        String runId, Instant at, String stepId, int attempt, Verdict verdict, String indeterminate, String explanation)
        implements RollbackEvent {

    /** What reading state said of an effect in doubt. */
    public enum Verdict {
        /** The step's check says the effect is in place: the step is not run again and counts as done. */
        TOOK_EFFECT,
        /** The step's check says the effect is not in place: the step may be tried again. */
        DID_NOT_TAKE_EFFECT,
        /** The step is idempotent and not destructive: a repeat is safe, so it may be tried again unasked. */
        REPEAT_IS_SAFE,
        /** The step cannot tell (no check, an empty answer, or the check failed): a human decides. */
        CANNOT_TELL
    }
}
