package dev.rollback.api.report;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How long after the incident opened a stakeholder group was told, against the runbook's limit and
 * target (technical team: limit 5 min, target 2 min; and so on).
 *
 * @param stakeholder the stakeholder group ("technical-team", "management", "customers", "regulators", "public")
 * @param latency the time from the incident's opening to the first delivered notification, if one was delivered
 * @param limit the runbook's limit
 * @param target the runbook's target
 */
public record NotificationLatency(String stakeholder, Optional<Duration> latency, Duration limit, Duration target) {

    /** Validates. */
    public NotificationLatency {
        Objects.requireNonNull(stakeholder, "stakeholder");
        Objects.requireNonNull(latency, "latency");
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(target, "target");
    }

    /** Against the limit: MET, MISSED, or UNKNOWN when nobody was told. */
    public TargetStatus limitStatus() {
        return latency.map(l -> l.compareTo(limit) < 0 ? TargetStatus.MET : TargetStatus.MISSED)
                .orElse(TargetStatus.UNKNOWN);
    }

    /** Against the target: MET, MISSED, or UNKNOWN when nobody was told. */
    public TargetStatus targetStatus() {
        return latency.map(l -> l.compareTo(target) < 0 ? TargetStatus.MET : TargetStatus.MISSED)
                .orElse(TargetStatus.UNKNOWN);
    }
}
