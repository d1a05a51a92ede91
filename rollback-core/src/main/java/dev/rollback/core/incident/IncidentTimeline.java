package dev.rollback.core.incident;

import dev.rollback.api.Decision;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.notification.NotificationDelivery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The moments of one incident that the runbook's success metrics are measured between: when the
 * breach began (if known), when the decision was taken (the incident opened), when the run was
 * authorized, how long it executed, when the system was recovered (a successful run's end), the
 * records lost, and every notification delivery. Build it from the real objects with
 * {@link #of(Incident, RollbackReport, List)}, or script it for a drill or a test.
 *
 * <p>Immutable and thread-safe. It never fills in a moment nobody recorded.
 *
 * @param breachBegan when the breach began, if known
 * @param decidedAt when the decision to act was taken (the incident's opening)
 * @param authorizedAt when the run was authorized, if it was
 * @param executionTime how long the run took, if it ran for real
 * @param recoveredAt when the system was recovered: the end of a successful real run, if there was one
 * @param recordsLost records lost, from the providers' RPO evidence; empty when none was measured
 * @param deliveries every notification delivery about the incident
 */
public record IncidentTimeline(
        Optional<Instant> breachBegan,
        Instant decidedAt,
        Optional<Instant> authorizedAt,
        Optional<Duration> executionTime,
        Optional<Instant> recoveredAt,
        OptionalLong recordsLost,
        List<NotificationDelivery> deliveries) {

    private static final Logger LOG = LoggerFactory.getLogger(IncidentTimeline.class);

    /** Validates and copies. */
    public IncidentTimeline {
        Objects.requireNonNull(breachBegan, "breachBegan");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(authorizedAt, "authorizedAt");
        Objects.requireNonNull(executionTime, "executionTime");
        Objects.requireNonNull(recoveredAt, "recoveredAt");
        Objects.requireNonNull(recordsLost, "recordsLost");
        deliveries = List.copyOf(deliveries);
        breachBegan.filter(b -> b.isAfter(decidedAt)).ifPresent(b -> {
            throw new IllegalArgumentException(
                    "breachBegan (" + b + ") must not be after decidedAt (" + decidedAt + ")");
        });
    }

    /**
     * The timeline of an incident and the run that answered it: the incident gives the breach and
     * the decision; the report gives the authorization (if granted), the execution time and the
     * recovery (a real run, and a successful one for recovery), and the records lost.
     */
    public static IncidentTimeline of(Incident incident, RollbackReport report, List<NotificationDelivery> deliveries) {
        Objects.requireNonNull(incident, "incident");
        Objects.requireNonNull(report, "report");
        return of(incident.breachBegan(), incident.openedAt(), report, deliveries);
    }

    /**
     * The timeline of a run on its own, as the executor reports it: the trigger's decision (if the
     * run was automatic) gives the breach and the decision; a manual run is decided when it starts
     * and its time to decision is unknown. The rest as for an incident, with no notifications.
     */
    public static IncidentTimeline of(RollbackReport report) {
        Objects.requireNonNull(report, "report");
        Optional<Decision> decision = report.initiator().decision();
        return of(
                decision.map(Decision::breachBegan),
                decision.map(Decision::decidedAt).orElse(report.startedAt()),
                report,
                List.of());
    }

    private static IncidentTimeline of(
            Optional<Instant> breachBegan,
            Instant decidedAt,
            RollbackReport report,
            List<NotificationDelivery> deliveries) {
        // An authorization recorded before the decision it answers (a manual run authorized, then
        // started) says nothing about how long deciding took.
        Optional<Instant> authorized = report.authorization().granted()
                        && !report.authorization().decidedAt().isBefore(decidedAt)
                ? Optional.of(report.authorization().decidedAt())
                : Optional.empty();
        Optional<Duration> executed = report.dryRun() ? Optional.empty() : Optional.of(report.duration());
        // Recovered means a real run that succeeded: a failed, partial or aborted run recovered nothing.
        Optional<Instant> recovered = !report.dryRun() && report.outcome() == RunOutcome.SUCCEEDED
                ? Optional.of(report.finishedAt())
                : Optional.empty();
        return new IncidentTimeline(
                breachBegan, decidedAt, authorized, executed, recovered, recordsLost(report.steps()), deliveries);
    }

    /**
     * The records lost over all steps: the sum of their {@link EvidenceKey#RECORDS_LOST} evidence. Empty
     * (unknown) when no step measured it, or when a step recorded a value that is not a
     * non-negative whole number; never a silent zero.
     */
    public static OptionalLong recordsLost(List<StepReport> steps) {
        long total = 0;
        boolean measured = false;
        for (StepReport step : steps) {
            String value = step.evidence().get(EvidenceKey.RECORDS_LOST.name());
            if (value == null) {
                continue;
            }
            Optional<Long> lost = EvidenceKey.RECORDS_LOST.read(value);
            if (lost.isEmpty()) {
                LOG.warn(
                        "step {} recorded {}='{}', which is not a count of records; records lost are unknown",
                        step.stepId(),
                        EvidenceKey.RECORDS_LOST,
                        Arguments.printable(value));
                return OptionalLong.empty();
            }
            total = Math.addExact(total, lost.get());
            measured = true;
        }
        return measured ? OptionalLong.of(total) : OptionalLong.empty();
    }
}
