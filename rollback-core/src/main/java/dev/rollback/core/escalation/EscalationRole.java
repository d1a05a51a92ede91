package dev.rollback.core.escalation;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The contacts of the runbook's escalation ladder and the tier each belongs to. Who fills each
 * role, and how to reach them, is configuration ({@link EscalationContacts}). Paging a role asks it
 * to help; it informs no stakeholder group (see {@link dev.rollback.core.notification.StakeholderNotices}).
 *
 * <p>Immutable and thread-safe.
 */
public enum EscalationRole {
    /** On-Call Engineer. */
    ON_CALL_ENGINEER(EscalationTier.IMMEDIATE_RESPONSE),
    /** Technical Lead. */
    TECHNICAL_LEAD(EscalationTier.IMMEDIATE_RESPONSE),
    /** Security Officer; also the security team told of an emergency authorization. */
    SECURITY_OFFICER(EscalationTier.IMMEDIATE_RESPONSE),
    /** Incident Commander. */
    INCIDENT_COMMANDER(EscalationTier.IMMEDIATE_RESPONSE),
    /** Engineering Manager. */
    ENGINEERING_MANAGER(EscalationTier.MANAGEMENT_ESCALATION),
    /** Product Owner. */
    PRODUCT_OWNER(EscalationTier.MANAGEMENT_ESCALATION),
    /** Compliance Officer. */
    COMPLIANCE_OFFICER(EscalationTier.MANAGEMENT_ESCALATION),
    /** Executive Sponsor. */
    EXECUTIVE_SPONSOR(EscalationTier.MANAGEMENT_ESCALATION),
    /** Customer Success: the channel to customers. */
    CUSTOMER_SUCCESS(EscalationTier.EXTERNAL_COMMUNICATIONS),
    /** Legal Counsel: counted with management (an internal party). */
    LEGAL_COUNSEL(EscalationTier.EXTERNAL_COMMUNICATIONS),
    /** Public Relations: the channel to the public. */
    PUBLIC_RELATIONS(EscalationTier.EXTERNAL_COMMUNICATIONS),
    /** Regulatory Affairs: the channel to regulators. */
    REGULATORY_AFFAIRS(EscalationTier.EXTERNAL_COMMUNICATIONS);

    private final EscalationTier tier;

    EscalationRole(EscalationTier tier) {
        this.tier = tier;
    }

    /** The tier this role belongs to. */
    public EscalationTier tier() {
        return tier;
    }

    /** The role's id for configuration files ("on-call-engineer"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The role with this id, for reading contacts from configuration. */
    public static Optional<EscalationRole> byId(String id) {
        return Arrays.stream(values()).filter(r -> r.id().equals(id)).findFirst();
    }
}
