package dev.rollback.core.incident;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What is known about an incident when it is opened by hand: the runbook criteria it meets (each
 * with the evidence that showed it), when the breach began if anyone knows, and whether customer
 * data is affected. Measured facts ({@link Builder#featureFailure(double)},
 * {@link Builder#responseTime(Duration)}, {@link Builder#integrationFailure(boolean)}) are turned
 * into criteria with the runbook's thresholds, so the caller never has to pick a severity.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never classifies by itself:
 * {@link SeverityClassification#of(IncidentFacts)} does.
 */
public final class IncidentFacts {
    /** The runbook's line between a major and a minor feature failure: more than half the users. */
    static final double MAJOR_FEATURE_SHARE = 0.5;
    /** Performance degradation above this is Sev 1. */
    static final Duration SEV1_RESPONSE_TIME = Duration.ofSeconds(5);
    /** Performance degradation from this up to {@link #SEV1_RESPONSE_TIME} is Sev 2. */
    static final Duration SEV2_RESPONSE_TIME = Duration.ofSeconds(2);

    private final Map<IncidentCriterion, String> criteria;
    private final Optional<Instant> breachBegan;
    private final boolean customerDataImpact;

    private IncidentFacts(Builder b) {
        this.criteria = Collections.unmodifiableMap(new LinkedHashMap<>(b.criteria));
        this.breachBegan = b.breachBegan;
        this.customerDataImpact = b.customerDataImpact;
    }

    /** A builder with no facts. */
    public static Builder custom() {
        return new Builder();
    }

    /** Facts made of one observed criterion, with no further evidence. */
    public static IncidentFacts of(IncidentCriterion criterion) {
        return custom().observed(criterion).build();
    }

    /** Every criterion met, in the order observed, each with the evidence that showed it. */
    public Map<IncidentCriterion, String> criteria() {
        return criteria;
    }

    /** When the breach began, if known (the start of time-to-detect). */
    public Optional<Instant> breachBegan() {
        return breachBegan;
    }

    /** Whether customer data is affected; the runbook escalates such an incident immediately. */
    public boolean customerDataImpact() {
        return customerDataImpact;
    }

    @Override
    public String toString() {
        return "IncidentFacts" + criteria.keySet() + (customerDataImpact ? " with customer data impact" : "");
    }

    /** Builds {@link IncidentFacts}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final Map<IncidentCriterion, String> criteria = new LinkedHashMap<>();
        private Optional<Instant> breachBegan = Optional.empty();
        private boolean customerDataImpact;

        private Builder() {}

        /** A criterion the incident meets, reported with no further evidence. */
        public Builder observed(IncidentCriterion criterion) {
            return observed(criterion, "reported");
        }

        /** A criterion the incident meets, with the evidence that showed it ("checkout 503 for all users"). */
        public Builder observed(IncidentCriterion criterion, String evidence) {
            Objects.requireNonNull(criterion, "criterion");
            criteria.put(criterion, Arguments.requireText(evidence, "evidence"));
            return this;
        }

        /**
         * A feature failure affecting {@code affectedUserShare} of the users, in (0, 1]: more than
         * half is a major feature failure (Sev 1), half or less a minor feature issue (Sev 2).
         */
        public Builder featureFailure(double affectedUserShare) {
            if (!(affectedUserShare > 0.0 && affectedUserShare <= 1.0)) {
                throw new IllegalArgumentException("affectedUserShare must be in (0, 1], but was " + affectedUserShare);
            }
            IncidentCriterion criterion = affectedUserShare > MAJOR_FEATURE_SHARE
                    ? IncidentCriterion.MAJOR_FEATURE_FAILURE
                    : IncidentCriterion.MINOR_FEATURE_ISSUE;
            return observed(criterion, String.format(Locale.ROOT, "%.1f%% of users affected", affectedUserShare * 100));
        }

        /**
         * The degraded response time users see: over 5 s is Sev 1, 2 to 5 s Sev 2; under 2 s is no
         * degradation in the runbook's terms and adds no criterion.
         */
        public Builder responseTime(Duration responseTime) {
            Arguments.requireNotNegative(responseTime, "responseTime");
            String evidence = "response time " + responseTime;
            if (responseTime.compareTo(SEV1_RESPONSE_TIME) > 0) {
                return observed(IncidentCriterion.PERFORMANCE_DEGRADATION_OVER_5S, evidence);
            }
            if (responseTime.compareTo(SEV2_RESPONSE_TIME) >= 0) {
                return observed(IncidentCriterion.PERFORMANCE_DEGRADATION_2_TO_5S, evidence);
            }
            return this;
        }

        /** An integration failure: Sev 1 if it affects business operations, otherwise Sev 2. */
        public Builder integrationFailure(boolean affectsBusinessOperations) {
            return affectsBusinessOperations
                    ? observed(IncidentCriterion.BUSINESS_INTEGRATION_FAILURE, "affects business operations")
                    : observed(IncidentCriterion.NON_CRITICAL_INTEGRATION_ISSUE, "does not affect business operations");
        }

        /** When the breach began, if known. Default: unknown (time to detection is then unknown too). */
        public Builder breachBegan(Instant breachBegan) {
            this.breachBegan = Optional.of(Objects.requireNonNull(breachBegan, "breachBegan"));
            return this;
        }

        /** Whether customer data is affected. Default false. */
        public Builder customerDataImpact(boolean customerDataImpact) {
            this.customerDataImpact = customerDataImpact;
            return this;
        }

        /** Builds the facts; at least one criterion must have been observed. */
        public IncidentFacts build() {
            if (criteria.isEmpty()) {
                throw new IllegalArgumentException(
                        "criteria must name at least one runbook criterion, but none was observed");
            }
            return new IncidentFacts(this);
        }
    }
}
