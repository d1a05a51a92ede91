package dev.rollback.core.incident;

import dev.rollback.api.Severity;

/**
 * The runbook's "Incident Classification" criteria, each with the severity it implies. An
 * {@link IncidentFacts} names the criteria an incident meets; the most severe one decides its
 * {@link SeverityClassification}.
 *
 * <p>Immutable and thread-safe; never changes its severity mapping at run time.
 */
public enum IncidentCriterion {
    /** System completely unavailable. */
    SYSTEM_UNAVAILABLE(Severity.SEV0, "system completely unavailable"),
    /** Data loss or corruption. */
    DATA_LOSS_OR_CORRUPTION(Severity.SEV0, "data loss or corruption"),
    /** Security breach confirmed. */
    SECURITY_BREACH_CONFIRMED(Severity.SEV0, "security breach confirmed"),
    /** Financial transaction failures. */
    FINANCIAL_TRANSACTION_FAILURES(Severity.SEV0, "financial transaction failures"),
    /** Legal or regulatory compliance issues. */
    COMPLIANCE_ISSUES(Severity.SEV0, "legal/regulatory compliance issues"),

    /** Major feature failures affecting more than 50% of users. */
    MAJOR_FEATURE_FAILURE(Severity.SEV1, "major feature failures affecting >50% users"),
    /** Performance degradation over 5 seconds. */
    PERFORMANCE_DEGRADATION_OVER_5S(Severity.SEV1, "performance degradation >5 seconds"),
    /** Integration failures affecting business operations. */
    BUSINESS_INTEGRATION_FAILURE(Severity.SEV1, "integration failures affecting business operations"),
    /** Authentication or authorization issues. */
    AUTHENTICATION_ISSUES(Severity.SEV1, "authentication/authorization issues"),
    /** Backup system failures. */
    BACKUP_FAILURES(Severity.SEV1, "backup system failures"),

    /** Minor feature issues affecting fewer than 50% of users. */
    MINOR_FEATURE_ISSUE(Severity.SEV2, "minor feature issues affecting <50% users"),
    /** Performance degradation of 2 to 5 seconds. */
    PERFORMANCE_DEGRADATION_2_TO_5S(Severity.SEV2, "performance degradation 2-5 seconds"),
    /** Non-critical integration issues. */
    NON_CRITICAL_INTEGRATION_ISSUE(Severity.SEV2, "non-critical integration issues"),
    /** Monitoring or alerting problems. */
    MONITORING_PROBLEMS(Severity.SEV2, "monitoring/alerting problems"),
    /** Documentation or UI issues. */
    DOCUMENTATION_OR_UI_ISSUES(Severity.SEV2, "documentation or UI issues"),

    /** Cosmetic issues. */
    COSMETIC_ISSUE(Severity.SEV3, "cosmetic issues"),
    /** Enhancement requests. */
    ENHANCEMENT_REQUEST(Severity.SEV3, "enhancement requests"),
    /** Non-critical bug fixes. */
    NON_CRITICAL_BUG_FIX(Severity.SEV3, "non-critical bug fixes"),
    /** Performance optimizations. */
    PERFORMANCE_OPTIMIZATION(Severity.SEV3, "performance optimizations"),
    /** Documentation updates. */
    DOCUMENTATION_UPDATE(Severity.SEV3, "documentation updates");

    private final Severity severity;
    private final String description;

    IncidentCriterion(Severity severity, String description) {
        this.severity = severity;
        this.description = description;
    }

    /** The severity an incident meeting this criterion has at least. */
    public Severity severity() {
        return severity;
    }

    /** The runbook's words for this criterion. */
    public String description() {
        return description;
    }
}
