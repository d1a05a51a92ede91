package dev.rollback.api.report;

/** How one step (or one attempt of it) ended. */
public enum StepOutcome {
    /** The step took effect and its verifications passed. */
    SUCCEEDED,
    /** The step or one of its verifications failed. */
    FAILED,
    /** The step passed its deadline and was interrupted. */
    TIMED_OUT,
    /** The step did not run because a step it depends on did not succeed, or the run stopped first. */
    SKIPPED,
    /** The step was interrupted because the run was aborted. */
    ABORTED,
    /**
     * The step may have taken effect and cannot tell whether it did (a call's outcome was
     * indeterminate and its own check could not settle it, or it said so itself): it was not tried
     * again, and a human must look at the resource before anything acts on it again.
     */
    HUMAN_DECISION_REQUIRED,
    /** Dry run: the step would run; its preflight check passed. */
    WOULD_RUN,
    /** Dry run: the step's preflight check failed, so a real run would fail here. */
    WOULD_FAIL
}
