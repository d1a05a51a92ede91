package dev.rollback.core.escalation;

import dev.rollback.api.spi.Notification;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One tier of one incident brought in: when it was due, when the scheduler fired it, the
 * notifications it dispatched (one per stakeholder group), and the roles of the tier that had no
 * contact configured. Immutable.
 *
 * @param incidentId the incident
 * @param tier the tier
 * @param dueAt when the tier was due
 * @param firedAt when the scheduler fired it
 * @param notifications the notifications dispatched
 * @param withoutContact the tier's roles that no contact was configured for (so were not told)
 */
public record Escalation(
        String incidentId,
        EscalationTier tier,
        Instant dueAt,
        Instant firedAt,
        List<Notification> notifications,
        List<EscalationRole> withoutContact) {

    /** Validates and copies. */
    public Escalation {
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(tier, "tier");
        Objects.requireNonNull(dueAt, "dueAt");
        Objects.requireNonNull(firedAt, "firedAt");
        notifications = List.copyOf(notifications);
        withoutContact = List.copyOf(withoutContact);
    }
}
