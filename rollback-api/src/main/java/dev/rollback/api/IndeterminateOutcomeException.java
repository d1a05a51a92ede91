package dev.rollback.api;

import java.util.Optional;

/**
 * Thrown by a step when a call that changes something may or may not have taken effect: its answer
 * was lost, the connection was reset after the request was sent, it timed out after sending. That is
 * neither a failure (the effect may be in place) nor a transient error (sending it again may do it
 * twice): it is <b>indeterminate</b>, and is settled by reading state, never by sending the call
 * again blindly.
 *
 * <p>What the executor does with it (see {@link RollbackStep#tookEffect(StepContext)}): it never
 * retries the attempt as it stands. A step that is {@linkplain RollbackStep#idempotent() idempotent}
 * and not {@linkplain RollbackStep#destructive() destructive} may simply run again (within its retry
 * settings and deadline). Any other step is asked {@link RollbackStep#tookEffect(StepContext)}: took
 * effect, and the step counts as done (its verifiers still run); did not, and it may be tried again
 * within its retry settings and deadline; cannot tell (empty, or the check fails), and the step ends
 * {@link dev.rollback.api.report.StepOutcome#HUMAN_DECISION_REQUIRED} naming the step. The verdict is
 * journaled ({@code STEP_RECONCILED}), emitted ({@link dev.rollback.api.event.StepReconciled}) and
 * written into the attempt of the report.
 *
 * <p>A step may also settle such a call itself, in the same attempt, by reading the resource (a
 * restore whose answer was lost is adopted when the server is found): then it throws nothing. The
 * message names the call and what was seen; it never holds a secret.
 */
public class IndeterminateOutcomeException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** An indeterminate outcome, described by {@code message}, caused by {@code cause} (a reset, a timeout). */
    public IndeterminateOutcomeException(String message, Throwable cause) {
        super(ErrorCode.OUTCOME_INDETERMINATE, message, cause);
    }

    /** An indeterminate outcome described by {@code message}. */
    public IndeterminateOutcomeException(String message) {
        super(ErrorCode.OUTCOME_INDETERMINATE, message);
    }

    /**
     * The indeterminate outcome in {@code failure} or its causes (a step may wrap it), if any.
     *
     * @param failure what a step threw
     * @return the first {@link IndeterminateOutcomeException} in the cause chain
     */
    public static Optional<IndeterminateOutcomeException> in(Throwable failure) {
        Throwable c = failure;
        for (int depth = 0; c != null && depth < 20; depth++) {
            if (c instanceof IndeterminateOutcomeException e) {
                return Optional.of(e);
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }
}
