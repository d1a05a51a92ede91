package dev.rollback.testkit.assertions;

import dev.rollback.api.Verification;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.AbstractAssert;

/**
 * AssertJ assertions on a {@link RollbackReport}; get one from {@link RollbackAssertions#assertThat(RollbackReport)}.
 * Every failure message names the run and shows what the report holds instead.
 */
public final class RollbackReportAssert extends AbstractAssert<RollbackReportAssert, RollbackReport> {

    RollbackReportAssert(RollbackReport actual) {
        super(actual, RollbackReportAssert.class);
    }

    /** The run ended {@link RunOutcome#SUCCEEDED}. */
    public RollbackReportAssert succeeded() {
        return hasOutcome(RunOutcome.SUCCEEDED);
    }

    /** The run ended {@link RunOutcome#FAILED}. */
    public RollbackReportAssert failed() {
        return hasOutcome(RunOutcome.FAILED);
    }

    /** The run ended with {@code expected}. */
    public RollbackReportAssert hasOutcome(RunOutcome expected) {
        isNotNull();
        if (actual.outcome() != expected) {
            failWithMessage(
                    "expected run %s of plan '%s' to end %s but it ended %s; steps: %s",
                    actual.runId(), actual.planName(), expected, actual.outcome(), summary());
        }
        return this;
    }

    /** The component's RTO was met. */
    public RollbackReportAssert metRto(String component) {
        return hasRto(component, TargetStatus.MET);
    }

    /** The component's RTO was missed. */
    public RollbackReportAssert missedRto(String component) {
        return hasRto(component, TargetStatus.MISSED);
    }

    /** The step ran exactly one attempt. */
    public RollbackReportAssert ranExactlyOnce(String stepId) {
        StepReport step = step(stepId);
        if (step.attempts().size() != 1) {
            failWithMessage(
                    "expected step '%s' of run %s to run exactly once but it ran %s attempt(s) (%s)",
                    stepId, actual.runId(), step.attempts().size(), step.outcome());
        }
        return this;
    }

    /** The step ended with {@code expected}. */
    public RollbackReportAssert stepHasOutcome(String stepId, StepOutcome expected) {
        StepReport step = step(stepId);
        if (step.outcome() != expected) {
            failWithMessage(
                    "expected step '%s' of run %s to end %s but it ended %s%s",
                    stepId,
                    actual.runId(),
                    expected,
                    step.outcome(),
                    step.reason().map(r -> " (" + r + ")").orElse(""));
        }
        return this;
    }

    /** The step was skipped, and its reason contains {@code reasonText}. */
    public RollbackReportAssert skipped(String stepId, String reasonText) {
        stepHasOutcome(stepId, StepOutcome.SKIPPED);
        String reason = step(stepId).reason().orElse("");
        if (!reason.contains(reasonText)) {
            failWithMessage(
                    "expected step '%s' of run %s to be skipped for a reason containing '%s' but the reason was '%s'",
                    stepId, actual.runId(), reasonText, reason);
        }
        return this;
    }

    /**
     * The step ended {@link StepOutcome#HUMAN_DECISION_REQUIRED} (it may have taken effect and could
     * not tell), and its reason names it.
     */
    public RollbackReportAssert needsHumanDecision(String stepId) {
        stepHasOutcome(stepId, StepOutcome.HUMAN_DECISION_REQUIRED);
        String reason = step(stepId).reason().orElse("");
        if (!reason.contains(stepId)) {
            failWithMessage(
                    "expected the reason of step '%s' of run %s to name the step but it was '%s'",
                    stepId, actual.runId(), reason);
        }
        return this;
    }

    /**
     * Assertions on the verification named {@code name}, looked up among the plan's verifications
     * and then every step's, in plan order.
     */
    public VerificationAssert verification(String name) {
        isNotNull();
        List<Verification> all = Stream.concat(
                        actual.planVerifications().stream(),
                        actual.steps().stream().flatMap(s -> s.verifications().stream()))
                .toList();
        for (Verification v : all) {
            if (v.name().equals(name)) {
                return new VerificationAssert(v);
            }
        }
        throw failure(
                "expected run %s to have a verification '%s' but it has %s",
                actual.runId(), name, all.stream().map(Verification::name).toList());
    }

    private RollbackReportAssert hasRto(String component, TargetStatus expected) {
        isNotNull();
        ComponentReport report = actual.component(component).orElse(null);
        if (report == null) {
            failWithMessage(
                    "expected run %s to report component '%s' but it reports %s",
                    actual.runId(),
                    component,
                    actual.components().stream().map(ComponentReport::component).toList());
        } else if (report.rto() != expected) {
            failWithMessage(
                    "expected the RTO of '%s' in run %s to be %s but it was %s (recovery %s against %s)",
                    component, actual.runId(), expected, report.rto(), report.recoveryTime(), report.objectives());
        }
        return this;
    }

    private StepReport step(String stepId) {
        isNotNull();
        StepReport step = actual.step(stepId).orElse(null);
        if (step == null) {
            failWithMessage(
                    "expected run %s to have a step '%s' but its steps are %s",
                    actual.runId(),
                    stepId,
                    actual.steps().stream().map(StepReport::stepId).toList());
        }
        return step;
    }

    private List<String> summary() {
        return actual.steps().stream()
                .map(s -> s.stepId() + "=" + s.outcome()
                        + s.reason().map(r -> " (" + r + ")").orElse(""))
                .toList();
    }
}
