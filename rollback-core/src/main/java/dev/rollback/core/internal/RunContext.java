package dev.rollback.core.internal;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * What every step context of one run shares: ids, the clock and its reading at the run's start,
 * the fencing token, the steps' states (for evidence look-ups) and the abort flag. Internal.
 *
 * @param runId the run
 * @param plan the plan
 * @param initiator who or what started it
 * @param clock the clock
 * @param startNanos the monotonic reading at the run's (first) start
 * @param startedAt the wall time of the run's (first) start
 * @param fencingToken the run lock's fencing token, 0 without a lock
 * @param dryRun whether this is a dry run
 * @param states the steps' states by id
 * @param aborted whether the run was aborted
 */
public record RunContext(
        String runId,
        RollbackPlan plan,
        Initiator initiator,
        RollbackClock clock,
        long startNanos,
        Instant startedAt,
        long fencingToken,
        boolean dryRun,
        Map<String, StepState> states,
        BooleanSupplier aborted) {

    /** The wall-clock instant of a monotonic reading, anchored at the run's start. */
    Instant instantOf(long nanos) {
        return startedAt.plusNanos(nanos - startNanos);
    }

    long planDeadlineNanos() {
        return startNanos + plan.objectives().rto().toNanos();
    }

    long componentDeadlineNanos(String component) {
        return startNanos + plan.objectivesOf(component).rto().toNanos();
    }

    Optional<String> evidenceOf(String stepId, String key) {
        StepState s = states.get(stepId);
        return s == null ? Optional.empty() : s.evidence(key);
    }

    static long saturatedAdd(long a, Duration d) {
        long n = d.toNanos();
        long r = a + n;
        return ((a ^ r) & (n ^ r)) < 0 ? Long.MAX_VALUE : r;
    }
}
