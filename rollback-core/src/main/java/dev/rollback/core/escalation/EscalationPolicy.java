package dev.rollback.core.escalation;

import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import dev.rollback.core.incident.Incident;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * When each {@link EscalationTier} is brought into an incident: its time after the incident
 * opened, and the least severe severity that reaches it. The runbook's defaults
 * ({@link #ofDefaults()}):
 *
 * <table>
 * <caption>Tiers by severity</caption>
 * <tr><th>tier</th><th>after</th><th>reached from</th></tr>
 * <tr><td>Immediate Response</td><td>0 min</td><td>Sev 2 (so Sev 0, 1, 2)</td></tr>
 * <tr><td>Management Escalation</td><td>15 min</td><td>Sev 1 (so Sev 0, 1)</td></tr>
 * <tr><td>External Communications</td><td>60 min</td><td>Sev 0</td></tr>
 * </table>
 *
 * <p>Sev 3 reaches no tier. A severity raised by hand brings in the tiers it newly reaches at the
 * moment it was raised (or at their time, if later). An {@link Incident#escalateImmediately
 * immediate escalation} (customer data impact) brings in every tier at once, whatever the severity.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never notifies anyone: the
 * {@link EscalationScheduler} does.
 */
public final class EscalationPolicy {
    private static final EscalationPolicy DEFAULTS = new Builder().build();

    private final Map<EscalationTier, Duration> after;
    private final Map<EscalationTier, Severity> reachedFrom;

    private EscalationPolicy(Builder b) {
        this.after = Collections.unmodifiableMap(new EnumMap<>(b.after));
        this.reachedFrom = Collections.unmodifiableMap(new EnumMap<>(b.reachedFrom));
    }

    /** The runbook's tiers and the severity mapping above. */
    public static EscalationPolicy ofDefaults() {
        return DEFAULTS;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(EscalationPolicy base) {
        Objects.requireNonNull(base, "base");
        Builder b = new Builder();
        b.after.putAll(base.after);
        b.reachedFrom.clear();
        b.reachedFrom.putAll(base.reachedFrom);
        return b;
    }

    /** When {@code tier} is brought in, counted from the incident's opening. */
    public Duration after(EscalationTier tier) {
        return after.get(Objects.requireNonNull(tier, "tier"));
    }

    /** The least severe severity that reaches {@code tier}; empty if only an immediate escalation does. */
    public Optional<Severity> reachedFrom(EscalationTier tier) {
        return Optional.ofNullable(reachedFrom.get(Objects.requireNonNull(tier, "tier")));
    }

    /**
     * When {@code tier} is due for {@code incident}: the earlier of its immediate escalation, if any,
     * and the later of "opened + after(tier)" and the moment its severity first reached the tier.
     * Empty if the incident never reached it.
     */
    public Optional<Instant> dueAt(Incident incident, EscalationTier tier) {
        Objects.requireNonNull(incident, "incident");
        Optional<Instant> bySeverity = reachedFrom(tier)
                .flatMap(incident::reached)
                .map(reached -> {
                    Instant scheduled = incident.openedAt().plus(after(tier));
                    return scheduled.isAfter(reached) ? scheduled : reached;
                });
        Optional<Instant> immediately = incident.immediateEscalation().map(ImmediateEscalation::at);
        if (bySeverity.isPresent() && immediately.isPresent()) {
            return Optional.of(bySeverity.get().isBefore(immediately.get()) ? bySeverity.get() : immediately.get());
        }
        return bySeverity.or(() -> immediately);
    }

    @Override
    public String toString() {
        return "EscalationPolicy[after=" + after + ", reachedFrom=" + reachedFrom + "]";
    }

    /** Builds an {@link EscalationPolicy}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<EscalationTier, Duration> after = new EnumMap<>(EscalationTier.class);
        private final Map<EscalationTier, Severity> reachedFrom = new EnumMap<>(EscalationTier.class);

        private Builder() {
            for (EscalationTier tier : EscalationTier.values()) {
                after.put(tier, tier.runbookAfter());
            }
            reachedFrom.put(EscalationTier.IMMEDIATE_RESPONSE, Severity.SEV2);
            reachedFrom.put(EscalationTier.MANAGEMENT_ESCALATION, Severity.SEV1);
            reachedFrom.put(EscalationTier.EXTERNAL_COMMUNICATIONS, Severity.SEV0);
        }

        /** When {@code tier} is brought in after the incident opened; zero or more. Default: the runbook's 0, 15, 60 minutes. */
        public Builder after(EscalationTier tier, Duration after) {
            Objects.requireNonNull(tier, "tier");
            this.after.put(tier, Arguments.requireNotNegative(after, "after"));
            return this;
        }

        /** The least severe severity that reaches {@code tier}. Default: Sev 2, Sev 1, Sev 0 for the three tiers. */
        public Builder reachedFrom(EscalationTier tier, Severity severity) {
            reachedFrom.put(Objects.requireNonNull(tier, "tier"), Objects.requireNonNull(severity, "severity"));
            return this;
        }

        /** No severity reaches {@code tier}; only an immediate escalation does. */
        public Builder onlyOnImmediateEscalation(EscalationTier tier) {
            reachedFrom.remove(Objects.requireNonNull(tier, "tier"));
            return this;
        }

        /** Builds the policy; each tier's time must not come before the previous tier's. */
        public EscalationPolicy build() {
            EscalationTier previous = null;
            for (EscalationTier tier : EscalationTier.values()) {
                if (previous != null && after.get(tier).compareTo(after.get(previous)) < 0) {
                    throw new IllegalArgumentException("after(" + tier + ") must not be before after(" + previous
                            + "), but was " + after.get(tier) + " < " + after.get(previous));
                }
                previous = tier;
            }
            return new EscalationPolicy(this);
        }
    }
}
