package dev.rollback.core.incident;

import dev.rollback.api.Decision;
import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import dev.rollback.core.escalation.ImmediateEscalation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One incident, from its opening to its resolution: opened by a trigger's {@link Decision} or by a
 * person with {@link IncidentFacts}, classified by the runbook's criteria, its severity raised by
 * hand when the picture worsens (who and why recorded), escalated immediately when customer data
 * is affected, and resolved. The {@link dev.rollback.core.escalation.EscalationScheduler} reads it to decide who is told when;
 * {@link IncidentTimeline} reads it to compute the success metrics.
 *
 * <p>Thread-safe: every state change and read is synchronized on the incident. Severity only ever
 * rises, and nothing changes after {@link #resolve resolution}. It never notifies anyone itself.
 */
public final class Incident {
    private final String id;
    private final String title;
    private final String openedBy;
    private final Instant openedAt;
    private final Optional<Instant> breachBegan;
    private final Optional<Decision> decision;
    private final SeverityClassification classification;

    private final List<SeverityChange> severityChanges = new ArrayList<>();
    private Severity severity;
    private Optional<ImmediateEscalation> immediateEscalation = Optional.empty();
    private Optional<Resolution> resolution = Optional.empty();

    private Incident(
            String id,
            String title,
            String openedBy,
            Instant openedAt,
            Optional<Instant> breachBegan,
            Optional<Decision> decision,
            SeverityClassification classification) {
        this.id = Arguments.requireText(id, "id");
        this.title = Arguments.requireText(title, "title");
        this.openedBy = Arguments.requireText(openedBy, "openedBy");
        this.openedAt = Objects.requireNonNull(openedAt, "openedAt");
        this.breachBegan = breachBegan;
        this.decision = decision;
        this.classification = classification;
        this.severity = classification.severity();
        breachBegan.filter(b -> b.isAfter(openedAt)).ifPresent(b -> {
            throw new IllegalArgumentException("breachBegan (" + b + ") must not be after openedAt (" + openedAt + ")");
        });
    }

    /**
     * Opens the incident a trigger's decision calls for: opened when the decision was taken,
     * started when the breach began, with the severity the trigger's rule decided.
     */
    public static Incident open(String id, Decision decision) {
        Objects.requireNonNull(decision, "decision");
        return new Incident(
                id,
                decision.description(),
                "trigger:" + decision.rule(),
                decision.decidedAt(),
                Optional.of(decision.breachBegan()),
                Optional.of(decision),
                SeverityClassification.of(decision));
    }

    /**
     * Opens an incident by hand, classified from {@code facts}; when they report customer data
     * impact, it is escalated immediately on opening.
     */
    public static Incident open(String id, String openedBy, String title, IncidentFacts facts, Instant openedAt) {
        Objects.requireNonNull(facts, "facts");
        Incident incident = new Incident(
                id, title, openedBy, openedAt, facts.breachBegan(), Optional.empty(), SeverityClassification.of(facts));
        if (facts.customerDataImpact()) {
            incident.escalateImmediately(openedBy, "customer data impact", openedAt);
        }
        return incident;
    }

    /** The incident's id. */
    public String id() {
        return id;
    }

    /** A one-line title. */
    public String title() {
        return title;
    }

    /** Who opened it: a person, or {@code trigger:<rule>}. */
    public String openedBy() {
        return openedBy;
    }

    /** When it was opened (the decision); escalation tiers count from here. */
    public Instant openedAt() {
        return openedAt;
    }

    /** When the breach began, if known. */
    public Optional<Instant> breachBegan() {
        return breachBegan;
    }

    /** When the incident started: the breach's start if known, else its opening. Notification latency counts from here. */
    public Instant startedAt() {
        return breachBegan.orElse(openedAt);
    }

    /** The decision that opened it, if a trigger did. */
    public Optional<Decision> decision() {
        return decision;
    }

    /** The classification it was opened with. */
    public SeverityClassification classification() {
        return classification;
    }

    /** The current severity: the classification's, or the last one raised by hand. */
    public synchronized Severity severity() {
        return severity;
    }

    /** Every severity raised by hand, in order. */
    public synchronized List<SeverityChange> severityChanges() {
        return List.copyOf(severityChanges);
    }

    /**
     * When the incident first had a severity at least as severe as {@code severity}, if it ever
     * did (severity only rises, so this is a single moment).
     */
    public synchronized Optional<Instant> reached(Severity severity) {
        Objects.requireNonNull(severity, "severity");
        if (classification.severity().isAtLeast(severity)) {
            return Optional.of(openedAt);
        }
        return severityChanges.stream()
                .filter(c -> c.to().isAtLeast(severity))
                .map(SeverityChange::at)
                .findFirst();
    }

    /**
     * Raises the severity by hand; records who, why and when.
     *
     * @throws IllegalArgumentException if {@code to} is not more severe than the current severity,
     *         or {@code at} is before the incident opened
     * @throws IllegalStateException if the incident is resolved
     */
    public synchronized SeverityChange raiseSeverity(Severity to, String by, String why, Instant at) {
        Objects.requireNonNull(to, "to");
        requireOpenAt(at);
        if (!to.isAtLeast(severity) || to == severity) {
            throw new IllegalArgumentException("severity can only be raised: incident " + id + " is " + severity
                    + ", and " + to + " is not more severe");
        }
        SeverityChange change = new SeverityChange(severity, to, by, why, at);
        severityChanges.add(change);
        severity = to;
        return change;
    }

    /**
     * Escalates to every tier at once (the runbook's rule for customer data impact); the first
     * request counts, later ones change nothing and return the first.
     *
     * @throws IllegalStateException if the incident is resolved
     */
    public synchronized ImmediateEscalation escalateImmediately(String by, String why, Instant at) {
        requireOpenAt(at);
        ImmediateEscalation request = new ImmediateEscalation(by, why, at);
        if (immediateEscalation.isEmpty()) {
            immediateEscalation = Optional.of(request);
        }
        return immediateEscalation.get();
    }

    /** The request to escalate immediately, if there was one. */
    public synchronized Optional<ImmediateEscalation> immediateEscalation() {
        return immediateEscalation;
    }

    /**
     * Resolves the incident; no tier whose time has not yet come is notified after this.
     *
     * @throws IllegalStateException if it is already resolved
     */
    public synchronized Resolution resolve(String by, String summary, Instant at) {
        requireOpenAt(at);
        Resolution r = new Resolution(by, summary, at);
        resolution = Optional.of(r);
        return r;
    }

    /** How it was resolved, if it was. */
    public synchronized Optional<Resolution> resolution() {
        return resolution;
    }

    /** Whether it is resolved. */
    public synchronized boolean isResolved() {
        return resolution.isPresent();
    }

    private void requireOpenAt(Instant at) {
        Objects.requireNonNull(at, "at");
        if (resolution.isPresent()) {
            throw new IllegalStateException(
                    "incident " + id + " was resolved at " + resolution.get().at() + " and can no longer change");
        }
        if (at.isBefore(openedAt)) {
            throw new IllegalArgumentException(
                    "at (" + at + ") is before incident " + id + " opened (" + openedAt + ")");
        }
    }

    @Override
    public synchronized String toString() {
        return "Incident[" + id + ", " + severity + (resolution.isPresent() ? ", resolved" : ", open") + "]";
    }
}
