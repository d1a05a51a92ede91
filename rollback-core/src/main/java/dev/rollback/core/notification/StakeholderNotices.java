package dev.rollback.core.notification;

import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.incident.Incident;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Informs the runbook's stakeholder groups ({@link StakeholderGroup}) of an incident, each by its own
 * deadline: the technical team within 5 minutes, management 15, customers 30, regulators 4 hours,
 * the public 24 hours. Which groups an incident reaches depends on its severity (by default the
 * technical team from Sev 2, management and customers from Sev 1, regulators and the public at Sev
 * 0); each group is told once, when its delay after the incident opened has passed (default: at
 * once), and told again when the incident is resolved.
 *
 * <p>This is the "who is informed" channel. It is kept apart from the escalation ladder ("who is
 * paged to help", {@link dev.rollback.core.escalation.EscalationScheduler}), whose tiers come in at
 * 15 and 60 minutes: informing management or customers through those tiers would miss their
 * deadlines every time.
 *
 * <p>Driven by {@link #tick(Instant)} like the escalation scheduler. Thread-safe: ticks are
 * serialized. It never blocks on a delivery (the {@link NotificationDispatcher} delivers off the
 * ticking thread) and never resolves an incident. Subjects and bodies are redacted.
 */
public final class StakeholderNotices {
    private final Map<StakeholderGroup, List<String>> contacts;
    private final Map<StakeholderGroup, Severity> reachedFrom;
    private final Map<StakeholderGroup, Duration> after;
    private final NotificationDispatcher dispatcher;
    private final RollbackClock clock;
    private final Map<String, Watched> watched = new LinkedHashMap<>();
    private final List<Notification> sent = new ArrayList<>();

    private StakeholderNotices(Builder b) {
        Map<StakeholderGroup, List<String>> copy = new EnumMap<>(StakeholderGroup.class);
        b.contacts.forEach((g, a) -> copy.put(g, List.copyOf(a)));
        this.contacts = Collections.unmodifiableMap(copy);
        this.reachedFrom = Collections.unmodifiableMap(new EnumMap<>(b.reachedFrom));
        this.after = Collections.unmodifiableMap(new EnumMap<>(b.after));
        this.dispatcher = b.dispatcher.orElseThrow();
        this.clock = b.clock;
    }

    /** A builder with the runbook's defaults; the dispatcher and at least one contact are required. */
    public static Builder custom() {
        return new Builder();
    }

    /** The groups an incident of {@code severity} reaches, in the runbook's order. */
    public Set<StakeholderGroup> groupsFor(Severity severity) {
        Objects.requireNonNull(severity, "severity");
        Set<StakeholderGroup> groups = EnumSet.noneOf(StakeholderGroup.class);
        reachedFrom.forEach((group, least) -> {
            if (severity.isAtLeast(least)) {
                groups.add(group);
            }
        });
        return groups;
    }

    /**
     * Starts informing about {@code incident}: the groups its severity reaches are told on the
     * following ticks, when their delay has passed. Watching the same incident again does nothing.
     */
    public synchronized void watch(Incident incident) {
        Objects.requireNonNull(incident, "incident");
        watched.putIfAbsent(incident.id(), new Watched(incident));
    }

    /** Ticks at the clock's current time. */
    public List<Notification> tick() {
        return tick(clock.instant());
    }

    /**
     * Sends every notice due at {@code now}: to each group the incident's current severity reaches
     * (a raised severity reaches more), once, when its delay after the incident opened has passed.
     *
     * @return the notices sent by this tick
     */
    public synchronized List<Notification> tick(Instant now) {
        Objects.requireNonNull(now, "now");
        List<Notification> out = new ArrayList<>();
        for (Watched w : watched.values()) {
            if (w.incident.isResolved()) {
                continue;
            }
            for (StakeholderGroup group : groupsFor(w.incident.severity())) {
                if (w.told.contains(group)
                        || contacts.getOrDefault(group, List.of()).isEmpty()) {
                    continue;
                }
                Instant due = w.incident.openedAt().plus(after.get(group));
                if (!due.isAfter(now)) {
                    out.add(send(w.incident, group, "opened", body(w.incident), now));
                    w.told.add(group);
                }
            }
        }
        return out;
    }

    /**
     * Tells every group that was told of {@code incident} that it is resolved, with {@code summary},
     * and stops watching it.
     *
     * @return the completion notices sent
     */
    public synchronized List<Notification> resolved(Incident incident, String summary) {
        Objects.requireNonNull(incident, "incident");
        Arguments.requireText(summary, "summary");
        Watched w = watched.remove(incident.id());
        if (w == null) {
            return List.of();
        }
        Instant now = clock.instant();
        List<Notification> out = new ArrayList<>();
        for (StakeholderGroup group : w.told) {
            out.add(send(incident, group, "resolved", "Resolved: " + SafeText.escape(summary), now));
        }
        return out;
    }

    /** Every notice sent so far, in order. */
    public synchronized List<Notification> sent() {
        return List.copyOf(sent);
    }

    /** The groups without a contact configured: they are never told, which a deployment should know. */
    public List<StakeholderGroup> withoutContact() {
        List<StakeholderGroup> missing = new ArrayList<>();
        for (StakeholderGroup g : StakeholderGroup.values()) {
            if (contacts.getOrDefault(g, List.of()).isEmpty()) {
                missing.add(g);
            }
        }
        return missing;
    }

    private Notification send(Incident incident, StakeholderGroup group, String what, String body, Instant now) {
        String subject = "[" + incident.severity() + " " + incident.severity().label() + "] incident " + incident.id()
                + " " + what + ": " + incident.title();
        Notification n = new Notification(
                incident.id(),
                group.id(),
                contacts.get(group),
                incident.severity(),
                Redaction.redact(Arguments.printable(subject)),
                Redaction.redact(body),
                incident.openedAt(),
                now);
        sent.add(n);
        dispatcher.dispatch(n);
        return n;
    }

    private static String body(Incident incident) {
        return "Incident " + SafeText.escape(incident.id()) + " opened at " + incident.openedAt() + " by "
                + SafeText.escape(incident.openedBy()) + ".\nClassification: "
                + SafeText.escape(incident.classification().explanation()) + "\nWe will tell you when it is resolved.";
    }

    private static final class Watched {
        final Incident incident;
        final Set<StakeholderGroup> told = EnumSet.noneOf(StakeholderGroup.class);

        Watched(Incident incident) {
            this.incident = incident;
        }
    }

    /** Builds {@link StakeholderNotices}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<StakeholderGroup, List<String>> contacts = new EnumMap<>(StakeholderGroup.class);
        private final Map<StakeholderGroup, Severity> reachedFrom = new EnumMap<>(StakeholderGroup.class);
        private final Map<StakeholderGroup, Duration> after = new EnumMap<>(StakeholderGroup.class);
        private Optional<NotificationDispatcher> dispatcher = Optional.empty();
        private RollbackClock clock = RollbackClock.system();

        private Builder() {
            reachedFrom.put(StakeholderGroup.TECHNICAL_TEAM, Severity.SEV2);
            reachedFrom.put(StakeholderGroup.MANAGEMENT, Severity.SEV1);
            reachedFrom.put(StakeholderGroup.CUSTOMERS, Severity.SEV1);
            reachedFrom.put(StakeholderGroup.REGULATORS, Severity.SEV0);
            reachedFrom.put(StakeholderGroup.PUBLIC, Severity.SEV0);
            for (StakeholderGroup g : StakeholderGroup.values()) {
                after.put(g, Duration.ZERO);
            }
        }

        /** Adds an address (a channel a notifier understands) for {@code group}. */
        public Builder addContact(StakeholderGroup group, String address) {
            Objects.requireNonNull(group, "group");
            Arguments.requireText(address, "address");
            contacts.computeIfAbsent(group, g -> new ArrayList<>()).add(address);
            return this;
        }

        /** The least severe severity that informs {@code group}. Defaults in the class javadoc. */
        public Builder reachedFrom(StakeholderGroup group, Severity least) {
            reachedFrom.put(Objects.requireNonNull(group, "group"), Objects.requireNonNull(least, "least"));
            return this;
        }

        /**
         * How long after the incident opens {@code group} is told (default: at once); at least zero and
         * below the group's runbook limit, so the deadline can still be met.
         */
        public Builder after(StakeholderGroup group, Duration delay) {
            Objects.requireNonNull(group, "group");
            Arguments.requireNotNegative(delay, "after(" + group + ")");
            if (delay.compareTo(group.limit()) >= 0) {
                throw new IllegalArgumentException("after(" + group + ") must be below the runbook's limit of "
                        + group.limit() + " for telling " + group.id() + ", but was " + delay);
            }
            after.put(group, delay);
            return this;
        }

        /** The dispatcher that delivers the notices. Required. */
        public Builder dispatcher(NotificationDispatcher dispatcher) {
            this.dispatcher = Optional.of(Objects.requireNonNull(dispatcher, "dispatcher"));
            return this;
        }

        /** The clock; default the system clock. */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the notices.
         *
         * @throws IllegalStateException without a dispatcher or without any contact
         */
        public StakeholderNotices build() {
            if (dispatcher.isEmpty()) {
                throw new IllegalStateException("StakeholderNotices needs a dispatcher: call dispatcher(...)");
            }
            if (contacts.isEmpty()) {
                throw new IllegalStateException(
                        "StakeholderNotices needs at least one contact: call addContact(group, address)");
            }
            return new StakeholderNotices(this);
        }
    }
}
