package dev.rollback.config;

import java.time.Duration;
import java.util.Objects;

/**
 * The runbook's "Rollback Success Metrics" limits and targets, as configured: rollback efficiency
 * (time to detect, decide, execute, total recovery, records lost) and system recovery (availability,
 * performance restoration, data integrity as ratios from 0 to 1, users affected). The stakeholder
 * groups' notification limits are in {@link StakeholderSettings}. Immutable.
 *
 * <p>The runbook's values ({@link #runbook()}) are also the constants the reports judge against
 * ({@link dev.rollback.api.report.SuccessMetrics}, {@link dev.rollback.core.response.SystemRecovery});
 * configured values serve what an application measures itself (dashboards, alerts, its own checks).
 *
 * @param timeToDetect breach began to decision; less is better
 * @param timeToDecide decision to authorization; less is better
 * @param timeToExecute the run's duration; less is better
 * @param totalRecovery breach began to recovery; less is better
 * @param recordsLost records lost; less is better
 * @param availability service availability during the incident, 0 to 1; more is better
 * @param performanceRestoration response time restored against the baseline, 0 to 1; more is better
 * @param dataIntegrity data-integrity checks passed, 0 to 1; more is better
 * @param usersAffected users affected; less is better
 */
public record SuccessTargets(
        LimitAndTarget<Duration> timeToDetect,
        LimitAndTarget<Duration> timeToDecide,
        LimitAndTarget<Duration> timeToExecute,
        LimitAndTarget<Duration> totalRecovery,
        LimitAndTarget<Long> recordsLost,
        LimitAndTarget<Double> availability,
        LimitAndTarget<Double> performanceRestoration,
        LimitAndTarget<Double> dataIntegrity,
        LimitAndTarget<Long> usersAffected) {

    /** Checks the parts: none missing, each target on the right side of its limit. */
    public SuccessTargets {
        lessIsBetter(timeToDetect, "timeToDetect");
        lessIsBetter(timeToDecide, "timeToDecide");
        lessIsBetter(timeToExecute, "timeToExecute");
        lessIsBetter(totalRecovery, "totalRecovery");
        lessIsBetter(recordsLost, "recordsLost");
        moreIsBetter(availability, "availability");
        moreIsBetter(performanceRestoration, "performanceRestoration");
        moreIsBetter(dataIntegrity, "dataIntegrity");
        lessIsBetter(usersAffected, "usersAffected");
    }

    /** The runbook's limits and targets. */
    public static SuccessTargets runbook() {
        return new SuccessTargets(
                LimitAndTarget.of(Duration.ofMinutes(5), Duration.ofMinutes(2)),
                LimitAndTarget.of(Duration.ofMinutes(10), Duration.ofMinutes(5)),
                LimitAndTarget.of(Duration.ofMinutes(15), Duration.ofMinutes(10)),
                LimitAndTarget.of(Duration.ofMinutes(30), Duration.ofMinutes(20)),
                LimitAndTarget.of(0L, 0L),
                LimitAndTarget.of(0.999, 0.9995),
                LimitAndTarget.of(1.0, 1.0),
                LimitAndTarget.of(1.0, 1.0),
                LimitAndTarget.of(1000L, 500L));
    }

    private static <T extends Comparable<T>> void lessIsBetter(LimitAndTarget<T> value, String field) {
        Objects.requireNonNull(value, field);
        if (value.target().compareTo(value.limit()) > 0) {
            throw new IllegalArgumentException(
                    field + ": the target must be at most the limit " + value.limit() + ", but was " + value.target());
        }
    }

    private static void moreIsBetter(LimitAndTarget<Double> value, String field) {
        Objects.requireNonNull(value, field);
        for (double v : new double[] {value.limit(), value.target()}) {
            if (!(v >= 0 && v <= 1)) {
                throw new IllegalArgumentException(field + " must be a ratio from 0 to 1 (100%), but was " + v);
            }
        }
        if (value.target() < value.limit()) {
            throw new IllegalArgumentException(
                    field + ": the target must be at least the limit " + value.limit() + ", but was " + value.target());
        }
    }
}
