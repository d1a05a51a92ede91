package dev.rollback.core.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.api.Decision;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Initiator;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.report.Abort;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.NotificationLatency;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.SuccessMetrics;
import dev.rollback.api.report.TargetStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Reads a report back from the JSON {@link JsonReportRenderer} wrote (schema version
 * {@value JsonReportRenderer#SCHEMA_VERSION}, {@code docs/report-schema.md}), so a report kept as JSON
 * can be rendered again as Markdown or HTML. Fields it does not know are ignored, as the schema
 * asks of readers; the judgements the JSON repeats (statuses, {@code withinBudget}, the limits) are
 * recomputed from the values, not read. Rendering what it read gives the same JSON back.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonReportReader {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS);

    private JsonReportReader() {}

    /**
     * The report in {@code json}.
     *
     * @throws RollbackException with {@link ErrorCode#INVALID_CONFIGURATION} naming the field when the
     *     text is not JSON, has another schema version, or misses or mistypes a field
     */
    public static RollbackReport read(String json) {
        Objects.requireNonNull(json, "json");
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid("the text is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw invalid("the document is not a JSON object");
        }
        Node r = new Node("", root);
        long version = r.get("schemaVersion").number();
        if (version != JsonReportRenderer.SCHEMA_VERSION) {
            throw invalid(
                    "schemaVersion is " + version + "; this version reads schema " + JsonReportRenderer.SCHEMA_VERSION);
        }
        String plan = r.get("plan").text();
        return new RollbackReport(
                r.get("runId").text(),
                plan,
                r.get("outcome").constant(RunOutcome.class),
                r.get("dryRun").bool(),
                initiator(r.get("initiator")),
                authorization(r.get("authorization"), plan),
                r.get("startedAt").instant(),
                r.get("finishedAt").instant(),
                r.get("duration").duration(),
                r.get("steps").list(JsonReportReader::step),
                r.get("components").list(JsonReportReader::component),
                r.get("planVerifications").list(JsonReportReader::verification),
                r.get("abort")
                        .optional(a -> new Abort(
                                a.get("who").text(),
                                a.get("reason").text(),
                                a.get("at").instant())),
                metrics(r.get("metrics")),
                r.get("notes").list(Node::text));
    }

    private static Initiator initiator(Node n) {
        Optional<Decision> decision = n.get("decision")
                .optional(d -> new Decision(
                        d.get("action").text(),
                        d.get("kind").constant(Decision.Kind.class),
                        d.get("severity").constant(Severity.class),
                        d.get("rule").text(),
                        d.get("observed").decimal(),
                        d.get("threshold").decimal(),
                        d.get("unit").text(),
                        d.get("description").text(),
                        d.get("breachBegan").instant(),
                        d.get("decidedAt").instant()));
        return new Initiator(
                n.get("kind").constant(Initiator.Kind.class), n.get("principal").text(), decision);
    }

    private static Authorization authorization(Node n, String plan) {
        return new Authorization(
                n.get("granted").bool(),
                n.get("preAuthorized").bool(),
                n.get("policy").text(),
                n.get("approvals")
                        .list(a -> new Approval(
                                a.get("person").text(),
                                a.get("role").text(),
                                plan,
                                a.get("planDigest").text(),
                                a.get("givenAt").instant(),
                                a.get("reason").text())),
                n.get("missingRoles").list(Node::text),
                n.get("explanation").text(),
                n.get("decidedAt").instant());
    }

    private static StepReport step(Node n) {
        return new StepReport(
                n.get("id").text(),
                n.get("component").text(),
                n.get("dependsOn").list(Node::text),
                n.get("destructive").bool(),
                n.get("outcome").constant(StepOutcome.class),
                n.get("startedAt").optional(Node::instant),
                n.get("finishedAt").optional(Node::instant),
                n.get("duration").duration(),
                n.get("budget").duration(),
                n.get("attempts")
                        .list(a -> new Attempt(
                                (int) a.get("number").number(),
                                a.get("startedAt").instant(),
                                a.get("duration").duration(),
                                a.get("outcome").constant(StepOutcome.class),
                                a.get("failure").optional(Node::text))),
                n.get("verifications").list(JsonReportReader::verification),
                n.get("evidence").strings(),
                n.get("reason").optional(Node::text),
                n.get("withoutSafeguard").optional(Node::text));
    }

    private static ComponentReport component(Node n) {
        return new ComponentReport(
                n.get("component").text(),
                RecoveryObjectives.of(
                        n.get("rtoTarget").duration(), n.get("rpoTarget").duration()),
                n.get("recoveryTime").duration(),
                n.get("rto").constant(TargetStatus.class),
                n.get("dataLossWindow").optional(Node::duration),
                n.get("rpo").constant(TargetStatus.class));
    }

    private static Verification verification(Node n) {
        return new Verification(
                n.get("name").text(),
                n.get("passed").bool(),
                n.get("checked").text(),
                n.get("observed").text(),
                n.get("details").strings());
    }

    private static SuccessMetrics metrics(Node n) {
        Optional<Long> lost = n.get("recordsLost").get("value").optional(Node::number);
        return new SuccessMetrics(
                n.get("timeToDetect").get("value").optional(Node::duration),
                n.get("timeToDecide").get("value").optional(Node::duration),
                n.get("timeToExecute").get("value").optional(Node::duration),
                n.get("totalRecovery").get("value").optional(Node::duration),
                lost.map(OptionalLong::of).orElse(OptionalLong.empty()),
                n.get("notifications")
                        .list(l -> new NotificationLatency(
                                l.get("stakeholder").text(),
                                l.get("latency").optional(Node::duration),
                                l.get("limit").duration(),
                                l.get("target").duration())));
    }

    private static RollbackException invalid(String why) {
        return new RollbackException(ErrorCode.INVALID_CONFIGURATION, "not a rollback report: " + why);
    }

    /** A field of the document with its path, for errors that name it. */
    private record Node(String path, JsonNode node) {

        Node get(String field) {
            JsonNode child = node.get(field);
            String childPath = path.isEmpty() ? field : path + "." + field;
            if (child == null) {
                throw invalid("field " + childPath + " is missing");
            }
            return new Node(childPath, child);
        }

        String text() {
            if (!node.isTextual()) {
                throw invalid("field " + path + " is not a string");
            }
            return node.asText();
        }

        boolean bool() {
            if (!node.isBoolean()) {
                throw invalid("field " + path + " is not true or false");
            }
            return node.asBoolean();
        }

        long number() {
            if (!node.canConvertToExactIntegral()) {
                throw invalid("field " + path + " is not a whole number");
            }
            return node.asLong();
        }

        double decimal() {
            if (!node.isNumber()) {
                throw invalid("field " + path + " is not a number");
            }
            return node.asDouble();
        }

        Instant instant() {
            try {
                return Instant.parse(text());
            } catch (DateTimeParseException e) {
                throw invalid("field " + path + " is not an ISO-8601 instant: '" + node.asText() + "'");
            }
        }

        Duration duration() {
            try {
                return Duration.parse(text());
            } catch (DateTimeParseException e) {
                throw invalid("field " + path + " is not an ISO-8601 duration: '" + node.asText() + "'");
            }
        }

        <E extends Enum<E>> E constant(Class<E> type) {
            String name = text();
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                throw invalid("field " + path + " is not a " + type.getSimpleName() + ": '" + name + "'");
            }
        }

        <T> Optional<T> optional(Function<Node, T> read) {
            return node.isNull() ? Optional.empty() : Optional.of(read.apply(this));
        }

        <T> List<T> list(Function<Node, T> read) {
            if (!node.isArray()) {
                throw invalid("field " + path + " is not an array");
            }
            List<T> out = new ArrayList<>(node.size());
            for (int i = 0; i < node.size(); i++) {
                out.add(read.apply(new Node(path + "[" + i + "]", node.get(i))));
            }
            return out;
        }

        Map<String, String> strings() {
            if (!node.isObject()) {
                throw invalid("field " + path + " is not an object");
            }
            Map<String, String> out = new LinkedHashMap<>();
            node.fields()
                    .forEachRemaining(e -> out.put(e.getKey(), new Node(path + "." + e.getKey(), e.getValue()).text()));
            return out;
        }
    }
}
