package dev.rollback.core.report;

import dev.rollback.api.Verification;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.SystemRecovery;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Renders a report as one self-contained HTML page (no script, no external asset, no web font):
 * a timeline of every step as a bar against its component's RTO line, with the incident's moments
 * (trigger, decision, authorization, pages, notices) marked above, then the components, steps,
 * verifications, the runbook's success metrics and, for an incident, its system-recovery metrics and
 * its timeline. Readable on a phone: the page reflows, tables scroll sideways, the timeline scales.
 *
 * <p>Every text from the report is HTML-escaped. The timeline's geometry is in the page as data
 * attributes ({@code data-start-ms}, {@code data-end-ms} on each bar, {@code data-span-ms} on the
 * chart) so a browser test can check that each bar sits where the report says. Stateless and
 * thread-safe.
 */
public final class HtmlReportRenderer {
    /** Chart geometry, in SVG user units: the plot spans [PLOT_X, PLOT_X + PLOT_WIDTH]. */
    static final int WIDTH = 1000;

    static final int PLOT_X = 200;
    static final int PLOT_WIDTH = 780;
    private static final int ROW = 26;
    private static final int MARKER_LANE = 34;

    private HtmlReportRenderer() {}

    /** A run's report as a page. */
    public static String render(RollbackReport r) {
        return page(
                "Rollback report: " + r.planName(),
                r,
                IncidentChronology.of(r),
                r.initiator().decision().map(d -> d.breachBegan()).orElse(r.startedAt()),
                Optional.empty());
    }

    /** An incident's report as a page, with its moments on the timeline. */
    public static String render(IncidentReport incident) {
        RollbackReport run = incident.run()
                .orElseThrow(() ->
                        new IllegalArgumentException("incident " + incident.incidentId() + " has no run to render"));
        return page(
                "Incident " + incident.incidentId() + ": " + incident.title(),
                run,
                IncidentChronology.of(incident),
                incident.decision().breachBegan(),
                Optional.of(incident));
    }

