package dev.rollback.core.report;

import dev.rollback.api.Verification;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import java.time.Duration;
import java.util.Optional;

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
                        .append(d.rule())
                        .append("`: ")
                        .append(esc(d.description()))
                        .append(", ")
                        .append(d.severity())
                        .append(')'));
        md.append('\n');
        md.append("- **Authorization:** ")
                .append(r.authorization().preAuthorized() ? "pre-authorized" : "approved")
                .append(" by policy `")
                .append(r.authorization().policy())
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

        md.append("\n## Steps\n\n| Step | Component | Outcome | Attempts | Duration | Budget | Reason |\n")
                .append("|---|---|---|---|---|---|---|\n");
        for (StepReport s : r.steps()) {
            md.append("| ")
                    .append(esc(s.stepId()))
                    .append(s.destructive() ? " (destructive)" : "")
                    .append(" | ")
                    .append(esc(s.component()))
                    .append(" | ")
                    .append(s.outcome())
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
                                .map(e -> e.getKey() + " = " + esc(e.getValue()))
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

    private static void verification(StringBuilder md, String where, Verification v) {
        md.append("- ")
                .append(v.passed() ? "PASSED" : "FAILED")
                .append(" `")
                .append(v.name())
                .append("` (")
                .append(where)
                .append("): expected ")
                .append(esc(v.checked()))
                .append("; observed ")
                .append(esc(v.observed()));
        v.details().forEach((k, val) -> md.append("; ").append(k).append(" = ").append(esc(val)));
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

    private static String status(TargetStatus s) {
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
            return String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
        }
        if (ms < 3_600_000) {
            return String.format(java.util.Locale.ROOT, "%d min %02d s", ms / 60_000, (ms / 1000) % 60);
        }
        return String.format(java.util.Locale.ROOT, "%d h %02d min", ms / 3_600_000, (ms / 60_000) % 60);
    }

    private static String esc(String text) {
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("\r", " ");
    }
}
