package dev.rollback.core.report;

import dev.rollback.api.Verification;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.SystemRecovery;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Renders a report as Markdown for humans: the outcome and who started it, each component's RTO
 * and RPO met or missed, the timeline of every step, every verification with its evidence, the
 * runbook's success metrics, and the notes. Table cells are escaped. Stateless and thread-safe.
 */
public final class MarkdownReportRenderer {
    private MarkdownReportRenderer() {}

    /** The report as a Markdown document. */
    public static String render(RollbackReport r) {
        StringBuilder md = new StringBuilder(2048);
        md.append("# Rollback report: ")
                .append(r.planName())
                .append(r.dryRun() ? " (dry run)" : "")
                .append("\n\n");
        md.append("- **Outcome:** ").append(r.outcome()).append('\n');
        md.append("- **Run:** `").append(r.runId()).append("`\n");
        md.append("- **Started by:** ")
                .append(r.initiator().kind())
                .append(' ')
                .append(esc(r.initiator().principal()));
        r.initiator()
                .decision()
                .ifPresent(d -> md.append(" (rule `")
                        .append(esc(d.rule()))
                        .append("`: ")
                        .append(esc(d.description()))
                        .append(", ")
                        .append(d.severity())
                        .append(')'));
        md.append('\n');
        md.append("- **Authorization:** ")
                .append(r.authorization().preAuthorized() ? "pre-authorized" : "approved")
                .append(" by policy `")
                .append(esc(r.authorization().policy()))
                .append("`");
        r.authorization()
                .approvals()
                .forEach(a ->
                        md.append("; ").append(esc(a.person())).append(" as ").append(esc(a.role())));
        md.append('\n');
        md.append("- **Started:** ")
                .append(r.startedAt())
                .append("; **finished:** ")
                .append(r.finishedAt())
                .append("; **took:** ")
                .append(human(r.duration()))
                .append('\n');
        CriticalPath path = CriticalPath.of(r);
        if (!path.length().isZero()) {
            md.append("- **Critical path:** ")
                    .append(human(path.length()))
                    .append(" (")
                    .append(esc(String.join(" → ", path.steps())))
                    .append("); the run took ")
                    .append(String.format(Locale.ROOT, "%.2fx", path.ratio()))
                    .append(" of it; one step after another would take ")
                    .append(human(path.sequential()))
                    .append('\n');
        }
        r.abort()
                .ifPresent(a -> md.append("- **Aborted** by ")
                        .append(esc(a.who()))
                        .append(" at ")
                        .append(a.at())
                        .append(": ")
                        .append(esc(a.reason()))
                        .append('\n'));

        md.append(
                        "\n## Components\n\n| Component | RTO target | Recovery time | RTO | RPO target | Data-loss window | RPO |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (ComponentReport c : r.components()) {
            md.append("| ")
                    .append(esc(c.component()))
                    .append(" | ")
                    .append(human(c.objectives().rto()))
                    .append(" | ")
                    .append(human(c.recoveryTime()))
                    .append(" | ")
                    .append(status(c.rto()))
                    .append(" | ")
                    .append(human(c.objectives().rpo()))
                    .append(" | ")
                    .append(c.dataLossWindow()
                            .map(MarkdownReportRenderer::human)
                            .orElse("not measured"))
                    .append(" | ")
                    .append(status(c.rpo()))
                    .append(" |\n");
        }

        md.append(
                        "\n## Steps\n\n| Step | Component | Outcome | Started | Finished | Attempts | Duration | Budget | Reason |\n")
                .append("|---|---|---|---|---|---|---|---|---|\n");
        for (StepReport s : r.steps()) {
            md.append("| ")
                    .append(esc(s.stepId()))
                    .append(s.destructive() ? " (destructive)" : "")
                    .append(" | ")
                    .append(esc(s.component()))
                    .append(" | ")
                    .append(s.outcome())
                    .append(" | ")
                    .append(s.startedAt().map(Instant::toString).orElse(""))
                    .append(" | ")
                    .append(s.finishedAt().map(Instant::toString).orElse(""))
                    .append(" | ")
                    .append(s.attempts().size())
                    .append(" | ")
                    .append(human(s.duration()))
                    .append(" | ")
                    .append(human(s.budget()))
                    .append(" | ")
                    .append(esc(s.reason().orElse("")))
                    .append(" |\n");
        }

        md.append("\n## Verifications\n\n");
        boolean any = false;
        for (StepReport s : r.steps()) {
            for (Verification v : s.verifications()) {
                verification(md, s.stepId(), v);
                any = true;
            }
        }
        for (Verification v : r.planVerifications()) {
            verification(md, "plan", v);
            any = true;
        }
        if (!any) {
            md.append("None ran.\n");
        }

        md.append("\n## Evidence\n\n");
        any = false;
        for (StepReport s : r.steps()) {
            if (!s.evidence().isEmpty()) {
                md.append("- `").append(s.stepId()).append("`: ");
                md.append(String.join(
                        ", ",
                        s.evidence().entrySet().stream()
                                .map(e -> esc(e.getKey()) + " = " + esc(e.getValue()))
                                .toList()));
                md.append('\n');
                any = true;
            }
        }
        if (!any) {
            md.append("None recorded.\n");
        }

        SuccessMetrics m = r.metrics();
        md.append(
                "\n## Success metrics\n\n| Metric | Value | Limit | Target | Limit met | Target met |\n|---|---|---|---|---|---|\n");
        metric(md, "Time to detection", m.timeToDetect(), SuccessMetrics.DETECT_LIMIT, SuccessMetrics.DETECT_TARGET);
        metric(md, "Time to decision", m.timeToDecide(), SuccessMetrics.DECIDE_LIMIT, SuccessMetrics.DECIDE_TARGET);
        metric(md, "Time to execute", m.timeToExecute(), SuccessMetrics.EXECUTE_LIMIT, SuccessMetrics.EXECUTE_TARGET);
        metric(
                md,
                "Total recovery time",
                m.totalRecovery(),
                SuccessMetrics.RECOVERY_LIMIT,
                SuccessMetrics.RECOVERY_TARGET);
        md.append("| Records lost | ")
                .append(
                        m.recordsLost().isPresent()
                                ? Long.toString(m.recordsLost().getAsLong())
                                : "unknown")
                .append(" | 0 | 0 | ")
                .append(status(m.dataLossStatus()))
                .append(" | ")
                .append(status(m.dataLossStatus()))
                .append(" |\n");
        for (NotificationLatency l : m.notifications()) {
            md.append("| Notified ")
                    .append(esc(l.stakeholder()))
                    .append(" | ")
                    .append(l.latency().map(MarkdownReportRenderer::human).orElse("not notified"))
                    .append(" | ")
                    .append(human(l.limit()))
                    .append(" | ")
                    .append(human(l.target()))
                    .append(" | ")
                    .append(status(l.limitStatus()))
                    .append(" | ")
                    .append(status(l.targetStatus()))
                    .append(" |\n");
        }

        if (!r.notes().isEmpty()) {
            md.append("\n## Notes\n\n");
            r.notes().forEach(n -> md.append("- ").append(esc(n)).append('\n'));
        }
        return md.toString();
    }

