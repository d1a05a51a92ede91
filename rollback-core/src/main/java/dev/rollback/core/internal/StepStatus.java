package dev.rollback.core.internal;

/** Where a step is in one run. */
enum StepStatus {
    PENDING,
    RUNNING,
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    SKIPPED,
    ABORTED;

    boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }
}
