package dev.rollback.api;

/**
 * Thrown at a {@link StepContext#checkpoint() checkpoint} when the run was aborted or the step's
 * deadline passed. Never retried.
 */
public class StepInterruptedException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the step and why it stops. */
    public StepInterruptedException(String message) {
        super(ErrorCode.STEP_INTERRUPTED, message);
    }
}
