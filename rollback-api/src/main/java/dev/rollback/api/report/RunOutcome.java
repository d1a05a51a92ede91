package dev.rollback.api.report;

/** How a whole run ended. */
public enum RunOutcome {
    /** Every step and every verification succeeded. */
    SUCCEEDED,
    /** Nothing useful was achieved: the first step that ran failed, or every step failed or was skipped. */
    FAILED,
    /** Some steps succeeded and some failed, were skipped or timed out, or a plan verification failed. */
    PARTIAL,
    /** Someone aborted the run. */
    ABORTED
}
