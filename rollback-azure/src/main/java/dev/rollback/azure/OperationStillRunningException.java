package dev.rollback.azure;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;

/**
 * A long-running operation that Azure accepted was still running when its step had to stop waiting:
 * its deadline came, or the server asked for a wait before the next poll that would outlive it. The
 * operation goes on in Azure and may still complete; thrown by {@link AzureOperations#await} so that a
 * step can say so truthfully (read the resource again, adopt it on a later run, or ask a human),
 * never as if the change had failed or succeeded. Code {@link ErrorCode#STEP_TIMED_OUT}.
 */
public class OperationStillRunningException extends RollbackException {
    private static final long serialVersionUID = 1L;

    private final int polls;

    /** An operation still running after {@code polls} answered polls, described by {@code message}. */
    public OperationStillRunningException(String message, int polls) {
        super(ErrorCode.STEP_TIMED_OUT, message);
        this.polls = polls;
    }

    /** How many polls were answered before the wait stopped. */
    public int polls() {
        return polls;
    }
}
