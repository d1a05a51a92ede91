package dev.rollback.core.report;

import dev.rollback.api.Decision;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.incident.SeverityChange;
import dev.rollback.core.response.IncidentReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The runbook's post-rollback write-up, drafted from an incident's report: its timeline, its impact
 * (downtime per component, users affected, records lost), the decisions with the evidence that
 * drove them, and the runbook's "Short-Term Analysis" sections (root cause investigation, impact
 * assessment, process review) with the runbook's prompts, to fill in. As Markdown or as a
 * self-contained HTML page. Stateless and thread-safe.
 */
public final class PostIncidentReport {
    private PostIncidentReport() {}

    /** The draft as Markdown. */
    public static String markdown(IncidentReport incident) {
        StringBuilder md = new StringBuilder(4096);
        for (Section s : sections(incident)) {
            md.append(s.level() == 1 ? "# " : "## ")
                    .append(MarkdownReportRenderer.esc(s.title()))
                    .append("\n\n");
            s.paragraphs().forEach(p -> md.append(MarkdownReportRenderer.esc(p)).append("\n\n"));
            s.items()
                    .forEach(i -> md.append("- ")
                            .append(MarkdownReportRenderer.esc(i))
                            .append('\n'));
            if (!s.items().isEmpty()) {
                md.append('\n');
            }
        }
        return md.toString();
    }

    /** The draft as a self-contained HTML page. */
    public static String html(IncidentReport incident) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>")
                .append(HtmlReportRenderer.esc("Post-incident report: " + incident.incidentId()))
                .append("</title><style>body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:0 auto;")
                .append(
                        "padding:12px;color:#1b1b1b}h1{font-size:1.35em}h2{font-size:1.1em;border-bottom:1px solid #ddd}")
                .append(".fill{color:#8a6d00;font-style:italic}</style></head><body><main>\n");
        for (Section s : sections(incident)) {
            String tag = s.level() == 1 ? "h1" : "h2";
            h.append('<')
                    .append(tag)
                    .append('>')
                    .append(HtmlReportRenderer.esc(s.title()))
                    .append("</")
                    .append(tag)
                    .append(">\n");
            for (String p : s.paragraphs()) {
                h.append(p.startsWith(TO_FILL) ? "<p class=\"fill\">" : "<p>")
                        .append(HtmlReportRenderer.esc(p))
                        .append("</p>\n");
            }
            if (!s.items().isEmpty()) {
                h.append("<ul>");
                s.items()
                        .forEach(i -> h.append("<li>")
                                .append(HtmlReportRenderer.esc(i))
                                .append("</li>"));
                h.append("</ul>\n");
            }
        }
        h.append("</main></body></html>\n");
        return h.toString();
    }

    private static final String TO_FILL = "To fill in: ";

    private record Section(int level, String title, List<String> paragraphs, List<String> items) {}

    private static List<Section> sections(IncidentReport i) {
        List<Section> out = new ArrayList<>();
        Decision d = i.decision();
        out.add(new Section(
                1,
                "Post-incident report: " + i.incidentId(),
                List.of(i.title() + ". Severity " + i.severity() + ", opened " + i.openedAt() + ", "
                        + i.recoveredAt().map(r -> "recovered " + r).orElse("not recovered") + "."),
                List.of()));
        List<String> timeline = new ArrayList<>();
        for (TimelineEntry e : IncidentChronology.of(i)) {
            timeline.add(e.at() + " " + e.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": " + e.what());
        }
        out.add(new Section(2, "Timeline", List.of(), timeline));

        List<String> impact = new ArrayList<>();
        i.run().ifPresent(r -> {
            for (ComponentReport c : r.components()) {
                Instant back = r.startedAt().plus(c.recoveryTime());
                impact.add("Downtime of " + c.component() + ": "
                        + MarkdownReportRenderer.human(Duration.between(d.breachBegan(), back))
                        + " (from the breach to its last step; RTO "
                        + MarkdownReportRenderer.human(c.objectives().rto())
                        + " " + c.rto().name().toLowerCase(Locale.ROOT) + ")");
            }
        });
        impact.add("Users affected: "
                + (i.systemRecovery().usersAffected().isPresent()
                        ? Long.toString(i.systemRecovery().usersAffected().getAsLong())
                        : "not reported"));
        impact.add("Records lost: "
                + i.run()
                        .map(RollbackReport::metrics)
                        .filter(m -> m.recordsLost().isPresent())
                        .map(m -> Long.toString(m.recordsLost().getAsLong()))
                        .orElse("not measured"));
        impact.add("Service availability during the incident: "
                + (i.systemRecovery().availability().isPresent()
                        ? HtmlReportRenderer.percent(
                                i.systemRecovery().availability().getAsDouble())
                        : "not measured"));
        out.add(new Section(2, "Impact", List.of(), impact));

        List<String> decisions = new ArrayList<>();
        decisions.add("Rule " + d.rule() + " decided " + d.action() + " (" + d.kind() + ", " + d.severity() + ") at "
                + d.decidedAt() + ": observed " + d.observed() + " " + d.unit() + " against a threshold of "
                + d.threshold() + " (" + d.description() + ")");
        for (SeverityChange c : i.severityChanges()) {
            decisions.add("Severity raised to " + c.to() + " by " + c.by() + " at " + c.at() + ": " + c.why());
        }
        i.run()
                .ifPresent(r -> decisions.add("Run " + r.runId() + " of plan " + r.planName() + " "
                        + (r.authorization().preAuthorized() ? "pre-authorized" : "authorized") + " by policy "
                        + r.authorization().policy() + ": " + r.authorization().explanation() + "; it ended "
                        + r.outcome()));
        out.add(new Section(2, "Decisions and their evidence", List.of(), decisions));

        out.add(new Section(
                2,
                "Root cause investigation",
                List.of(TO_FILL + "what caused the incident, and the evidence."),
                List.of(
                        "Collect and analyze logs from the failed deployment",
                        "Interview team members involved in the deployment",
                        "Review the code changes that caused the issue",
                        "Document the timeline of events (above)")));
        out.add(new Section(
                2,
                "Impact assessment",
                List.of(TO_FILL + "business impact and recovery costs; customer communication needs."),
                List.of(
                        "Calculate downtime duration and affected users (above)",
                        "Assess data integrity and any potential loss",
                        "Evaluate customer impact and communication needs",
                        "Document business impact and recovery costs")));
        out.add(new Section(
                2,
                "Process review",
                List.of(TO_FILL + "what let the issue through, how the rollback went, lessons learned."),
                List.of(
                        "Review deployment procedures and checks",
                        "Identify process gaps that allowed the issue",
                        "Assess effectiveness of rollback procedures",
                        "Document lessons learned")));
        return out;
    }
}
