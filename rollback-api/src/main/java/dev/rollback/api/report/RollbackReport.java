package dev.rollback.api.report;

import dev.rollback.api.Initiator;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Authorization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one run did: who or what started it and under which authorization, the outcome, the
 * timeline of every step, each component's RTO and RPO against its target, every verification
 * with its evidence, the success metrics, and notes (a pre-authorization, a step run without a
 * safeguard, a verified journal). Immutable; rendered as JSON and Markdown by rollback-core.
 *
 * @param runId the run's id
 * @param planName the plan's name
 * @param outcome how the run ended
 * @param dryRun whether this was a dry run (nothing was changed)
 * @param initiator who or what started it
 * @param authorization the authorization it ran under
 * @param startedAt when it started
 * @param finishedAt when it ended
 * @param duration how long it took (monotonic)
 * @param steps every step of the plan, in topological order
 * @param components every component, in plan order
 * @param planVerifications the plan-level verifications
 * @param abort who aborted it and why, if someone did
 * @param metrics the success metrics
 * @param notes remarks, in order
 */
public record RollbackReport(
        String runId,
        String planName,
        RunOutcome outcome,
        boolean dryRun,
        Initiator initiator,
        Authorization authorization,
        Instant startedAt,
        Instant finishedAt,
        Duration duration,
        List<StepReport> steps,
        List<ComponentReport> components,
        List<Verification> planVerifications,
        Optional<Abort> abort,
        SuccessMetrics metrics,
        List<String> notes) {

    /** Validates and copies. */
    public RollbackReport {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(planName, "planName");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(initiator, "initiator");
        Objects.requireNonNull(authorization, "authorization");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(duration, "duration");
        steps = List.copyOf(steps);
        components = List.copyOf(components);
        planVerifications = List.copyOf(planVerifications);
        Objects.requireNonNull(abort, "abort");
        Objects.requireNonNull(metrics, "metrics");
        notes = List.copyOf(notes);
    }

    /** A step's timeline by id. */
    public Optional<StepReport> step(String stepId) {
        return steps.stream().filter(s -> s.stepId().equals(stepId)).findFirst();
    }

    /** A component's report by name. */
    public Optional<ComponentReport> component(String component) {
        return components.stream().filter(c -> c.component().equals(component)).findFirst();
    }

    /** This report with other success metrics (governance adds notification latencies). */
    public RollbackReport withMetrics(SuccessMetrics newMetrics) {
        return new RollbackReport(
                runId,
                planName,
                outcome,
                dryRun,
                initiator,
                authorization,
                startedAt,
                finishedAt,
                duration,
                steps,
                components,
                planVerifications,
                abort,
                newMetrics,
                notes);
    }

    /** This report with one more note. */
    public RollbackReport withNote(String note) {
        List<String> more = new ArrayList<>(notes);
        more.add(Objects.requireNonNull(note, "note"));
        return new RollbackReport(
                runId,
                planName,
                outcome,
                dryRun,
                initiator,
                authorization,
                startedAt,
                finishedAt,
                duration,
                steps,
                components,
                planVerifications,
                abort,
                metrics,
                more);
    }
}
