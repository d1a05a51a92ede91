package dev.rollback.api;

/** Stable codes for every {@link RollbackException}; their names never change once released. */
public enum ErrorCode {
    /** The plan is invalid (cycle, duplicate id, unknown dependency, bad budget, unprotected destructive step). */
    INVALID_PLAN,
    /** A configuration value or argument is invalid. */
    INVALID_CONFIGURATION,
    /** A manual run lacks the approvals its policy requires. */
    APPROVAL_REQUIRED,
    /** A step passed its deadline. */
    STEP_TIMED_OUT,
    /** A step was stopped at a checkpoint because the run was aborted or its deadline passed. */
    STEP_INTERRUPTED,
    /** A step failed. */
    STEP_FAILED,
    /** The run lock for a plan could not be acquired, or was lost. */
    LOCK_UNAVAILABLE,
    /** The journal could not be written or read, or failed verification. */
    JOURNAL_FAILURE,
    /** A run needs a human decision before it can go on (for example an unsure resume). */
    HUMAN_DECISION_REQUIRED,
    /** A credential is missing or was refused. */
    CREDENTIAL_PROBLEM,
    /** An external system (a server, an API) failed. */
    EXTERNAL_FAILURE,
    /**
     * A call may or may not have taken effect (its answer was lost, the connection was reset after the
     * request was sent, it timed out): neither a failure nor a transient error. See
     * {@link IndeterminateOutcomeException}.
     */
    OUTCOME_INDETERMINATE
}
