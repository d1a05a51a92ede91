package dev.rollback.core.response;

import dev.rollback.api.report.TargetStatus;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The runbook's "System Recovery" metrics of one incident, each judged against its limit and
 * target: service availability during the incident (limit 99.9%, target 99.95%), performance
 * restoration (response time after the rollback against the baseline; 100%, 100%), data integrity
 * (the data-integrity checks that passed; 100%, 100%) and users affected (under 1,000, target under
 * 500). A figure nobody measured is empty and its status UNKNOWN, never a silent pass.
 *
 * <p>Availability is estimated from the trigger engine's error-rate rule, sampled at each tick of
 * the incident response from the incident's opening to its recovery (one minus the mean error
 * ratio of the samples, each over the rule's window); performance restoration is the configured
 * baseline response time divided by the response time the engine observes when recovery is
 * declared, capped at 100%. Immutable.
 *
 * @param availability the share of requests served well during the incident, 0 to 1
 * @param performanceRestoration the baseline over the response time after recovery, 0 to 1
 * @param dataIntegrity the share of data-integrity checks that passed, 0 to 1
 * @param usersAffected the users the application reported as affected
 */
public record SystemRecovery(
        OptionalDouble availability,
        OptionalDouble performanceRestoration,
        OptionalDouble dataIntegrity,
        OptionalLong usersAffected) {

    /** Availability limit: 99.9%. */
    public static final double AVAILABILITY_LIMIT = 0.999;
    /** Availability target: 99.95%. */
    public static final double AVAILABILITY_TARGET = 0.9995;
    /** Performance restoration limit and target: 100%. */
    public static final double PERFORMANCE_RESTORATION = 1.0;
    /** Data integrity limit and target: 100%. */
    public static final double DATA_INTEGRITY = 1.0;
    /** Users affected limit: fewer than 1,000. */
    public static final long USERS_AFFECTED_LIMIT = 1000;
    /** Users affected target: fewer than 500. */
    public static final long USERS_AFFECTED_TARGET = 500;

    /** Validates. */
    public SystemRecovery {
        Objects.requireNonNull(availability, "availability");
        Objects.requireNonNull(performanceRestoration, "performanceRestoration");
        Objects.requireNonNull(dataIntegrity, "dataIntegrity");
        Objects.requireNonNull(usersAffected, "usersAffected");
    }

    /** Nothing measured. */
    public static SystemRecovery unknown() {
        return new SystemRecovery(
                OptionalDouble.empty(), OptionalDouble.empty(), OptionalDouble.empty(), OptionalLong.empty());
    }

    /** Availability against {@code bound} ({@link #AVAILABILITY_LIMIT} or {@link #AVAILABILITY_TARGET}). */
    public TargetStatus availabilityStatus(double bound) {
        return atLeast(availability, bound);
    }

    /** Performance restoration against 100%. */
    public TargetStatus performanceStatus() {
        return atLeast(performanceRestoration, PERFORMANCE_RESTORATION);
    }

    /** Data integrity against 100%. */
    public TargetStatus dataIntegrityStatus() {
        return atLeast(dataIntegrity, DATA_INTEGRITY);
    }

    /** Users affected against {@code bound} ({@link #USERS_AFFECTED_LIMIT} or {@link #USERS_AFFECTED_TARGET}). */
    public TargetStatus usersAffectedStatus(long bound) {
        if (usersAffected.isEmpty()) {
            return TargetStatus.UNKNOWN;
        }
        return usersAffected.getAsLong() < bound ? TargetStatus.MET : TargetStatus.MISSED;
    }

    private static TargetStatus atLeast(OptionalDouble value, double bound) {
        if (value.isEmpty()) {
            return TargetStatus.UNKNOWN;
        }
        return value.getAsDouble() >= bound ? TargetStatus.MET : TargetStatus.MISSED;
    }
}
