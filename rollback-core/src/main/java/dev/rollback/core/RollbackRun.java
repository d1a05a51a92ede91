package dev.rollback.core;

import dev.rollback.api.report.RollbackReport;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A run in progress, as returned by {@link RollbackExecutor#start(dev.rollback.api.RollbackPlan, RunRequest)}.
 * Thread-safe: any thread may await it or abort it.
 */
public interface RollbackRun {

    /** The run's id. */
    String runId();

    /** The name of the plan being run. */
    String planName();

    /**
     * Whether this handle joined a run that was already going for the same plan key (a second
     * trigger for a plan that is running joins it instead of starting another).
     */
    boolean joined();

    /**
     * Aborts the run: no further step is scheduled, running steps are interrupted, and the report
     * records who aborted and why. Aborting a finished run does nothing.
     */
    void abort(String reason, String who);

    /** Whether the run has finished. */
    boolean isDone();

    /** Waits for the run to finish and returns its report. */
    RollbackReport await() throws InterruptedException;

    /** Waits at most {@code timeout}; empty if the run has not finished by then. */
    Optional<RollbackReport> await(Duration timeout) throws InterruptedException;

    /**
     * The RTO budget left now, on the executor's clock, for the plan (under the key {@code "plan"})
     * and each of its components, in the plan's order: negative once a budget is overrun. Counted
     * from the run's first start, so a resumed run's budgets include the time it was dead. Empty
     * once the run is done, and by default.
     */
    default Map<String, Duration> budgetLeft() {
        return Map.of();
    }
}
