package dev.rollback.core.internal;

/** What a worker reports to its run's coordinator when a step ends on its side. */
record Completion(StepState state, StepStatus status, String reason, boolean journalFailure) {

    static Completion of(StepState state, StepStatus status, String reason) {
        return new Completion(state, status, reason, false);
    }

    /** The worker stopped because it was interrupted; the coordinator knows why (deadline or abort). */
    static Completion interrupted(StepState state) {
        return new Completion(state, null, "interrupted", false);
    }

    boolean wasInterrupted() {
        return status == null;
    }
}
