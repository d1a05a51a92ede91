package dev.rollback.core.internal;

/** Where a step is in one run. */
enum StepStatus {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    SKIPPED,
    ABORTED,
    /** It may have taken effect and cannot tell: never retried; a human decides. */
    HUMAN_DECISION_REQUIRED;

    boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }
}