    /**
     * An incident's report as a Markdown document: the incident, its timeline (breach, decision,
     * authorization, severity changes, pages, notices, steps, recovery) in one sequence, the run's
     * report, the post-rollback checks and the system-recovery metrics.
     */
    public static String render(IncidentReport i) {
        StringBuilder md = new StringBuilder(4096);
        md.append("# Incident ")
                .append(esc(i.incidentId()))
                .append(": ")
                .append(esc(i.title()))
                .append("\n\n");
        md.append("- **Severity:** ").append(i.severity()).append('\n');
        md.append("- **State:** ").append(i.state()).append('\n');
        md.append("- **Opened:** ")
                .append(i.openedAt())
                .append("; **recovered:** ")
                .append(i.recoveredAt().map(Instant::toString).orElse("not recovered"))
                .append('\n');
        i.heightenedMonitoringUntil()
                .ifPresent(u -> md.append("- **Heightened monitoring until:** ")
                        .append(u)
                        .append('\n'));
        md.append("\n## Incident timeline\n\n");
        timeline(md, IncidentChronology.of(i));
        md.append("\n## Post-rollback checks\n\n");
        if (i.checks().isEmpty()) {
            md.append("None ran.\n");
        }
        i.checks().forEach(v -> verification(md, "post-rollback", v));
        SystemRecovery s = i.systemRecovery();
        md.append("\n## System recovery\n\n| Metric | Value | Limit | Target | Limit met | Target met |\n")
                .append("|---|---|---|---|---|---|\n");
        md.append("| Service availability | ")
                .append(share(s.availability()))
                .append(" | 99.9% | 99.95% | ")
                .append(status(s.availabilityStatus(SystemRecovery.AVAILABILITY_LIMIT)))
                .append(" | ")
                .append(status(s.availabilityStatus(SystemRecovery.AVAILABILITY_TARGET)))
                .append(" |\n");
        md.append("| Performance restoration | ")
                .append(share(s.performanceRestoration()))
                .append(" | 100% | 100% | ")
                .append(status(s.performanceStatus()))
                .append(" | ")
                .append(status(s.performanceStatus()))
                .append(" |\n");
        md.append("| Data integrity | ")
                .append(share(s.dataIntegrity()))
                .append(" | 100% | 100% | ")
                .append(status(s.dataIntegrityStatus()))
                .append(" | ")
                .append(status(s.dataIntegrityStatus()))
                .append(" |\n");
        md.append("| Users affected | ")
                .append(
                        s.usersAffected().isPresent()
                                ? Long.toString(s.usersAffected().getAsLong())
                                : "unknown")
                .append(" | < 1,000 | < 500 | ")
                .append(status(s.usersAffectedStatus(SystemRecovery.USERS_AFFECTED_LIMIT)))
                .append(" | ")
                .append(status(s.usersAffectedStatus(SystemRecovery.USERS_AFFECTED_TARGET)))
                .append(" |\n");
        if (!i.notes().isEmpty()) {
            md.append("\n## Incident notes\n\n");
            i.notes().forEach(n -> md.append("- ").append(esc(n)).append('\n'));
        }
        i.run().ifPresent(r -> md.append('\n').append(render(r).replaceAll("(?m)^#", "##")));
        return md.toString();
    }

