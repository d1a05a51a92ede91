package dev.rollback.core.response;

import dev.rollback.api.Decision;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.escalation.Escalation;
import dev.rollback.core.incident.SeverityChange;
import dev.rollback.core.notification.NotificationDelivery;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What an incident response did, from the decision to a verified recovery (or not): the incident,
 * the run of its plan (with the runbook's success metrics and stakeholder notification latencies),
 * the post-rollback checks, the system-recovery metrics, the escalation tiers that paged, and the
 * heightened monitoring applied. Immutable.
 *
 * @param incidentId the incident
 * @param title the incident's title
 * @param decision the decision that opened it
 * @param severity its severity when the report was made
 * @param state how it ended on this node ({@link IncidentState#RECOVERED} or {@link IncidentState#NOT_RECOVERED})
 * @param openedAt when it opened
 * @param recoveredAt when recovery was verified, if it was
 * @param run the report of the plan's run, with success metrics, if a plan ran
 * @param checks the post-rollback checks of the last verification, in order
 * @param systemRecovery the system-recovery metrics
 * @param escalations the escalation tiers that paged, in order
 * @param severityChanges every change of the incident's severity, in order
 * @param deliveries every delivery of a page or notice about the incident, in the order they finished
 * @param heightenedMonitoringUntil until when heightened monitoring applies, if it was applied
 * @param notes what else a reader should know (a takeover, why recovery was not declared)
 */
public record IncidentReport(
        String incidentId,
        String title,
        Decision decision,
        Severity severity,
        IncidentState state,
        Instant openedAt,
        Optional<Instant> recoveredAt,
        Optional<RollbackReport> run,
        List<Verification> checks,
        SystemRecovery systemRecovery,
        List<Escalation> escalations,
        List<SeverityChange> severityChanges,
        List<NotificationDelivery> deliveries,
        Optional<Instant> heightenedMonitoringUntil,
        List<String> notes) {

    /** Validates and copies. */
    public IncidentReport {
        Objects.requireNonNull(incidentId, "incidentId");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(openedAt, "openedAt");
        Objects.requireNonNull(recoveredAt, "recoveredAt");
        Objects.requireNonNull(run, "run");
        checks = List.copyOf(checks);
        Objects.requireNonNull(systemRecovery, "systemRecovery");
        escalations = List.copyOf(escalations);
        severityChanges = List.copyOf(severityChanges);
        deliveries = List.copyOf(deliveries);
        Objects.requireNonNull(heightenedMonitoringUntil, "heightenedMonitoringUntil");
        notes = List.copyOf(notes);
    }

    /** Whether production was verified recovered. */
    public boolean recovered() {
        return state == IncidentState.RECOVERED;
    }
}
