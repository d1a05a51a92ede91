package dev.rollback.core.report;

import dev.rollback.api.Decision;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.escalation.Escalation;
import dev.rollback.core.incident.SeverityChange;
import dev.rollback.core.notification.NotificationDelivery;
import dev.rollback.core.response.IncidentReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An incident, or a run, as one sequence of moments: breach, decision, authorization, severity
 * changes, pages, stakeholder notices, every step's start and end, recovery. Sorted by time; moments
 * at the same instant keep their causal order (a step ends before the step that waited on it starts).
 * Stateless and thread-safe.
 */
public final class IncidentChronology {
    /** By time; moments at the same instant keep the order they happened in (the sort is stable). */
    private static final Comparator<TimelineEntry> ORDER = Comparator.comparing(TimelineEntry::at);

    private IncidentChronology() {}

    /** The moments of an incident and the run that answered it. */
    public static List<TimelineEntry> of(IncidentReport incident) {
        List<TimelineEntry> out = new ArrayList<>();
        Decision d = incident.decision();
        out.add(new TimelineEntry(d.breachBegan(), TimelineEntry.Kind.BREACH, "breach began: " + d.description()));
        out.add(new TimelineEntry(
                incident.openedAt(),
                TimelineEntry.Kind.DECISION,
                "rule " + d.rule() + " decided " + d.action() + " (" + d.kind() + ", " + d.severity() + "); incident "
                        + incident.incidentId() + " opened"));
        for (SeverityChange c : incident.severityChanges()) {
            out.add(new TimelineEntry(
                    c.at(),
                    TimelineEntry.Kind.SEVERITY_CHANGE,
                    "severity raised from " + c.from() + " to " + c.to() + " by " + c.by() + ": " + c.why()));
        }
        for (Escalation e : incident.escalations()) {
            out.add(new TimelineEntry(
                    e.firedAt(),
                    TimelineEntry.Kind.ESCALATION,
                    e.tier().label() + " paged ("
                            + e.notifications().stream()
                                    .mapToInt(n -> n.recipients().size())
                                    .sum() + " contacts)"));
        }
        for (NotificationDelivery n : incident.deliveries()) {
            if (n.notification().stakeholder().startsWith("paging:")) {
                continue;
            }
            Optional<String> when = n.deliveredAt().map(Object::toString);
            out.add(new TimelineEntry(
                    n.deliveredAt().orElse(n.notification().createdAt()),
                    TimelineEntry.Kind.NOTIFICATION,
                    n.notification().stakeholder() + (when.isPresent() ? " told via " : " NOT told via ") + n.notifier()
                            + ": " + n.notification().subject()));
        }
        incident.run().ifPresent(r -> steps(r, out));
        incident.recoveredAt()
                .ifPresent(at -> out.add(
                        new TimelineEntry(at, TimelineEntry.Kind.RECOVERED, "recovery verified; incident resolved")));
        out.sort(ORDER);
        return out;
    }

    /** The moments of a run on its own: its decision (if automatic), authorization and steps. */
    public static List<TimelineEntry> of(RollbackReport run) {
        List<TimelineEntry> out = new ArrayList<>();
        run.initiator().decision().ifPresent(d -> {
            out.add(new TimelineEntry(d.breachBegan(), TimelineEntry.Kind.BREACH, "breach began: " + d.description()));
            out.add(new TimelineEntry(
                    d.decidedAt(),
                    TimelineEntry.Kind.DECISION,
                    "rule " + d.rule() + " decided " + d.action() + " (" + d.severity() + ")"));
        });
        steps(run, out);
        out.sort(ORDER);
        return out;
    }

    private static void steps(RollbackReport r, List<TimelineEntry> out) {
        if (r.authorization().granted()) {
            out.add(new TimelineEntry(
                    r.authorization().decidedAt(),
                    TimelineEntry.Kind.AUTHORIZATION,
                    (r.authorization().preAuthorized() ? "pre-authorized by policy " : "authorized by policy ")
                            + r.authorization().policy()));
        }
        for (StepReport s : r.steps()) {
            s.startedAt()
                    .ifPresent(at -> out.add(new TimelineEntry(
                            at,
                            TimelineEntry.Kind.STEP_STARTED,
                            "step " + s.stepId() + " (" + s.component() + ") started")));
            s.finishedAt()
                    .ifPresent(at -> out.add(new TimelineEntry(
                            at,
                            TimelineEntry.Kind.STEP_ENDED,
                            "step " + s.stepId() + " " + s.outcome()
                                    + s.reason().map(x -> ": " + x).orElse(""))));
        }
    }
}
