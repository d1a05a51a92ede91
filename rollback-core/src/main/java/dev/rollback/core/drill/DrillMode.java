package dev.rollback.core.drill;

import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Runs drill plans in drill mode: against staging targets only. Before anything runs (before the
 * executor is even asked, so before any approval, lock, journal record or preflight), every step's
 * declared target ({@link dev.rollback.api.RollbackStep#actsOn()}) is checked against the
 * {@link StagingTargets} policy; a step that acts on a target that looks like production, or declares
 * none, refuses the whole drill with a {@link DrillRefusedException} naming the step and the target.
 * A plan that passes runs on the executor as a drill ({@link RunRequest#drill(String)}), and its report
 * carries a note saying it ran in drill mode and against which targets, step by step.
 *
 * <p>Immutable and thread-safe (as thread-safe as its executor). It never changes a plan and never
 * runs a step itself.
 */
public final class DrillMode {
    /** The prefix of the note drill mode adds to a drill's report. */
    public static final String NOTE_PREFIX = "Drill mode: ";

    private final RollbackExecutor executor;
    private final StagingTargets staging;

    private DrillMode(RollbackExecutor executor, StagingTargets staging) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.staging = Objects.requireNonNull(staging, "staging");
    }

    /** Drill mode on {@code executor} under the staging policy {@code staging}. */
    public static DrillMode of(RollbackExecutor executor, StagingTargets staging) {
        return new DrillMode(executor, staging);
    }

    /** The staging policy. */
    public StagingTargets staging() {
        return staging;
    }

    /**
     * Checks {@code plan}'s targets without running anything.
     *
     * @return what each step acts on, by step id in plan order
     * @throws DrillRefusedException naming every refused step and its target
     */
    public Map<String, String> check(RollbackPlan plan) {
        return staging.check(plan);
    }

    /**
     * Runs the {@code kind} drill's plan from {@code plans} in drill mode.
     *
     * @throws dev.rollback.api.RollbackException with {@code INVALID_CONFIGURATION} when {@code plans} has
     *     none for {@code kind}
     * @throws DrillRefusedException when a target is refused (nothing ran)
     */
    public RollbackReport run(DrillPlans plans, DrillKind kind, String scheduler) {
        return run(kind, Objects.requireNonNull(plans, "plans").require(kind), scheduler);
    }

    /**
     * Runs {@code plan} as the {@code kind} drill, started by {@code scheduler}, once its targets passed
     * the staging policy; waits for its report and adds the drill-mode note to it.
     *
     * @throws DrillRefusedException when a target is refused (nothing ran)
     * @throws dev.rollback.api.RollbackException whatever {@link RollbackExecutor#run} throws
     */
    public RollbackReport run(DrillKind kind, RollbackPlan plan, String scheduler) {
        Objects.requireNonNull(kind, "kind");
        Map<String, String> targets = check(plan);
        RollbackReport report = executor.run(plan, RunRequest.drill(scheduler));
        return report.withNote(note(kind, targets));
    }

    /**
     * Walks {@code plan} as the {@code kind} drill without changing anything ({@link
     * RollbackExecutor#dryRun}), once its targets passed the staging policy.
     *
     * @throws DrillRefusedException when a target is refused
     */
    public RollbackReport dryRun(DrillKind kind, RollbackPlan plan, String scheduler) {
        Objects.requireNonNull(kind, "kind");
        Map<String, String> targets = check(plan);
        return executor.dryRun(plan, RunRequest.drill(scheduler)).withNote(note(kind, targets));
    }

    static String note(DrillKind kind, Map<String, String> targets) {
        return NOTE_PREFIX + kind.title() + " against staging targets only: "
                + targets.entrySet().stream()
                        .map(e -> e.getKey() + " -> " + Redaction.redact(e.getValue()))
                        .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return "DrillMode[" + staging + "]";
    }
}
