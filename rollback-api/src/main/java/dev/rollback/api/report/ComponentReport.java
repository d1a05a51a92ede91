package dev.rollback.api.report;

import dev.rollback.api.RecoveryObjectives;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One component's recovery against its objectives: the time from the run's start to the end of
 * the component's last step, against its RTO; and the data-loss window its providers measured,
 * against its RPO.
 *
 * @param component the component
 * @param objectives its RTO and RPO targets
 * @param recoveryTime how long its recovery took, from the run's start to its last step's end
 * @param rto whether the RTO was met (UNKNOWN if none of its steps ran)
 * @param dataLossWindow the data-loss window a provider measured (evidence key {@code rpo.dataLossWindow}), if any
 * @param rpo whether the RPO was met (UNKNOWN when nothing measured it)
 */
public record ComponentReport(
        String component,
        RecoveryObjectives objectives,
        Duration recoveryTime,
        TargetStatus rto,
        Optional<Duration> dataLossWindow,
        TargetStatus rpo) {

    /** Validates. */
    public ComponentReport {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(objectives, "objectives");
        Objects.requireNonNull(recoveryTime, "recoveryTime");
        Objects.requireNonNull(rto, "rto");
        Objects.requireNonNull(dataLossWindow, "dataLossWindow");
        Objects.requireNonNull(rpo, "rpo");
    }
}
