package dev.rollback.core.escalation;

import dev.rollback.core.notification.StakeholderGroup;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The contacts of the runbook's escalation ladder: the tier each belongs to and the stakeholder
 * group whose notification latency a message to them counts for. Who fills each role, and how to
 * reach them, is configuration ({@link EscalationContacts}).
 *
 * <p>Immutable and thread-safe.
 */
public enum EscalationRole {
    /** On-Call Engineer. */
    ON_CALL_ENGINEER(EscalationTier.IMMEDIATE_RESPONSE, StakeholderGroup.TECHNICAL_TEAM),
    /** Technical Lead. */
    TECHNICAL_LEAD(EscalationTier.IMMEDIATE_RESPONSE, StakeholderGroup.TECHNICAL_TEAM),
    /** Security Officer; also the security team told of an emergency authorization. */
    SECURITY_OFFICER(EscalationTier.IMMEDIATE_RESPONSE, StakeholderGroup.TECHNICAL_TEAM),
    /** Incident Commander. */
    INCIDENT_COMMANDER(EscalationTier.IMMEDIATE_RESPONSE, StakeholderGroup.TECHNICAL_TEAM),
    /** Engineering Manager. */
    ENGINEERING_MANAGER(EscalationTier.MANAGEMENT_ESCALATION, StakeholderGroup.MANAGEMENT),
    /** Product Owner. */
    PRODUCT_OWNER(EscalationTier.MANAGEMENT_ESCALATION, StakeholderGroup.MANAGEMENT),
    /** Compliance Officer. */
    COMPLIANCE_OFFICER(EscalationTier.MANAGEMENT_ESCALATION, StakeholderGroup.MANAGEMENT),
    /** Executive Sponsor. */
    EXECUTIVE_SPONSOR(EscalationTier.MANAGEMENT_ESCALATION, StakeholderGroup.MANAGEMENT),
    /** Customer Success: the channel to customers. */
    CUSTOMER_SUCCESS(EscalationTier.EXTERNAL_COMMUNICATIONS, StakeholderGroup.CUSTOMERS),
    /** Legal Counsel: counted with management (an internal party). */
    LEGAL_COUNSEL(EscalationTier.EXTERNAL_COMMUNICATIONS, StakeholderGroup.MANAGEMENT),
    /** Public Relations: the channel to the public. */
    PUBLIC_RELATIONS(EscalationTier.EXTERNAL_COMMUNICATIONS, StakeholderGroup.PUBLIC),
    /** Regulatory Affairs: the channel to regulators. */
    REGULATORY_AFFAIRS(EscalationTier.EXTERNAL_COMMUNICATIONS, StakeholderGroup.REGULATORS);

    private final EscalationTier tier;
    private final StakeholderGroup group;

    EscalationRole(EscalationTier tier, StakeholderGroup group) {
        this.tier = tier;
        this.group = group;
    }

    /** The tier this role belongs to. */
    public EscalationTier tier() {
        return tier;
    }

    /** The stakeholder group a message to this role counts for. */
    public StakeholderGroup group() {
        return group;
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
