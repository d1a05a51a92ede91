package dev.rollback.api.spi;

import dev.rollback.api.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message to a stakeholder group about an incident. Immutable; never carries a secret.
 *
 * @param incidentId the incident it is about
 * @param stakeholder the stakeholder group ("technical-team", "management", "customers", "regulators", "public")
 * @param recipients the contacts to reach (from configuration)
 * @param severity the incident's severity
 * @param subject a one-line subject
 * @param body the message
 * @param incidentOpenedAt when the incident was opened (declared); a notification's latency is measured from
 *     it, so that how fast people are told is not charged with how long detection took (time to detection
 *     is a metric of its own)
 * @param createdAt when the notification was created
 */
public record Notification(
        String incidentId,
        String stakeholder,
        List<String> recipients,
        Severity severity,
        String subject,
        String body,
        Instant incidentOpenedAt,
        Instant createdAt) {

    /** Validates and copies. */
    public Notification {
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(stakeholder, "stakeholder");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(incidentOpenedAt, "incidentOpenedAt");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
