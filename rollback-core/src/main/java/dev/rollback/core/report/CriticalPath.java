package dev.rollback.core.report;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The critical path of a run: the chain of dependent steps whose measured durations add up to the
 * longest time, which is the least any scheduler could have taken for that plan with those step
 * times. {@link #ratio()} compares the run's wall time with it: 1.00x means the executor added
 * nothing to the slowest chain; a runbook script that runs the same steps one after another takes
 * the sum of all durations instead ({@link #sequential()}).
 *
 * <p>Computed from a report alone (each step's dependencies and duration are in it). Immutable.
 *
 * @param length the sum of the durations on the longest chain
 * @param steps the chain's step ids, first to last
 * @param sequential the sum of every step's duration: what running them one after another takes
 * @param wallTime how long the run took
 */
public record CriticalPath(Duration length, List<String> steps, Duration sequential, Duration wallTime) {

    /** Validates and copies. */
    public CriticalPath {
        Objects.requireNonNull(length, "length");
        steps = List.copyOf(steps);
        Objects.requireNonNull(sequential, "sequential");
        Objects.requireNonNull(wallTime, "wallTime");
    }

    /** The critical path of {@code report}'s run. Steps that never started count zero. */
    public static CriticalPath of(RollbackReport report) {
        Objects.requireNonNull(report, "report");
        // Steps are reported in topological order, so one pass sees every dependency first.
        Map<String, Duration> finish = new HashMap<>();
        Map<String, String> previous = new HashMap<>();
        Duration sequential = Duration.ZERO;
        String last = null;
        Duration longest = Duration.ZERO;
        for (StepReport s : report.steps()) {
            Duration start = Duration.ZERO;
            String before = null;
            for (String dependency : s.dependsOn()) {
                Duration d = finish.getOrDefault(dependency, Duration.ZERO);
                if (before == null || d.compareTo(start) > 0) {
                    start = d;
                    before = dependency;
                }
            }
            Duration end = start.plus(s.duration());
            finish.put(s.stepId(), end);
            if (before != null) {
                previous.put(s.stepId(), before);
            }
            sequential = sequential.plus(s.duration());
            if (last == null || end.compareTo(longest) > 0) {
                longest = end;
                last = s.stepId();
            }
        }
        List<String> chain = new ArrayList<>();
        for (String id = last; id != null; id = previous.get(id)) {
            chain.add(id);
        }
        Collections.reverse(chain);
        return new CriticalPath(longest, chain, sequential, report.duration());
    }

    /** The run's wall time over the critical path's length; 1.0 when the path is empty. */
    public double ratio() {
        return length.isZero() ? 1.0 : (double) wallTime.toNanos() / length.toNanos();
    }

    /** The sum of every step's duration over the run's wall time: how much the plan's parallelism saved. */
    public double speedupOverSequential() {
        return wallTime.isZero() ? 1.0 : (double) sequential.toNanos() / wallTime.toNanos();
    }
}
