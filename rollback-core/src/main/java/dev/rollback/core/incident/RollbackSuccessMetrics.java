package dev.rollback.core.incident;

import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.core.notification.NotificationDelivery;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderGroup;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Computes the runbook's "Rollback Success Metrics" from an {@link IncidentTimeline}:
 * <ul>
 * <li>time to detection: breach began to decision (unknown when the breach's start is);</li>
 * <li>time to decision: decision to authorization;</li>
 * <li>time to execute: the run's own (monotonic) duration;</li>
 * <li>total recovery: breach began (or, unknown, the decision) to the end of a successful run;</li>
 * <li>records lost: the providers' {@link dev.rollback.api.EvidenceKey#RECORDS_LOST} evidence, summed;</li>
 * <li>notification latency per runbook stakeholder group: the incident's opening to the first delivery to
 *     the group, for every group a notification was sent to (unknown if none was delivered).</li>
 * </ul>
 * A figure nobody measured stays empty, never zero. Each is judged against the runbook's limit and
 * target by {@link SuccessMetrics} and {@link NotificationLatency}.
 *
 * <p>Stateless and thread-safe; it never reads a clock.
 */
public final class RollbackSuccessMetrics {

    private RollbackSuccessMetrics() {}

    /** The success metrics of a timeline. */
    public static SuccessMetrics compute(IncidentTimeline timeline) {
        Objects.requireNonNull(timeline, "timeline");
        Optional<Duration> detect = timeline.breachBegan().map(b -> Duration.between(b, timeline.decidedAt()));
        Optional<Duration> decide = timeline.authorizedAt().map(a -> Duration.between(timeline.decidedAt(), a));
        Instant start = timeline.breachBegan().orElse(timeline.decidedAt());
        Optional<Duration> recovery = timeline.recoveredAt().map(r -> Duration.between(start, r));
        return new SuccessMetrics(
                detect,
                decide,
                timeline.executionTime(),
                recovery,
                timeline.recordsLost(),
                notificationLatencies(timeline.deliveries()));
    }

    /**
     * The latency of each runbook stakeholder group that a notification was sent to, in the
     * runbook's order: from the incident's opening to the first successful delivery, or unknown if
     * every delivery to the group failed. Notifications to other groups (the security team's
     * notice) have no runbook target and are left out.
     */
    public static List<NotificationLatency> notificationLatencies(List<NotificationDelivery> deliveries) {
        Objects.requireNonNull(deliveries, "deliveries");
        List<NotificationLatency> latencies = new ArrayList<>();
        for (StakeholderGroup group : StakeholderGroup.values()) {
            List<NotificationDelivery> toGroup = deliveries.stream()
                    .filter(d -> d.notification().stakeholder().equals(group.id()))
                    .toList();
            if (!toGroup.isEmpty()) {
                Optional<Duration> first =
                        toGroup.stream().flatMap(d -> d.latency().stream()).min(Duration::compareTo);
                latencies.add(new NotificationLatency(group.id(), first, group.limit(), group.target()));
            }
        }
        return latencies;
    }

    /**
     * {@code report} with the success metrics of the incident it answered, computed from the
     * incident, the report and the dispatcher's deliveries about the incident so far.
     */
    public static RollbackReport attach(RollbackReport report, Incident incident, NotificationDispatcher dispatcher) {
        Objects.requireNonNull(dispatcher, "dispatcher");
        Objects.requireNonNull(incident, "incident");
        return report.withMetrics(compute(IncidentTimeline.of(incident, report, dispatcher.deliveries(incident.id()))));
    }
}