    private static String page(
            String title,
            RollbackReport r,
            List<TimelineEntry> moments,
            Instant t0,
            Optional<IncidentReport> incident) {
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>")
                .append(esc(title))
                .append("</title><style>")
                .append(CSS)
                .append("</style></head><body><main>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        summary(h, r, incident);
        h.append("<h2>Timeline</h2>\n");
        chart(h, r, moments, t0);
        components(h, r);
        steps(h, r);
        verifications(h, r, incident);
        metrics(h, r.metrics());
        incident.ifPresent(i -> systemRecovery(h, i.systemRecovery()));
        chronology(h, moments);
        List<String> notes = new ArrayList<>(r.notes());
        incident.ifPresent(i -> notes.addAll(i.notes()));
        if (!notes.isEmpty()) {
            h.append("<h2>Notes</h2>\n<ul>");
            notes.forEach(n -> h.append("<li>").append(esc(n)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("</main></body></html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, RollbackReport r, Optional<IncidentReport> incident) {
        h.append("<dl class=\"summary\">");
        incident.ifPresent(i -> {
            dt(h, "Incident", i.incidentId() + " (" + i.severity() + ")");
            dt(h, "State", i.state().name());
        });
        dt(h, "Run outcome", r.outcome().name() + (r.dryRun() ? " (dry run)" : ""));
        dt(h, "Plan", r.planName());
        dt(h, "Run", r.runId());
        dt(h, "Started by", r.initiator().kind() + " " + r.initiator().principal());
        dt(
                h,
                "Authorization",
                (r.authorization().preAuthorized() ? "pre-authorized" : "approved") + " by policy "
                        + r.authorization().policy());
        dt(h, "Started", r.startedAt().toString());
        dt(h, "Finished", r.finishedAt() + " (" + MarkdownReportRenderer.human(r.duration()) + ")");
        h.append("</dl>\n");
    }

    private static void dt(StringBuilder h, String term, String value) {
        h.append("<dt>")
                .append(esc(term))
                .append("</dt><dd>")
                .append(esc(value))
                .append("</dd>");
    }

    private static void chart(StringBuilder h, RollbackReport r, List<TimelineEntry> moments, Instant t0) {
        Instant end = r.finishedAt();
        for (TimelineEntry m : moments) {
            end = max(end, m.at());
        }
        Map<String, Duration> rtoByComponent = new LinkedHashMap<>();
        for (ComponentReport c : r.components()) {
            rtoByComponent.put(c.component(), c.objectives().rto());
            end = max(end, r.startedAt().plus(c.objectives().rto()));
        }
        long spanMs = Math.max(1, Duration.between(t0, end).toMillis());
        int height = MARKER_LANE + r.steps().size() * ROW + 24;
        h.append("<figure class=\"chart\"><svg id=\"timeline\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(height)
                .append("\" role=\"img\" aria-label=\"timeline of the steps against each component's RTO\"")
                .append(" data-t0=\"")
                .append(t0)
                .append("\" data-span-ms=\"")
                .append(spanMs)
                .append("\">\n");
        h.append("<rect id=\"plot\" x=\"")
                .append(PLOT_X)
                .append("\" y=\"0\" width=\"")
                .append(PLOT_WIDTH)
                .append("\" height=\"")
                .append(height - 20)
                .append("\" class=\"plot\"/>\n");
        for (TimelineEntry m : moments) {
            if (m.kind() == TimelineEntry.Kind.STEP_STARTED || m.kind() == TimelineEntry.Kind.STEP_ENDED) {
                continue;
            }
            double x = x(t0, m.at(), spanMs);
            h.append("<line class=\"marker ")
                    .append(m.kind().name().toLowerCase(Locale.ROOT))
                    .append("\" x1=\"")
                    .append(fmt(x))
                    .append("\" x2=\"")
                    .append(fmt(x))
                    .append("\" y1=\"4\" y2=\"")
                    .append(MARKER_LANE - 6)
                    .append("\" data-at-ms=\"")
                    .append(Duration.between(t0, m.at()).toMillis())
                    .append("\"><title>")
                    .append(esc(m.at() + " " + m.kind() + ": " + m.what()))
                    .append("</title></line>\n");
        }
        int row = 0;
        for (StepReport s : r.steps()) {
            int y = MARKER_LANE + row * ROW;
            h.append("<text class=\"label\" x=\"")
                    .append(PLOT_X - 8)
                    .append("\" y=\"")
                    .append(y + 17)
                    .append("\">")
                    .append(esc(s.stepId()))
                    .append("</text>\n");
            if (s.startedAt().isPresent() && s.finishedAt().isPresent()) {
                long startMs = Duration.between(t0, s.startedAt().get()).toMillis();
                long endMs = Duration.between(t0, s.finishedAt().get()).toMillis();
                double x1 = x(t0, s.startedAt().get(), spanMs);
                double w = Math.max(2, x(t0, s.finishedAt().get(), spanMs) - x1);
                h.append("<rect class=\"bar ")
                        .append(s.outcome().name().toLowerCase(Locale.ROOT))
                        .append("\" x=\"")
                        .append(fmt(x1))
                        .append("\" y=\"")
                        .append(y + 4)
                        .append("\" width=\"")
                        .append(fmt(w))
                        .append("\" height=\"")
                        .append(ROW - 8)
                        .append("\" data-step=\"")
                        .append(esc(s.stepId()))
                        .append("\" data-start-ms=\"")
                        .append(startMs)
                        .append("\" data-end-ms=\"")
                        .append(endMs)
                        .append("\"><title>")
                        .append(esc(
                                s.stepId() + ": " + s.outcome() + " in " + MarkdownReportRenderer.human(s.duration())))
                        .append("</title></rect>\n");
            } else {
                h.append("<text class=\"skipped\" x=\"")
                        .append(PLOT_X + 4)
                        .append("\" y=\"")
                        .append(y + 17)
                        .append("\">")
                        .append(esc(s.outcome().name().toLowerCase(Locale.ROOT)))
                        .append("</text>\n");
            }
            Duration rto = rtoByComponent.get(s.component());
            if (rto != null) {
                double xr = x(t0, r.startedAt().plus(rto), spanMs);
                h.append("<line class=\"rto\" x1=\"")
                        .append(fmt(xr))
                        .append("\" x2=\"")
                        .append(fmt(xr))
                        .append("\" y1=\"")
                        .append(y)
                        .append("\" y2=\"")
                        .append(y + ROW)
                        .append("\" data-component=\"")
                        .append(esc(s.component()))
                        .append("\"><title>")
                        .append(esc("RTO of " + s.component() + ": " + MarkdownReportRenderer.human(rto)))
                        .append("</title></line>\n");
            }
            row++;
        }
        h.append("<text class=\"axis\" x=\"")
                .append(PLOT_X)
                .append("\" y=\"")
                .append(height - 4)
                .append("\">0</text><text class=\"axis end\" x=\"")
                .append(PLOT_X + PLOT_WIDTH)
                .append("\" y=\"")
                .append(height - 4)
                .append("\">")
                .append(esc(MarkdownReportRenderer.human(Duration.ofMillis(spanMs))))
                .append("</text>\n</svg><figcaption>Bars: steps (green succeeded, red failed or timed out, grey")
                .append(" skipped). Dashed: each component's RTO from the run's start. Ticks above: the incident's")
                .append(" moments.</figcaption></figure>\n");
    }

    private static void components(StringBuilder h, RollbackReport r) {
        h.append("<h2>Components</h2>\n<div class=\"scroll\"><table><tr><th>Component</th><th>RTO</th>")
                .append("<th>Recovery</th><th>RTO met</th><th>RPO</th><th>Data-loss window</th><th>RPO met</th></tr>");
        for (ComponentReport c : r.components()) {
            h.append("<tr><td>")
                    .append(esc(c.component()))
                    .append("</td><td>")
                    .append(MarkdownReportRenderer.human(c.objectives().rto()))
                    .append("</td><td>")
                    .append(MarkdownReportRenderer.human(c.recoveryTime()))
                    .append("</td>")
                    .append(status(c.rto()))
                    .append("<td>")
                    .append(MarkdownReportRenderer.human(c.objectives().rpo()))
                    .append("</td><td>")
                    .append(c.dataLossWindow()
                            .map(MarkdownReportRenderer::human)
                            .orElse("not measured"))
                    .append("</td>")
                    .append(status(c.rpo()))
                    .append("</tr>");
        }
        h.append("</table></div>\n");
    }

    private static void steps(StringBuilder h, RollbackReport r) {
        h.append("<h2>Steps</h2>\n<div class=\"scroll\"><table><tr><th>Step</th><th>Component</th><th>Outcome</th>")
                .append("<th>Started</th><th>Finished</th><th>Duration</th><th>Budget</th><th>Attempts</th>")
                .append("<th>Reason</th></tr>");
        for (StepReport s : r.steps()) {
            h.append("<tr><td>")
                    .append(esc(s.stepId()))
                    .append(s.destructive() ? " <small>(destructive)</small>" : "")
                    .append("</td><td>")
                    .append(esc(s.component()))
                    .append("</td><td class=\"")
                    .append(s.outcome() == StepOutcome.SUCCEEDED ? "met" : "missed")
                    .append("\">")
                    .append(s.outcome())
                    .append("</td><td>")
                    .append(s.startedAt().map(Instant::toString).orElse(""))
                    .append("</td><td>")
                    .append(s.finishedAt().map(Instant::toString).orElse(""))
                    .append("</td><td>")
                    .append(MarkdownReportRenderer.human(s.duration()))
                    .append("</td><td>")
                    .append(MarkdownReportRenderer.human(s.budget()))
                    .append("</td><td>")
                    .append(s.attempts().size())
                    .append("</td><td>")
                    .append(esc(s.reason().orElse("")))
                    .append("</td></tr>");
        }
        h.append("</table></div>\n");
        boolean anyEvidence = r.steps().stream().anyMatch(s -> !s.evidence().isEmpty());
        if (anyEvidence) {
            h.append("<h2>Evidence</h2>\n<dl class=\"evidence\">");
            for (StepReport s : r.steps()) {
                if (s.evidence().isEmpty()) {
                    continue;
                }
                h.append("<dt>").append(esc(s.stepId())).append("</dt><dd>");
                s.evidence()
                        .forEach((k, v) ->
                                h.append(esc(k)).append(" = ").append(esc(v)).append("<br>"));
                h.append("</dd>");
            }
            h.append("</dl>\n");
        }
    }

    private static void verifications(StringBuilder h, RollbackReport r, Optional<IncidentReport> incident) {
        h.append("<h2>Verifications</h2>\n<ul class=\"checks\">");
        boolean any = false;
        for (StepReport s : r.steps()) {
            for (Verification v : s.verifications()) {
                verification(h, s.stepId(), v);
                any = true;
            }
        }
        for (Verification v : r.planVerifications()) {
            verification(h, "plan", v);
            any = true;
        }
        if (incident.isPresent()) {
            for (Verification v : incident.get().checks()) {
                verification(h, "post-rollback", v);
                any = true;
            }
        }
        if (!any) {
            h.append("<li>None ran.</li>");
        }
        h.append("</ul>\n");
    }

    private static void verification(StringBuilder h, String where, Verification v) {
        h.append("<li class=\"")
                .append(v.passed() ? "met" : "missed")
                .append("\"><b>")
                .append(v.passed() ? "PASSED" : "FAILED")
                .append("</b> ")
                .append(esc(v.name()))
                .append(" (")
                .append(esc(where))
                .append("): expected ")
                .append(esc(v.checked()))
                .append("; observed ")
                .append(esc(v.observed()))
                .append("</li>");
    }

    private static void metrics(StringBuilder h, SuccessMetrics m) {
        h.append("<h2>Success metrics</h2>\n<div class=\"scroll\"><table><tr><th>Metric</th><th>Value</th>")
                .append("<th>Limit</th><th>Target</th><th>Limit met</th><th>Target met</th></tr>");
        duration(h, "Time to detection", m.timeToDetect(), SuccessMetrics.DETECT_LIMIT, SuccessMetrics.DETECT_TARGET);
        duration(h, "Time to decision", m.timeToDecide(), SuccessMetrics.DECIDE_LIMIT, SuccessMetrics.DECIDE_TARGET);
        duration(h, "Time to execute", m.timeToExecute(), SuccessMetrics.EXECUTE_LIMIT, SuccessMetrics.EXECUTE_TARGET);
        duration(
                h,
                "Total recovery time",
                m.totalRecovery(),
                SuccessMetrics.RECOVERY_LIMIT,
                SuccessMetrics.RECOVERY_TARGET);
        h.append("<tr><td>Records lost</td><td>")
                .append(
                        m.recordsLost().isPresent()
                                ? Long.toString(m.recordsLost().getAsLong())
                                : "unknown")
                .append("</td><td>0</td><td>0</td>")
                .append(status(m.dataLossStatus()))
                .append(status(m.dataLossStatus()))
                .append("</tr>");
        for (NotificationLatency l : m.notifications()) {
            h.append("<tr><td>Told ")
                    .append(esc(l.stakeholder()))
                    .append("</td><td>")
                    .append(l.latency().map(MarkdownReportRenderer::human).orElse("not told"))
                    .append("</td><td>&lt; ")
                    .append(MarkdownReportRenderer.human(l.limit()))
                    .append("</td><td>&lt; ")
                    .append(MarkdownReportRenderer.human(l.target()))
                    .append("</td>")
                    .append(status(l.limitStatus()))
                    .append(status(l.targetStatus()))
                    .append("</tr>");
        }
        h.append("</table></div>\n");
    }

    private static void duration(
            StringBuilder h, String name, Optional<Duration> value, Duration limit, Duration target) {
        h.append("<tr><td>")
                .append(name)
                .append("</td><td>")
                .append(value.map(MarkdownReportRenderer::human).orElse("unknown"))
                .append("</td><td>&lt; ")
                .append(MarkdownReportRenderer.human(limit))
                .append("</td><td>&lt; ")
                .append(MarkdownReportRenderer.human(target))
                .append("</td>")
                .append(status(SuccessMetrics.against(value, limit)))
                .append(status(SuccessMetrics.against(value, target)))
                .append("</tr>");
    }

    private static void systemRecovery(StringBuilder h, SystemRecovery s) {
        h.append("<h2>System recovery</h2>\n<div class=\"scroll\"><table><tr><th>Metric</th><th>Value</th>")
                .append("<th>Limit</th><th>Target</th><th>Limit met</th><th>Target met</th></tr>");
        share(h, "Service availability", s.availability(), "99.9%", "99.95%")
                .append(status(s.availabilityStatus(SystemRecovery.AVAILABILITY_LIMIT)))
                .append(status(s.availabilityStatus(SystemRecovery.AVAILABILITY_TARGET)))
                .append("</tr>");
        share(h, "Performance restoration", s.performanceRestoration(), "100%", "100%")
                .append(status(s.performanceStatus()))
                .append(status(s.performanceStatus()))
                .append("</tr>");
        share(h, "Data integrity", s.dataIntegrity(), "100%", "100%")
                .append(status(s.dataIntegrityStatus()))
                .append(status(s.dataIntegrityStatus()))
                .append("</tr>");
        OptionalLong users = s.usersAffected();
        h.append("<tr><td>Users affected</td><td>")
                .append(users.isPresent() ? Long.toString(users.getAsLong()) : "unknown")
                .append("</td><td>&lt; 1,000</td><td>&lt; 500</td>")
                .append(status(s.usersAffectedStatus(SystemRecovery.USERS_AFFECTED_LIMIT)))
                .append(status(s.usersAffectedStatus(SystemRecovery.USERS_AFFECTED_TARGET)))
                .append("</tr></table></div>\n");
    }

    private static StringBuilder share(
            StringBuilder h, String name, OptionalDouble value, String limit, String target) {
        return h.append("<tr><td>")
                .append(name)
                .append("</td><td>")
                .append(value.isPresent() ? percent(value.getAsDouble()) : "unknown")
                .append("</td><td>")
                .append(limit)
                .append("</td><td>")
                .append(target)
                .append("</td>");
    }

    private static void chronology(StringBuilder h, List<TimelineEntry> moments) {
        h.append("<h2>What happened, in order</h2>\n<ol class=\"chronology\">");
        for (TimelineEntry m : moments) {
            h.append("<li><time>")
                    .append(m.at())
                    .append("</time> <span class=\"kind\">")
                    .append(m.kind().name().toLowerCase(Locale.ROOT).replace('_', ' '))
                    .append("</span> ")
                    .append(esc(m.what()))
                    .append("</li>");
        }
        h.append("</ol>\n");
    }

    static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f%%", share * 100);
    }

    private static String status(TargetStatus s) {
        return switch (s) {
            case MET -> "<td class=\"met\">met</td>";
            case MISSED -> "<td class=\"missed\">missed</td>";
            case UNKNOWN -> "<td class=\"unknown\">unknown</td>";
        };
    }

    private static double x(Instant t0, Instant at, long spanMs) {
        double f = (double) Duration.between(t0, at).toMillis() / spanMs;
        return PLOT_X + Math.max(0, Math.min(1, f)) * PLOT_WIDTH;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /**
     * {@code text} with control characters escaped by the shared rule ({@link SafeText#escape}) and
     * then the five HTML special characters escaped.
     */
    static String esc(String text) {
        String safe = SafeText.escape(text);
        StringBuilder out = new StringBuilder(safe.length() + 16);
        for (int i = 0; i < safe.length(); i++) {
            char c = safe.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static final String CSS = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
            + "margin:0;background:#fafafa;color:#1b1b1b}main{max-width:1100px;margin:0 auto;padding:12px}"
            + "h1{font-size:1.35em;margin:.4em 0}h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}"
            + "dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{font-weight:600}"
            + "dd{margin:0;overflow-wrap:anywhere}.scroll{overflow-x:auto}table{border-collapse:collapse;"
            + "font-size:.92em;min-width:100%}th,td{border:1px solid #ddd;padding:4px 6px;text-align:left;"
            + "vertical-align:top}th{background:#f0f0f0}.met{color:#13652a}.missed{color:#b00020;font-weight:600}"
            + ".unknown{color:#8a6d00}figure.chart{margin:0}svg{width:100%;height:auto;background:#fff;"
            + "border:1px solid #ddd}.plot{fill:#fcfcfc;stroke:#eee}.bar{stroke:none}.bar.succeeded{fill:#2e9b4f}"
            + ".bar.failed,.bar.timed_out,.bar.aborted{fill:#c62828}.bar.skipped{fill:#9e9e9e}"
            + ".rto{stroke:#6a1b9a;stroke-width:2;stroke-dasharray:4 3}.marker{stroke-width:3}"
            + ".marker.breach{stroke:#b00020}.marker.decision{stroke:#e65100}.marker.authorization{stroke:#1565c0}"
            + ".marker.escalation{stroke:#6d4c41}.marker.notification{stroke:#00838f}.marker.recovered{stroke:#2e7d32}"
            + ".marker.severity_change{stroke:#ad1457}.label{font-size:12px;text-anchor:end}.skipped{font-size:11px;"
            + "fill:#777}.axis{font-size:11px;fill:#555}.axis.end{text-anchor:end}figcaption{font-size:.85em;"
            + "color:#555}ul.checks li.missed{list-style:square}ol.chronology{padding-left:1.4em}"
            + "ol.chronology time{font-family:ui-monospace,monospace;font-size:.85em;color:#555}"
            + ".kind{font-weight:600}@media (max-width:600px){body{font-size:14px}dl.summary{grid-template-columns:1fr}}";
}