    /** The moments of a timeline as a Markdown list, one per line. */
    static void timeline(StringBuilder md, List<TimelineEntry> entries) {
        for (TimelineEntry e : entries) {
            md.append("- `")
                    .append(e.at())
                    .append("` **")
                    .append(e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append("** ")
                    .append(esc(e.what()))
                    .append('\n');
        }
    }

    private static String share(OptionalDouble value) {
        return value.isPresent() ? HtmlReportRenderer.percent(value.getAsDouble()) : "unknown";
    }

    private static void verification(StringBuilder md, String where, Verification v) {
        md.append("- ")
                .append(v.passed() ? "PASSED" : "FAILED")
                .append(" `")
                .append(esc(v.name()))
                .append("` (")
                .append(where)
                .append("): expected ")
                .append(esc(v.checked()))
                .append("; observed ")
                .append(esc(v.observed()));
        v.details()
                .forEach(
                        (k, val) -> md.append("; ").append(esc(k)).append(" = ").append(esc(val)));
        md.append('\n');
    }

    private static void metric(
            StringBuilder md, String name, Optional<Duration> value, Duration limit, Duration target) {
        md.append("| ")
                .append(name)
                .append(" | ")
                .append(value.map(MarkdownReportRenderer::human).orElse("unknown"))
                .append(" | < ")
                .append(human(limit))
                .append(" | < ")
                .append(human(target))
                .append(" | ")
                .append(status(SuccessMetrics.against(value, limit)))
                .append(" | ")
                .append(status(SuccessMetrics.against(value, target)))
                .append(" |\n");
    }

    static String status(TargetStatus s) {
        return switch (s) {
            case MET -> "met";
            case MISSED -> "**missed**";
            case UNKNOWN -> "unknown";
        };
    }

    /** A duration as people read it: 850 ms, 12.3 s, 4 min 05 s, 2 h 10 min. */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        if (ms < 60_000) {
            return String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 3_600_000) {
            return String.format(Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
        }
        return String.format(Locale.ROOT, "%d h %02d min", ms / 3_600_000, (ms / 60_000) % 60);
    }

    /**
     * {@code text} for a Markdown line or table cell: control characters escaped by the shared rule
     * ({@link SafeText#escape}), so no text can start a line, then backslashes and pipes escaped.
     */
    static String esc(String text) {
        return SafeText.escape(text).replace("\\", "\\\\").replace("|", "\\|");
    }
}
