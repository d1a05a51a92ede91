package dev.rollback.core.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Renders a report as JSON, schema version {@value #SCHEMA_VERSION} (documented in
 * {@code docs/report-schema.md}): fields are written in a fixed order, instants as ISO-8601 UTC
 * strings, durations as ISO-8601 durations plus milliseconds, absent values as {@code null}. A
 * field is never renamed or removed within a schema version; new fields may be added. Control
 * characters in every text (a line break in a reason, an escape sequence in a principal) are
 * written as visible escapes ({@code \\n}, {@code \\u001b}) by the library's one escaping rule.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonReportRenderer {
    /** The schema version written in every document's {@code schemaVersion}. */
    public static final int SCHEMA_VERSION = 1;

    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReportRenderer() {}

    /** The report as a JSON document. */
    public static String render(RollbackReport report) {
        try {
            return MAPPER.writeValueAsString(tree(report));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The report as a Jackson tree, for callers that embed it in their own documents. */
    public static ObjectNode tree(RollbackReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("runId", r.runId());
        root.put("plan", r.planName());
        root.put("outcome", r.outcome().name());
        root.put("dryRun", r.dryRun());
        ObjectNode initiator = root.putObject("initiator");
        initiator.put("kind", r.initiator().kind().name());
        initiator.put("principal", r.initiator().principal());
        r.initiator()
                .decision()
                .ifPresentOrElse(
                        d -> {
                            ObjectNode dn = initiator.putObject("decision");
                            dn.put("action", d.action());
                            dn.put("kind", d.kind().name());
                            dn.put("severity", d.severity().name());
                            dn.put("rule", d.rule());
                            dn.put("observed", d.observed());
                            dn.put("threshold", d.threshold());
                            dn.put("unit", d.unit());
                            dn.put("description", d.description());
                            dn.put("breachBegan", d.breachBegan().toString());
                            dn.put("decidedAt", d.decidedAt().toString());
                        },
                        () -> initiator.putNull("decision"));
        authorization(root.putObject("authorization"), r.authorization());
        root.put("startedAt", r.startedAt().toString());
        root.put("finishedAt", r.finishedAt().toString());
        duration(root, "duration", Optional.of(r.duration()));
        ArrayNode steps = root.putArray("steps");
        r.steps().forEach(s -> step(steps.addObject(), s));
        ArrayNode components = root.putArray("components");
        r.components().forEach(c -> component(components.addObject(), c));
        ArrayNode verifications = root.putArray("planVerifications");
        r.planVerifications().forEach(v -> verification(verifications.addObject(), v));
        r.abort()
                .ifPresentOrElse(
                        a -> {
                            ObjectNode an = root.putObject("abort");
                            an.put("who", a.who());
                            an.put("reason", a.reason());
                            an.put("at", a.at().toString());
                        },
                        () -> root.putNull("abort"));
        metrics(root.putObject("metrics"), r.metrics());
        ArrayNode notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        escapeTexts(root);
        return root;
    }

    /**
     * Escapes, in place, the control characters of every text value and every field name under
     * {@code node} by the shared rule ({@link SafeText#escape}): JSON itself would carry a line
     * break safely, but a reader that prints a field (a principal, a reason, evidence) must not be
     * able to forge a line with it.
     */
    private static void escapeTexts(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Map<String, JsonNode> fields = new LinkedHashMap<>();
            object.fields().forEachRemaining(e -> fields.put(SafeText.escape(e.getKey()), e.getValue()));
            object.removeAll();
            fields.forEach((key, value) -> {
                escapeTexts(value);
                object.set(key, value.isTextual() ? TextNode.valueOf(SafeText.escape(value.asText())) : value);
            });
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                JsonNode value = array.get(i);
                escapeTexts(value);
                if (value.isTextual()) {
                    array.set(i, TextNode.valueOf(SafeText.escape(value.asText())));
                }
            }
        }
    }

    private static void authorization(ObjectNode n, Authorization a) {
        n.put("granted", a.granted());
        n.put("preAuthorized", a.preAuthorized());
        n.put("policy", a.policy());
        n.put("explanation", a.explanation());
        n.put("decidedAt", a.decidedAt().toString());
        ArrayNode approvals = n.putArray("approvals");
        for (Approval ap : a.approvals()) {
            ObjectNode an = approvals.addObject();
            an.put("person", ap.person());
            an.put("role", ap.role());
            an.put("planDigest", ap.planDigest());
            an.put("givenAt", ap.givenAt().toString());
            an.put("reason", ap.reason());
        }
        ArrayNode missing = n.putArray("missingRoles");
        a.missingRoles().forEach(missing::add);
    }

    private static void step(ObjectNode n, StepReport s) {
        n.put("id", s.stepId());
        n.put("component", s.component());
        ArrayNode deps = n.putArray("dependsOn");
        s.dependsOn().forEach(deps::add);
        n.put("destructive", s.destructive());
        n.put("outcome", s.outcome().name());
        optionalText(n, "startedAt", s.startedAt().map(Object::toString));
        optionalText(n, "finishedAt", s.finishedAt().map(Object::toString));
        duration(n, "duration", Optional.of(s.duration()));
        duration(n, "budget", Optional.of(s.budget()));
        n.put("withinBudget", s.withinBudget());
        ArrayNode attempts = n.putArray("attempts");
        for (Attempt a : s.attempts()) {
            ObjectNode an = attempts.addObject();
            an.put("number", a.number());
            an.put("startedAt", a.startedAt().toString());
            duration(an, "duration", Optional.of(a.duration()));
            an.put("outcome", a.outcome().name());
            optionalText(an, "failure", a.failure());
        }
        ArrayNode verifications = n.putArray("verifications");
        s.verifications().forEach(v -> verification(verifications.addObject(), v));
        ObjectNode evidence = n.putObject("evidence");
        s.evidence().forEach(evidence::put);
        optionalText(n, "reason", s.reason());
        optionalText(n, "withoutSafeguard", s.withoutSafeguard());
    }

    private static void component(ObjectNode n, ComponentReport c) {
        n.put("component", c.component());
        duration(n, "rtoTarget", Optional.of(c.objectives().rto()));
        duration(n, "recoveryTime", Optional.of(c.recoveryTime()));
        n.put("rto", c.rto().name());
        duration(n, "rpoTarget", Optional.of(c.objectives().rpo()));
        duration(n, "dataLossWindow", c.dataLossWindow());
        n.put("rpo", c.rpo().name());
    }

    private static void verification(ObjectNode n, Verification v) {
        n.put("name", v.name());
        n.put("passed", v.passed());
        n.put("checked", v.checked());
        n.put("observed", v.observed());
        ObjectNode details = n.putObject("details");
        for (Map.Entry<String, String> e : v.details().entrySet()) {
            details.put(e.getKey(), e.getValue());
        }
    }

    private static void metrics(ObjectNode n, SuccessMetrics m) {
        metric(
                n.putObject("timeToDetect"),
                m.timeToDetect(),
                SuccessMetrics.DETECT_LIMIT,
                SuccessMetrics.DETECT_TARGET);
        metric(
                n.putObject("timeToDecide"),
                m.timeToDecide(),
                SuccessMetrics.DECIDE_LIMIT,
                SuccessMetrics.DECIDE_TARGET);
        metric(
                n.putObject("timeToExecute"),
                m.timeToExecute(),
                SuccessMetrics.EXECUTE_LIMIT,
                SuccessMetrics.EXECUTE_TARGET);
        metric(
                n.putObject("totalRecovery"),
                m.totalRecovery(),
                SuccessMetrics.RECOVERY_LIMIT,
                SuccessMetrics.RECOVERY_TARGET);
        ObjectNode lost = n.putObject("recordsLost");
        if (m.recordsLost().isPresent()) {
            lost.put("value", m.recordsLost().getAsLong());
        } else {
            lost.putNull("value");
        }
        lost.put("limit", 0);
        lost.put("target", 0);
        lost.put("status", m.dataLossStatus().name());
        ArrayNode notifications = n.putArray("notifications");
        for (NotificationLatency l : m.notifications()) {
            ObjectNode ln = notifications.addObject();
            ln.put("stakeholder", l.stakeholder());
            duration(ln, "latency", l.latency());
            duration(ln, "limit", Optional.of(l.limit()));
            duration(ln, "target", Optional.of(l.target()));
            ln.put("limitStatus", l.limitStatus().name());
            ln.put("targetStatus", l.targetStatus().name());
        }
    }

    private static void metric(ObjectNode n, Optional<Duration> value, Duration limit, Duration target) {
        duration(n, "value", value);
        duration(n, "limit", Optional.of(limit));
        duration(n, "target", Optional.of(target));
        n.put("limitStatus", SuccessMetrics.against(value, limit).name());
        n.put("targetStatus", SuccessMetrics.against(value, target).name());
    }

    private static void duration(ObjectNode n, String field, Optional<Duration> d) {
        if (d.isPresent()) {
            n.put(field, d.get().toString());
            n.put(field + "Millis", d.get().toMillis());
        } else {
            n.putNull(field);
            n.putNull(field + "Millis");
        }
    }

    private static void optionalText(ObjectNode n, String field, Optional<String> value) {
        if (value.isPresent()) {
            n.put(field, value.get());
        } else {
            n.putNull(field);
        }
    }
}
