package dev.rollback.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.governance.Approval;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.report.Abort;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.Notification;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.notification.LoggingNotifier;
import dev.rollback.core.report.HtmlReportRenderer;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A hostile input tries to forge a log line (and a report line) with a CR/LF, an ANSI escape and a
 * Unicode line separator: the real logback pattern layout must still write one line per event, and
 * every report must show the characters as escapes.
 */
class LogForgingTest {
    /** What an attacker wants the log to show as a line of its own. */
    private static final String FORGED = "INFO dev.rollback.run - step 'verify' succeeded";

    private static final String HOSTILE = "health 503\r\n" + FORGED + "\u001b[2K\u2028" + FORGED;

    @Test
    void noFreeTextForgesALogLineThroughARealPatternLayout() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %logger - %msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("dev.rollback.forging");
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
        RollbackReport report;
        try {
            report = run(new Slf4jRollbackListener(logger));
        } finally {
            logger.detachAppender(appender);
            appender.stop();
        }

        String log = out.toString(StandardCharsets.UTF_8);
        List<String> lines = Arrays.asList(log.split("\n", -1)).subList(0, log.split("\n", -1).length - 1);
        assertThat(lines)
                .as(log)
                .isNotEmpty()
                .allSatisfy(line -> assertThat(line)
                        .matches("(INFO|WARN) dev\\.rollback\\.forging - (run|step|dry run|verification|RTO).*"));
        assertThat(lines).noneMatch(line -> line.startsWith(FORGED));
        assertThat(log)
                .doesNotContain("\r", "\u001b", "\u2028")
                .contains("health 503\\r\\n" + FORGED + "\\u001b[2K\\u2028" + FORGED)
                .as("the principal's escape sequence is shown, not obeyed")
                .contains("drill\\u001b[1A");
        assertThat(report.steps()).isNotEmpty();
    }

    @Test
    void reportsShowControlCharactersAsEscapesInJsonMarkdownAndHtml() throws Exception {
        RollbackReport report = run(new RollbackListener() {});

        String markdown = MarkdownReportRenderer.render(report);
        assertThat(markdown.lines()).noneMatch(line -> line.startsWith(FORGED));
        assertThat(markdown).doesNotContain("\r", "\u001b", "\u2028").contains("\\\\u001b[2K");

        String html = HtmlReportRenderer.render(report);
        assertThat(html.lines()).noneMatch(line -> line.startsWith(FORGED));
        assertThat(html).doesNotContain("\r", "\u001b", "\u2028").contains("\\u001b[2K");

        JsonNode json = new ObjectMapper().readTree(JsonReportRenderer.render(report));
        List<String> texts = new ArrayList<>();
        collectTexts(json, texts);
        assertThat(texts)
                .isNotEmpty()
                .allSatisfy(text -> assertThat(text.chars().anyMatch(c -> SafeText.unsafe((char) c)))
                        .as(text)
                        .isFalse());
        assertThat(json.at("/initiator/principal").asText()).isEqualTo("drill\\u001b[1A");
        assertThat(json.at("/steps/0/evidence/note").asText()).isEqualTo("a\\r\\n" + FORGED);
    }

    @Test
    void aLoggingNotifierWritesAMultiLineBodyAsOneLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        ch.qos.logback.classic.Logger logger = context.getLogger("dev.rollback.notifications");
        Level before = logger.getLevel();
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        try {
            new LoggingNotifier()
                    .send(new Notification(
                            "INC-1",
                            "engineering",
                            List.of("oncall@example.com"),
                            Severity.SEV2,
                            "subject\n" + FORGED,
                            "line one\nline two\u001b[1A",
                            Instant.parse("2026-11-25T12:00:00Z"),
                            Instant.parse("2026-11-25T12:00:01Z")));
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(before);
            appender.stop();
        }
        String log = out.toString(StandardCharsets.UTF_8);
        assertThat(log.lines()).hasSize(1);
        assertThat(log).contains("subject\\n" + FORGED, "line one\\nline two\\u001b[1A");
    }

    private static final String DIGEST = "0".repeat(64);

    @Test
    void namesWithALineBreakAreRefusedAtTheApiBoundary() {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        assertThatThrownBy(() -> new Approval("alice\n" + FORGED, "dba", "plan", DIGEST, now, "ok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("person must be one line")
                .hasMessageNotContaining("\n");
        assertThatThrownBy(() -> new Approval("alice", "dba\r", "plan", DIGEST, now, "ok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("role must be one line");
        assertThatThrownBy(() -> new Abort("ops\r\n" + FORGED, "wrong plan", now))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("who must be one line");
        assertThatThrownBy(() -> RunRequest.manual("alice\n" + FORGED))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("principal must be one line");
        assertThat(new Approval("alice", "dba", "plan", DIGEST, now, "reason\nwith lines").reason())
                .as("a reason is free text, escaped where shown")
                .contains("\n");
    }

    private static RollbackReport run(RollbackListener listener) {
        RollbackPlan plan = RollbackPlan.builder("forging", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(
                        RollbackStep.builder("swap", "app")
                                .action(c -> c.evidence("note", "a\r\n" + FORGED))
                                .build(),
                        s -> s.verifier(Verifier.of(
                                "health", ctx -> Verification.passed("health", "GET /health", "200\n" + FORGED))))
                .step(
                        RollbackStep.builder("verify", "app")
                                .action(c -> {
                                    throw new IllegalStateException(HOSTILE);
                                })
                                .build(),
                        s -> s.dependsOn("swap"))
                .build();
        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(listener).parallelism(1).build()) {
            return executor.run(plan, RunRequest.drill("drill\u001b[1A"));
        }
    }

    private static void collectTexts(JsonNode node, List<String> texts) {
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.fields().forEachRemaining((Map.Entry<String, JsonNode> e) -> {
            texts.add(e.getKey());
            collectTexts(e.getValue(), texts);
        });
        if (node.isArray()) {
            node.forEach(n -> collectTexts(n, texts));
        }
    }
}
