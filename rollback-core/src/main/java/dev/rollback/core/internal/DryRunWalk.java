package dev.rollback.core.internal;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RunRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A dry run: walks the plan in its topological order, calls only each step's read-only preflight
 * and the read-only verifiers, and reports the order, each step's budget and whether it would
 * run. Takes no lock, writes no journal, calls no step's action.
 */
public final class DryRunWalk {
    private DryRunWalk() {}

    /** Walks {@code plan} and returns its dry-run report. */
    public static RollbackReport walk(
            String runId,
            RollbackPlan plan,
            RunRequest request,
            Authorization authorization,
            RollbackClock clock,
            EventDispatcher events) {
        long start = clock.monotonicNanos();
        Map<String, StepState> states = new LinkedHashMap<>();
        plan.steps().forEach(s -> states.put(s.id(), new StepState(s)));
        RunContext ctx = new RunContext(
                runId, plan, request.initiator(), clock, start, clock.instant(), 0L, true, states, () -> false);
        events.emit(new RunStarted(
                runId, ctx.startedAt(), plan.name(), request.initiator(), true, RunRecords.budgets(plan)));
        List<StepReport> steps = new ArrayList<>();
        List<String> order = new ArrayList<>();
        for (PlannedStep planned : plan.steps()) {
            Duration budget = plan.objectivesOf(planned.component()).rto();
            if (planned.timeout().isPresent() && planned.timeout().get().compareTo(budget) < 0) {
                budget = planned.timeout().get();
            }
            StepState state = states.get(planned.id());
            AttemptContext actx = new AttemptContext(
                    ctx,
                    EventDispatcher.NONE, // a dry run has no step attempts, so no progress events either
                    state,
                    planned.id(),
                    planned.component(),
                    1,
                    RunContext.saturatedAdd(clock.monotonicNanos(), budget));
            Optional<String> problem = Optional.empty();
            try {
                planned.step().preflight(actx);
            } catch (Exception e) {
                problem = Optional.of("preflight failed: " + Redaction.describe(e));
            }
            List<Verification> seen = new ArrayList<>();
            for (Verifier v : planned.verifiers()) {
                if (v.readOnly()) {
                    try {
                        seen.add(StepWorker.runVerifier(v, actx));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
            order.add(planned.id());
            steps.add(new StepReport(
                    planned.id(),
                    planned.component(),
                    planned.dependsOn(),
                    planned.step().destructive(),
                    problem.isPresent() ? StepOutcome.WOULD_FAIL : StepOutcome.WOULD_RUN,
                    Optional.empty(),
                    Optional.empty(),
                    Duration.ZERO,
                    budget,
                    List.of(),
                    seen,
                    state.evidence(),
                    problem,
                    planned.withoutSafeguard()));
        }
        long end = clock.monotonicNanos();
        List<ComponentReport> components = new ArrayList<>();
        for (String c : plan.componentNames()) {
            components.add(new ComponentReport(
                    c,
                    plan.objectivesOf(c),
                    Duration.ZERO,
                    TargetStatus.UNKNOWN,
                    Optional.empty(),
                    TargetStatus.UNKNOWN));
        }
        boolean wouldFail = steps.stream().anyMatch(s -> s.outcome() == StepOutcome.WOULD_FAIL);
        List<String> notes = new ArrayList<>();
        notes.add("dry run: nothing was changed; only read-only checks ran");
        notes.add("order: " + String.join(" -> ", order));
        notes.add((authorization.granted() ? "would be authorized by policy '" : "would NOT be authorized by policy '")
                + authorization.policy() + "': " + authorization.explanation()
                + (authorization.missingRoles().isEmpty() ? "" : "; missing " + authorization.missingRoles()));
        RunOutcome outcome = wouldFail || !authorization.granted() ? RunOutcome.FAILED : RunOutcome.SUCCEEDED;
        Duration duration = Duration.ofNanos(end - start);
        RollbackReport report = new RollbackReport(
                runId,
                plan.name(),
                outcome,
                true,
                request.initiator(),
                authorization,
                ctx.startedAt(),
                ctx.instantOf(end),
                duration,
                steps,
                components,
                List.of(),
                Optional.empty(),
                SuccessMetrics.unknown(),
                notes);
        events.emit(new RunFinished(runId, report.finishedAt(), outcome, duration));
        return report;
    }
}
