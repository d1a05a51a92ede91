package dev.rollback.api.report;

/** Whether a measured figure met its target. */
public enum TargetStatus {
    /** Measured and within the target. */
    MET,
    /** Measured and past the target. */
    MISSED,
    /** Not measured: never reported as met. */
    UNKNOWN
}
