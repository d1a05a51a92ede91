package dev.rollback.core.response;

import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.core.trigger.DecisionMatrix;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The runbook's "Immediate Post-Rollback Actions": what must hold before an incident counts as
 * recovered. Checks in four groups, as the runbook lists them ({@link Check}: comprehensive health
 * checks, critical user journeys, integrations, data integrity), each a {@link Verifier} (an HTTP
 * health check, a journey's requests, a table count); and the trigger signals back to normal: the
 * watched rules (by default the runbook's error-rate and response-time rules) healthy, below their
 * thresholds, without a break for {@link Builder#settleFor(Duration) the settle time}. Recovery is
 * declared when both hold; it fails when they do not within {@link Builder#timeout(Duration) the
 * timeout} after the run ended.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}.
 */
public final class PostRollbackVerification {
    /** The runbook's groups of post-rollback checks. */
    public enum Check {
        /** "Execute comprehensive health checks". */
        HEALTH,
        /** "Validate all critical user journeys". */
        USER_JOURNEYS,
        /** "Confirm integration functionality". */
        INTEGRATIONS,
        /** "Verify data integrity": the system-recovery metric "data integrity" is measured on these. */
        DATA_INTEGRITY
    }

    private final Map<Check, List<Verifier>> checks;
    private final Set<String> watchedRules;
    private final Duration settleFor;
    private final Duration timeout;

    private PostRollbackVerification(Builder b) {
        Map<Check, List<Verifier>> copy = new EnumMap<>(Check.class);
        b.checks.forEach((c, v) -> copy.put(c, List.copyOf(v)));
        this.checks = Collections.unmodifiableMap(copy);
        this.watchedRules = Collections.unmodifiableSet(new LinkedHashSet<>(b.watchedRules));
        this.settleFor = b.settleFor;
        this.timeout = b.timeout;
    }

    /**
     * A builder: no checks, the error-rate and response-time rules watched, settled after 5 minutes,
     * given 30 minutes (the runbook's "0-30 minutes" for immediate post-rollback actions).
     */
    public static Builder custom() {
        return new Builder();
    }

    /** The checks of each group, in the order added. */
    public Map<Check, List<Verifier>> checks() {
        return checks;
    }

    /** The trigger rules that must be healthy for {@link #settleFor()} before recovery is declared. */
    public Set<String> watchedRules() {
        return watchedRules;
    }

    /** How long the watched rules must stay healthy without a break. */
    public Duration settleFor() {
        return settleFor;
    }

    /** How long after the run ended recovery may take before the incident counts as not recovered. */
    public Duration timeout() {
        return timeout;
    }

    /** Builds {@link PostRollbackVerification}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<Check, List<Verifier>> checks = new EnumMap<>(Check.class);
        private final Set<String> watchedRules =
                new LinkedHashSet<>(List.of(DecisionMatrix.ERROR_RATE, DecisionMatrix.RESPONSE_TIME));
        private Duration settleFor = Duration.ofMinutes(5);
        private Duration timeout = Duration.ofMinutes(30);

        private Builder() {}

        /** Adds a check to a group. */
        public Builder add(Check group, Verifier verifier) {
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(verifier, "verifier");
            checks.computeIfAbsent(group, g -> new ArrayList<>()).add(verifier);
            return this;
        }

        /**
         * The trigger rules to watch instead of the default error-rate and response-time rules; none
         * to declare recovery on the checks alone.
         */
        public Builder watchRules(String... rules) {
            watchedRules.clear();
            for (String rule : rules) {
                watchedRules.add(Arguments.requireId(rule, "rule"));
            }
            return this;
        }

        /** How long the watched rules must stay healthy; zero or more. Default 5 minutes. */
        public Builder settleFor(Duration settleFor) {
            this.settleFor = Arguments.requireNotNegative(settleFor, "settleFor");
            return this;
        }

        /** How long after the run recovery may take; positive. Default 30 minutes. */
        public Builder timeout(Duration timeout) {
            this.timeout = Arguments.requirePositive(timeout, "timeout");
            return this;
        }

        /**
         * Builds the verification.
         *
         * @throws IllegalStateException when the settle time is not shorter than the timeout
         */
        public PostRollbackVerification build() {
            if (settleFor.compareTo(timeout) >= 0) {
                throw new IllegalStateException("settleFor (" + settleFor + ") must be shorter than timeout (" + timeout
                        + "), or recovery could never be declared");
            }
            return new PostRollbackVerification(this);
        }
    }
}
