package dev.rollback.core.internal;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.Abort;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.incident.IncidentTimeline;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** Builds the {@link RollbackReport} of a finished run from its steps' states. */
final class ReportAssembler {
    private ReportAssembler() {}

    static RollbackReport assemble(
            RunContext ctx,
            Initiator initiator,
            Authorization authorization,
            Collection<StepState> states,
            List<Verification> planVerifications,
            Optional<Abort> abort,
            long endNanos,
            List<String> extraNotes) {
        List<StepReport> steps = new ArrayList<>();
        for (StepState s : states) {
            steps.add(stepReport(ctx, s));
        }
        List<ComponentReport> components = new ArrayList<>();
        for (String component : ctx.plan().componentNames()) {
            components.add(componentReport(ctx, component, states));
        }
        Duration duration = Duration.ofNanos(endNanos - ctx.startNanos());
        Instant finishedAt = ctx.instantOf(endNanos);
        RunOutcome outcome = outcome(steps, planVerifications, abort.isPresent());
        List<String> notes = new ArrayList<>();
        notes.add((authorization.preAuthorized() ? "pre-authorized by policy '" : "authorized by policy '")
                + authorization.policy() + "': " + authorization.explanation());
        for (StepReport s : steps) {
            s.withoutSafeguard()
                    .ifPresent(r -> notes.add("step '" + s.stepId() + "' is destructive and ran with no"
                            + " safeguard before it, as the plan declared: " + r));
        }
        notes.addAll(extraNotes);
        RollbackReport report = new RollbackReport(
                ctx.runId(),
                ctx.plan().name(),
                outcome,
                false,
                initiator,
                authorization,
                ctx.startedAt(),
                finishedAt,
                duration,
                steps,
                components,
                planVerifications,
                abort,
                SuccessMetrics.unknown(),
                notes);
        // The same formula as an incident's metrics, so a failed run never shows a recovery.
        return report.withMetrics(RollbackSuccessMetrics.compute(IncidentTimeline.of(report)));
    }

    private static StepReport stepReport(RunContext ctx, StepState s) {
        boolean started = s.started();
        Duration duration = started ? Duration.ofNanos(s.finishNanos - s.startNanos()) : Duration.ZERO;
        Duration budget = started ? Duration.ofNanos(s.deadlineNanos() - s.startNanos()) : Duration.ZERO;
        return new StepReport(
                s.id(),
                s.planned.component(),
                s.planned.dependsOn(),
                s.planned.step().destructive(),
                outcome(s.status),
                started ? Optional.of(s.startedAt()) : Optional.empty(),
                started ? Optional.of(ctx.instantOf(s.finishNanos)) : Optional.empty(),
                duration,
                budget,
                s.finalAttempts,
                s.verifications(),
                s.evidence(),
                s.reason == null || s.reason.isEmpty() ? Optional.empty() : Optional.of(s.reason),
                s.planned.withoutSafeguard());
    }

    static StepOutcome outcome(StepStatus status) {
        return switch (status) {
            case SUCCEEDED -> StepOutcome.SUCCEEDED;
            case TIMED_OUT -> StepOutcome.TIMED_OUT;
            case SKIPPED, PENDING -> StepOutcome.SKIPPED;
            case ABORTED -> StepOutcome.ABORTED;
            case HUMAN_DECISION_REQUIRED -> StepOutcome.HUMAN_DECISION_REQUIRED;
            case FAILED, RUNNING -> StepOutcome.FAILED;
        };
    }

    static RunOutcome outcome(List<StepReport> steps, List<Verification> planVerifications, boolean aborted) {
        if (aborted) {
            return RunOutcome.ABORTED;
        }
        long succeeded =
                steps.stream().filter(s -> s.outcome() == StepOutcome.SUCCEEDED).count();
        boolean verified = planVerifications.stream().allMatch(Verification::passed);
        if (succeeded == steps.size() && verified) {
            return RunOutcome.SUCCEEDED;
        }
        return succeeded == 0 ? RunOutcome.FAILED : RunOutcome.PARTIAL;
    }

    private static ComponentReport componentReport(RunContext ctx, String component, Collection<StepState> states) {
        RecoveryObjectives objectives = ctx.plan().objectivesOf(component);
        List<StepState> own = states.stream()
                .filter(s -> s.planned.component().equals(component))
                .toList();
        long lastEnd = own.stream()
                .filter(StepState::started)
                .mapToLong(s -> s.finishNanos)
                .max()
                .orElse(ctx.startNanos());
        Duration recovery = Duration.ofNanos(lastEnd - ctx.startNanos());
        boolean anyStarted = own.stream().anyMatch(StepState::started);
        boolean allSucceeded = !own.isEmpty() && own.stream().allMatch(s -> s.status == StepStatus.SUCCEEDED);
        TargetStatus rto;
        if (!anyStarted) {
            rto = TargetStatus.UNKNOWN;
        } else if (allSucceeded && recovery.compareTo(objectives.rto()) <= 0) {
            rto = TargetStatus.MET;
        } else {
            rto = TargetStatus.MISSED;
        }
        Optional<Duration> window = own.stream()
                .map(s -> s.evidence(EvidenceKey.DATA_LOSS_WINDOW.name()))
                .flatMap(Optional::stream)
                .map(EvidenceKey.DATA_LOSS_WINDOW::read)
                .flatMap(Optional::stream)
                .max(Duration::compareTo);
        TargetStatus rpo = window.map(w -> w.compareTo(objectives.rpo()) <= 0 ? TargetStatus.MET : TargetStatus.MISSED)
                .orElse(TargetStatus.UNKNOWN);
        return new ComponentReport(component, objectives, recovery, rto, window, rpo);
    }
}
