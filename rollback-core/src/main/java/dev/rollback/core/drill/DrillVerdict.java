package dev.rollback.core.drill;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Verification;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.TargetStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The verdict of one drill on the runbook's "Drill Validation Criteria": every procedure within its
 * time target, no data lost, every system back to full function, communications sent within their
 * targets, and lessons learned recorded. The first four are judged from the drill's report; the
 * last is a field the drill requires before it is closed ({@link #close(String)}). A criterion that
 * was not measured is UNKNOWN and fails the drill.
 *
 * <p>Immutable; {@link #close(String)} returns a new verdict.
 *
 * @param kind the drill
 * @param report the drill run's report
 * @param criteria the four judged criteria, in the runbook's order
 * @param lessonsLearned the lessons recorded, once the drill is closed
 */
public record DrillVerdict(
        DrillKind kind, RollbackReport report, List<DrillCriterion> criteria, Optional<String> lessonsLearned) {

    /** Validates and copies. */
    public DrillVerdict {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(report, "report");
        criteria = List.copyOf(criteria);
        Objects.requireNonNull(lessonsLearned, "lessonsLearned");
    }

    /** Judges {@code report} of a drill of {@code kind} on the runbook's criteria; not yet closed. */
    public static DrillVerdict of(DrillKind kind, RollbackReport report) {
        Objects.requireNonNull(report, "report");
        List<DrillCriterion> criteria = new ArrayList<>();
        criteria.add(withinTimeTargets(report));
        criteria.add(noDataLost(report));
        criteria.add(fullFunction(report));
        criteria.add(communications(report));
        return new DrillVerdict(kind, report, criteria, Optional.empty());
    }

    /**
     * Closes the drill with its lessons learned, as the runbook requires.
     *
     * @throws IllegalArgumentException if {@code lessons} is blank
     */
    public DrillVerdict close(String lessons) {
        Objects.requireNonNull(lessons, "lessons");
        if (lessons.isBlank()) {
            throw new IllegalArgumentException("lessons learned must be recorded before drill " + kind.title()
                    + " is closed (the runbook's fifth validation criterion)");
        }
        return new DrillVerdict(kind, report, criteria, Optional.of(lessons.strip()));
    }

    /** Whether the drill was closed with its lessons learned. */
    public boolean closed() {
        return lessonsLearned.isPresent();
    }

    /** Whether every criterion was met and the lessons were recorded. */
    public boolean passed() {
        return closed() && criteria.stream().allMatch(DrillCriterion::met);
    }

    /** The criteria that were not met (missed or not measured), and the lessons when still missing. */
    public List<String> failures() {
        List<String> out = new ArrayList<>();
        for (DrillCriterion c : criteria) {
            if (!c.met()) {
                out.add(c.name() + ": " + c.status() + " (" + c.evidence() + ")");
            }
        }
        if (!closed()) {
            out.add("lessons learned: not recorded");
        }
        return out;
    }

    private static DrillCriterion withinTimeTargets(RollbackReport report) {
        String name = "all procedures execute within time targets";
        List<String> missed = new ArrayList<>();
        List<String> unmeasured = new ArrayList<>();
        for (ComponentReport c : report.components()) {
            if (c.rto() == TargetStatus.MISSED) {
                missed.add(c.component() + " took " + c.recoveryTime() + " against an RTO of "
                        + c.objectives().rto());
            } else if (c.rto() == TargetStatus.UNKNOWN) {
                unmeasured.add(c.component() + " never ran");
            }
        }
        if (!missed.isEmpty()) {
            missed.addAll(unmeasured);
            return new DrillCriterion(name, TargetStatus.MISSED, String.join("; ", missed));
        }
        if (!unmeasured.isEmpty() || report.components().isEmpty()) {
            return new DrillCriterion(
                    name, TargetStatus.UNKNOWN, unmeasured.isEmpty() ? "no component" : String.join("; ", unmeasured));
        }
        return new DrillCriterion(name, TargetStatus.MET, report.components().size() + " components within their RTO");
    }

    private static DrillCriterion noDataLost(RollbackReport report) {
        String name = "no data loss occurs during rollback";
        if (report.metrics().recordsLost().isPresent()) {
            long lost = report.metrics().recordsLost().getAsLong();
            return new DrillCriterion(name, lost == 0 ? TargetStatus.MET : TargetStatus.MISSED, lost + " records lost");
        }
        boolean stateless = report.components().stream()
                .map(ComponentReport::objectives)
                .map(RecoveryObjectives::rpo)
                .allMatch(Duration::isZero);
        return stateless
                ? new DrillCriterion(name, TargetStatus.MET, "every component is stateless (RPO 0): nothing to lose")
                : new DrillCriterion(name, TargetStatus.UNKNOWN, "no step measured the records lost");
    }

    private static DrillCriterion fullFunction(RollbackReport report) {
        String name = "all systems return to full functionality";
        List<String> failed = new ArrayList<>();
        report.planVerifications().stream()
                .filter(v -> !v.passed())
                .map(Verification::name)
                .forEach(failed::add);
        report.steps().stream()
                .flatMap(s -> s.verifications().stream())
                .filter(v -> !v.passed())
                .map(Verification::name)
                .forEach(failed::add);
        if (report.outcome() != RunOutcome.SUCCEEDED || !failed.isEmpty()) {
            return new DrillCriterion(
                    name,
                    TargetStatus.MISSED,
                    "the drill run " + report.outcome() + (failed.isEmpty() ? "" : "; failed verifications " + failed));
        }
        long checks = report.planVerifications().size()
                + report.steps().stream()
                        .mapToLong(s -> s.verifications().size())
                        .sum();
        return checks == 0
                ? new DrillCriterion(name, TargetStatus.UNKNOWN, "the drill run succeeded but verified nothing")
                : new DrillCriterion(name, TargetStatus.MET, checks + " verifications passed");
    }

    private static DrillCriterion communications(RollbackReport report) {
        String name = "communication protocols are followed";
        List<NotificationLatency> latencies = report.metrics().notifications();
        if (latencies.isEmpty()) {
            return new DrillCriterion(name, TargetStatus.UNKNOWN, "no stakeholder notification was recorded");
        }
        List<String> late = latencies.stream()
                .filter(l -> l.limitStatus() != TargetStatus.MET)
                .map(l -> l.stakeholder() + " "
                        + l.latency().map(Duration::toString).orElse("never told") + " (limit " + l.limit() + ")")
                .toList();
        return late.isEmpty()
                ? new DrillCriterion(
                        name, TargetStatus.MET, latencies.size() + " stakeholder groups told within their limits")
                : new DrillCriterion(name, TargetStatus.MISSED, String.join("; ", late));
    }

    @Override
    public String toString() {
        return "DrillVerdict[" + kind + ", " + (passed() ? "passed" : "failed: " + failures()) + "]";
    }
}
