package dev.rollback.api.report;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The runbook's "Rollback Success Metrics" for one run: time to detection (breach began to
 * decision), time to decision (decision to authorization), time to execute, total recovery time,
 * records lost, and each stakeholder's notification latency. A figure nobody measured is empty,
 * never a silent zero.
 *
 * @param timeToDetect breach began to decision (automatic runs)
 * @param timeToDecide decision to authorization
 * @param timeToExecute the run's start to its end
 * @param totalRecovery breach began (or the run's start) to the run's end
 * @param recordsLost the records lost, summed from the providers' RPO evidence ({@link dev.rollback.api.EvidenceKey#RECORDS_LOST})
 * @param notifications each stakeholder group's notification latency
 */
public record SuccessMetrics(
        Optional<Duration> timeToDetect,
        Optional<Duration> timeToDecide,
        Optional<Duration> timeToExecute,
        Optional<Duration> totalRecovery,
        OptionalLong recordsLost,
        List<NotificationLatency> notifications) {

    /** The runbook's limits and targets for the duration metrics. */
    public static final Duration DETECT_LIMIT = Duration.ofMinutes(5);
    /** Target time to detection. */
    public static final Duration DETECT_TARGET = Duration.ofMinutes(2);
    /** Limit on time to decision. */
    public static final Duration DECIDE_LIMIT = Duration.ofMinutes(10);
    /** Target time to decision. */
    public static final Duration DECIDE_TARGET = Duration.ofMinutes(5);
    /** Limit on time to execute. */
    public static final Duration EXECUTE_LIMIT = Duration.ofMinutes(15);
    /** Target time to execute. */
    public static final Duration EXECUTE_TARGET = Duration.ofMinutes(10);
    /** Limit on total recovery time. */
    public static final Duration RECOVERY_LIMIT = Duration.ofMinutes(30);
    /** Target total recovery time. */
    public static final Duration RECOVERY_TARGET = Duration.ofMinutes(20);

    /** Validates and copies. */
    public SuccessMetrics {
        Objects.requireNonNull(timeToDetect, "timeToDetect");
        Objects.requireNonNull(timeToDecide, "timeToDecide");
        Objects.requireNonNull(timeToExecute, "timeToExecute");
        Objects.requireNonNull(totalRecovery, "totalRecovery");
        Objects.requireNonNull(recordsLost, "recordsLost");
        notifications = List.copyOf(notifications);
    }

    /** Nothing measured. */
    public static SuccessMetrics unknown() {
        return new SuccessMetrics(
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                OptionalLong.empty(),
                List.of());
    }

    /** These metrics with the given notification latencies. */
    public SuccessMetrics withNotifications(List<NotificationLatency> latencies) {
        return new SuccessMetrics(timeToDetect, timeToDecide, timeToExecute, totalRecovery, recordsLost, latencies);
    }

    /** Whether {@code value} is strictly under {@code bound}; UNKNOWN when absent. */
    public static TargetStatus against(Optional<Duration> value, Duration bound) {
        return value.map(v -> v.compareTo(bound) < 0 ? TargetStatus.MET : TargetStatus.MISSED)
                .orElse(TargetStatus.UNKNOWN);
    }

    /** Records lost against the runbook's limit and target of zero; UNKNOWN when unmeasured. */
    public TargetStatus dataLossStatus() {
        return recordsLost.isPresent()
                ? (recordsLost.getAsLong() == 0 ? TargetStatus.MET : TargetStatus.MISSED)
                : TargetStatus.UNKNOWN;
    }
}
