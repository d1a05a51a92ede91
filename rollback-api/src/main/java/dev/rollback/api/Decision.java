package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a trigger policy decided, with the evidence it decided on: the action to take (a name the
 * application binds to a plan), whether it is an automatic rollback or a manual review, the
 * severity, the rule that fired, the observed value against its threshold, when the breach began
 * and when the decision was taken. Immutable.
 *
 * @param action the action, a name the application binds to a plan ("application-rollback")
 * @param kind automatic rollback or manual review
 * @param severity the severity of the incident this decision opens
 * @param rule the name of the rule that fired
 * @param observed the value the rule saw (an error rate of 0.013, a p95 of 6.2 seconds, 1 for an alarm)
 * @param threshold the threshold it was compared with
 * @param unit the unit of {@code observed} and {@code threshold} ("ratio", "seconds", "percent", "count")
 * @param description a sentence for humans ("error rate 1.3% > 1% for 5m")
 * @param breachBegan when the condition first held (the start of time-to-detect)
 * @param decidedAt when the decision was taken
 */
public record Decision(
        String action,
        Kind kind,
        Severity severity,
        String rule,
        double observed,
        double threshold,
        String unit,
        String description,
        Instant breachBegan,
        Instant decidedAt) {

    /** Validates. */
    public Decision {
        Arguments.requireText(action, "action");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(severity, "severity");
        Arguments.requireText(rule, "rule");
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(breachBegan, "breachBegan");
        Objects.requireNonNull(decidedAt, "decidedAt");
        if (decidedAt.isBefore(breachBegan)) {
            throw new IllegalArgumentException(
                    "decidedAt (" + decidedAt + ") is before breachBegan (" + breachBegan + ")");
        }
    }

    /** The time from the start of the breach to this decision. */
    public Duration timeToDetect() {
        return Duration.between(breachBegan, decidedAt);
    }

    /** What a decision asks for. */
    public enum Kind {
        /** Roll back now, automatically (pre-authorized by policy). */
        ROLLBACK,
        /** Open a manual review; a human decides whether to roll back. */
        MANUAL_REVIEW
    }
}
