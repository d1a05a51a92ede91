package dev.rollback.core.drill;

import dev.rollback.api.report.TargetStatus;
import java.util.Objects;

/**
 * One of the runbook's drill validation criteria, judged: {@link TargetStatus#MET}, {@link
 * TargetStatus#MISSED}, or {@link TargetStatus#UNKNOWN} when the drill did not measure it (which
 * fails the drill: a drill that hides a miss is worse than none). Immutable.
 *
 * @param name the criterion, in the runbook's words
 * @param status its verdict
 * @param evidence what it was judged on
 */
public record DrillCriterion(String name, TargetStatus status, String evidence) {

    /** Validates. */
    public DrillCriterion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(evidence, "evidence");
    }

    /** Whether the criterion was met. */
    public boolean met() {
        return status == TargetStatus.MET;
    }
}
