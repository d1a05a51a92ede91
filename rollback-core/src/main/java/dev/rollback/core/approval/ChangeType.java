package dev.rollback.core.approval;

/**
 * What a rollback changes, in the runbook's words: the rows of its technical and business
 * decision-authority matrices. An application declares the change types of each plan in a
 * {@link RollbackClassification}; the {@link AuthorityMatrix} says whose approval each needs.
 *
 * <p>Immutable and thread-safe.
 */
public enum ChangeType {
    /** Application code (technical authority). */
    APPLICATION_CODE(Authority.TECHNICAL, "application code"),
    /** Database changes (technical authority). */
    DATABASE_CHANGES(Authority.TECHNICAL, "database changes"),
    /** Infrastructure (technical authority). */
    INFRASTRUCTURE(Authority.TECHNICAL, "infrastructure"),
    /** Security configurations (technical authority). */
    SECURITY_CONFIGS(Authority.TECHNICAL, "security configs"),
    /** Integration changes (technical authority). */
    INTEGRATION_CHANGES(Authority.TECHNICAL, "integration changes"),
    /** Feature rollbacks (business authority). */
    FEATURE_ROLLBACK(Authority.BUSINESS, "feature rollbacks"),
    /** User-facing changes (business authority). */
    USER_FACING_CHANGES(Authority.BUSINESS, "user-facing changes"),
    /** Service disruptions (business authority). */
    SERVICE_DISRUPTION(Authority.BUSINESS, "service disruptions"),
    /** Compliance issues (business authority). */
    COMPLIANCE_ISSUES(Authority.BUSINESS, "compliance issues"),
    /** Financial impact (business authority). */
    FINANCIAL_IMPACT(Authority.BUSINESS, "financial impact");

    private final Authority authority;
    private final String description;

    ChangeType(Authority authority, String description) {
        this.authority = authority;
        this.description = description;
    }

    /** Which of the runbook's two matrices this row belongs to. */
    public Authority authority() {
        return authority;
    }

    /** The runbook's words for this row. */
    public String description() {
        return description;
    }

    /** The runbook's two decision-authority matrices. */
    public enum Authority {
        /** "Technical Decision Authority". */
        TECHNICAL,
        /** "Business Decision Authority". */
        BUSINESS
    }
}
