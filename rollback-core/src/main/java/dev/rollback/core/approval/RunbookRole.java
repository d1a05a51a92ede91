package dev.rollback.core.approval;

/**
 * The roles the runbook's "Manual Rollback Authorization" names, each with the id that
 * {@link dev.rollback.api.governance.Approval#role() approvals} and the {@link IdentityDirectory}
 * use. An application may use roles of its own in a custom {@link AuthorityMatrix}; these are the
 * runbook's.
 *
 * <p>Immutable and thread-safe.
 */
public enum RunbookRole {
    /** Senior Engineer. */
    SENIOR_ENGINEER("senior-engineer"),
    /** Technical Lead. */
    TECHNICAL_LEAD("technical-lead"),
    /** Database administrator. */
    DBA("dba"),
    /** The security team ("Security" in the database row). */
    SECURITY("security"),
    /** DevOps Lead. */
    DEVOPS_LEAD("devops-lead"),
    /** Security Officer. */
    SECURITY_OFFICER("security-officer"),
    /** Integration Lead. */
    INTEGRATION_LEAD("integration-lead"),
    /** Product Owner. */
    PRODUCT_OWNER("product-owner"),
    /** Engineering Manager. */
    ENGINEERING_MANAGER("engineering-manager"),
    /** UX Lead. */
    UX_LEAD("ux-lead"),
    /** Customer Success. */
    CUSTOMER_SUCCESS("customer-success"),
    /** Executive (any executive: service disruptions, rollbacks affecting more than 1,000 users). */
    EXECUTIVE("executive"),
    /** Compliance Officer. */
    COMPLIANCE_OFFICER("compliance-officer"),
    /** Legal. */
    LEGAL("legal"),
    /** Chief Financial Officer. */
    CFO("cfo"),
    /** Executive Sponsor. */
    EXECUTIVE_SPONSOR("executive-sponsor");

    private final String id;

    RunbookRole(String id) {
        this.id = id;
    }

    /** The role's id, as approvals and identity directories spell it ("technical-lead"). */
    public String id() {
        return id;
    }
}
