package dev.rollback.api;

/**
 * A plan failed validation: thrown by {@link RollbackPlan.Builder#build()} before anything runs.
 * The message names the plan and the culprit (the steps of a cycle, the duplicate id, the unknown
 * dependency, the bad budget, the unprotected destructive step).
 */
public class InvalidPlanException extends RollbackException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception. */
    public InvalidPlanException(String message) {
        super(ErrorCode.INVALID_PLAN, message);
    }
}
