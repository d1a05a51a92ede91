package dev.rollback.api;

/** Incident severity, as the runbook's "Incident Classification" defines it. */
public enum Severity {
    /** Critical: system unavailable, data loss or corruption, security breach, financial or compliance failures. */
    SEV0("Critical"),
    /** High: major feature failure for more than 50% of users, degradation over 5 s, auth or backup failures. */
    SEV1("High"),
    /** Medium: minor features for under 50% of users, degradation of 2-5 s, monitoring problems. */
    SEV2("Medium"),
    /** Low: cosmetic issues, enhancements, non-critical fixes. */
    SEV3("Low");

    private final String label;

    Severity(String label) {
        this.label = label;
    }

    /** The runbook's word for this severity. */
    public String label() {
        return label;
    }

    /** Whether this severity is at least as severe as {@code other} (SEV0 is the most severe). */
    public boolean isAtLeast(Severity other) {
        return ordinal() <= other.ordinal();
    }
}
