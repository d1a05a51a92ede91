package dev.rollback.core.escalation;

import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.incident.Incident;
import dev.rollback.core.incident.Resolution;
import dev.rollback.core.notification.NotificationDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the escalation tiers into the incidents it watches when their time comes, as
 * {@link EscalationPolicy} says, and pages the contacts configured for the tier's roles
 * ({@link EscalationContacts}) with one notification on the tier's paging channel
 * ({@link EscalationTier#pagingChannel()}). Paging asks people to help; it is not how stakeholders
 * are informed (that is {@link dev.rollback.core.notification.StakeholderNotices}, on its own
 * deadlines), so a page never counts as a stakeholder notification. A tier whose time came
 * before the incident was resolved is notified (late, if the scheduler was late); a tier whose time
 * had not come when it was resolved never is. Each tier fires once per incident.
 *
 * <p>Driven by {@link #tick(Instant)}: tests call it on demand with a controllable clock; production
 * calls {@link #start(Duration)} to tick on the clock's time at a fixed period on a daemon thread.
 *
 * <p>Thread-safe: ticks are serialized. It never blocks on a delivery (the
 * {@link NotificationDispatcher} delivers off the ticking thread) and never resolves an incident.
 */
public final class EscalationScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EscalationScheduler.class);

    private final EscalationPolicy policy;
    private final EscalationContacts contacts;
    private final NotificationDispatcher dispatcher;
    private final RollbackClock clock;
    private final Map<String, Watched> watched = new LinkedHashMap<>();
    private final List<Escalation> escalations = new ArrayList<>();
    private Optional<ScheduledExecutorService> timer = Optional.empty();

    private EscalationScheduler(Builder b) {
        this.policy = b.policy;
        this.contacts = b.contacts;
        this.dispatcher = b.dispatcher;
        this.clock = b.clock;
    }

    /** A builder: the runbook's escalation policy and the system clock; contacts and dispatcher required. */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * Starts watching {@code incident}; its tiers fire on the following ticks.
     *
     * @throws IllegalArgumentException if another incident with the same id is watched
     */
    public synchronized void watch(Incident incident) {
        Objects.requireNonNull(incident, "incident");
        Watched existing = watched.get(incident.id());
        if (existing != null && existing.incident != incident) {
            throw new IllegalArgumentException(
                    "incident id " + incident.id() + " is already watched for another incident");
        }
        watched.putIfAbsent(incident.id(), new Watched(incident));
    }

    /** Ticks at the clock's current time. */
    public List<Escalation> tick() {
        return tick(clock.instant());
    }

    /**
     * Fires every tier due at {@code now} and not yet fired, and stops watching incidents resolved
     * with nothing left to fire.
     *
     * @return the tiers fired by this tick, in incident and tier order
     */
    public synchronized List<Escalation> tick(Instant now) {
        Objects.requireNonNull(now, "now");
        List<Escalation> fired = new ArrayList<>();
        var it = watched.values().iterator();
        while (it.hasNext()) {
            Watched w = it.next();
            Optional<Instant> resolvedAt = w.incident.resolution().map(Resolution::at);
            boolean pending = false;
            for (EscalationTier tier : EscalationTier.values()) {
                if (w.fired.contains(tier)) {
                    continue;
                }
                Optional<Instant> due = policy.dueAt(w.incident, tier)
                        .filter(at -> resolvedAt.isEmpty() || at.isBefore(resolvedAt.get()));
                if (due.isPresent() && !due.get().isAfter(now)) {
                    fired.add(fire(w.incident, tier, due.get(), now));
                    w.fired.add(tier);
                } else if (due.isPresent() || resolvedAt.isEmpty()) {
                    pending = true; // due later, or an open incident may still reach it (raised severity)
                }
            }
            if (!pending) {
                it.remove();
            }
        }
        escalations.addAll(fired);
        return fired;
    }

    /** Every tier fired so far, in order. */
    public synchronized List<Escalation> escalations() {
        return List.copyOf(escalations);
    }

    /** The ids of the incidents still watched. */
    public synchronized Set<String> watchedIncidents() {
        return Set.copyOf(watched.keySet());
    }

    /**
     * Ticks every {@code period} on a daemon thread, at the clock's time; a failing tick is logged and
     * the next one goes on.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start(Duration period) {
        Arguments.requirePositive(period, "period");
        if (timer.isPresent()) {
            throw new IllegalStateException("the escalation scheduler is already started");
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "rollback-escalation");
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleAtFixedRate(this::tickSafely, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        timer = Optional.of(t);
    }

    /** Stops the periodic ticks, if started. The dispatcher is left alone. */
    @Override
    public synchronized void close() {
        timer.ifPresent(ScheduledExecutorService::shutdown);
        timer = Optional.empty();
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("escalation tick failed; the next tick goes on: {}", Redaction.describe(e));
        }
    }

    private Escalation fire(Incident incident, EscalationTier tier, Instant due, Instant now) {
        List<String> recipients = new ArrayList<>();
        List<EscalationRole> withoutContact = new ArrayList<>();
        for (EscalationRole role : EscalationRole.values()) {
            if (role.tier() != tier) {
                continue;
            }
            List<String> addresses = contacts.recipients(role);
            if (addresses.isEmpty()) {
                withoutContact.add(role);
            } else {
                recipients.addAll(addresses);
            }
        }
        if (!withoutContact.isEmpty()) {
            LOG.warn("incident {}: {} has no contact configured for {}", incident.id(), tier.label(), withoutContact);
        }
        List<Notification> notifications = new ArrayList<>();
        if (!recipients.isEmpty()) {
            Notification page = page(incident, tier, recipients, now);
            notifications.add(page);
            dispatcher.dispatch(page);
        }
        LOG.info(
                "incident {} ({}): {} brought in, due {}, {} notification(s)",
                incident.id(),
                incident.severity(),
                tier.label(),
                due,
                notifications.size());
        return new Escalation(incident.id(), tier, due, now, notifications, withoutContact);
    }

    private static Notification page(Incident incident, EscalationTier tier, List<String> to, Instant now) {
        String subject = "[" + incident.severity() + " " + incident.severity().label() + "] incident " + incident.id()
                + ", " + tier.label() + ": " + incident.title();
        StringBuilder body = new StringBuilder()
                .append("Incident ")
                .append(incident.id())
                .append(" opened at ")
                .append(incident.openedAt())
                .append(" by ")
                .append(incident.openedBy())
                .append(" (")
                .append(Duration.between(incident.openedAt(), now).toMinutes())
                .append(" min ago).\n")
                .append("Classification: ")
                .append(incident.classification().explanation())
                .append('\n');
        incident.severityChanges()
                .forEach(c -> body.append("Raised to ")
                        .append(c.to())
                        .append(" by ")
                        .append(c.by())
                        .append(" at ")
                        .append(c.at())
                        .append(": ")
                        .append(c.why())
                        .append('\n'));
        incident.immediateEscalation()
                .ifPresent(e -> body.append("Escalated immediately by ")
                        .append(e.by())
                        .append(": ")
                        .append(e.why())
                        .append('\n'));
        body.append("Escalation tier: ").append(tier.label()).append('.');
        return new Notification(
                incident.id(),
                tier.pagingChannel(),
                to,
                incident.severity(),
                Redaction.redact(subject),
                Redaction.redact(body.toString()),
                incident.openedAt(),
                now);
    }

    private static final class Watched {
        final Incident incident;
        final Set<EscalationTier> fired = EnumSet.noneOf(EscalationTier.class);

        Watched(Incident incident) {
            this.incident = incident;
        }
    }

    /** Builds an {@link EscalationScheduler}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private EscalationPolicy policy = EscalationPolicy.ofDefaults();
        private EscalationContacts contacts;
        private NotificationDispatcher dispatcher;
        private RollbackClock clock = RollbackClock.system();

        private Builder() {}

        /** When each tier is brought in. Default {@link EscalationPolicy#ofDefaults()}. */
        public Builder policy(EscalationPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Who to reach for each role. Required. */
        public Builder contacts(EscalationContacts contacts) {
            this.contacts = Objects.requireNonNull(contacts, "contacts");
            return this;
        }

        /** What delivers the notifications. Required. */
        public Builder dispatcher(NotificationDispatcher dispatcher) {
            this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
            return this;
        }

        /** The clock {@link #tick()} and {@link #start(Duration)} read. Default: the system clock. */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the scheduler; needs contacts and a dispatcher. */
        public EscalationScheduler build() {
            if (contacts == null || dispatcher == null) {
                throw new IllegalArgumentException("contacts and dispatcher are required, but "
                        + (contacts == null ? "contacts" : "dispatcher") + " was not set");
            }
            return new EscalationScheduler(this);
        }
    }
}
