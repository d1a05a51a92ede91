package dev.rollback.core.escalation;

import java.time.Duration;
import java.util.Locale;

/**
 * The runbook's "Emergency Contact Escalation" tiers, with the time after the incident opened at
 * which the runbook brings each in. {@link EscalationPolicy} may move those times and decides which
 * severities reach each tier.
 *
 * <p>Immutable and thread-safe.
 */
public enum EscalationTier {
    /** Immediate Response (0-15 minutes): on-call engineer, technical lead, security officer, incident commander. */
    IMMEDIATE_RESPONSE("Immediate Response", Duration.ZERO),
    /** Management Escalation (15-60 minutes): engineering manager, product owner, compliance officer, executive sponsor. */
    MANAGEMENT_ESCALATION("Management Escalation", Duration.ofMinutes(15)),
    /** External Communications (60+ minutes): customer success, legal counsel, public relations, regulatory affairs. */
    EXTERNAL_COMMUNICATIONS("External Communications", Duration.ofMinutes(60));

    private final String label;
    private final Duration runbookAfter;

    EscalationTier(String label, Duration runbookAfter) {
        this.label = label;
        this.runbookAfter = runbookAfter;
    }

    /** The runbook's name for the tier. */
    public String label() {
        return label;
    }

    /**
     * The channel its pages carry as {@link dev.rollback.api.spi.Notification#stakeholder()}
     * ({@code paging:immediate-response}): never a stakeholder group's id, so a page is never counted
     * as informing stakeholders.
     */
    public String pagingChannel() {
        return "paging:" + name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** When the runbook brings this tier in, counted from the incident's opening. */
    public Duration runbookAfter() {
        return runbookAfter;
    }
}
