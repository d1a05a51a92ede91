package dev.rollback.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.Severity;
import dev.rollback.core.escalation.EscalationRole;
import dev.rollback.core.escalation.EscalationTier;
import dev.rollback.core.notification.StakeholderGroup;
import dev.rollback.core.trigger.CustomSignal;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerRule;
import java.io.StringReader;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RollbackConfigurationTest {

    private static RollbackConfiguration yaml(String text) {
        return RollbackConfiguration.fromYaml(new StringReader(text), "test.yaml");
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(RollbackConfigurationTest.class.getResource("/" + name).toURI());
    }

    @Test
    void theShippedFileAndTheCodeGiveTheSameObjects() {
        RollbackConfiguration file = RollbackConfiguration.ofDefaults();
        RollbackConfiguration code = RollbackConfiguration.runbook();

        assertThat(file).usingRecursiveComparison().isEqualTo(code);
        assertThat(file.matrix()).usingRecursiveComparison().isEqualTo(DecisionMatrix.ofDefaults());
        assertThat(file.matrix().rules()).hasSize(10);
        assertThat(file.components())
                .hasSize(13)
                .containsEntry("database", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)));
        assertThat(file.successTargets()).isEqualTo(SuccessTargets.runbook());
    }

    @Test
    void theComparisonSeesOneChangedThreshold() {
        RollbackConfiguration changed = RollbackConfiguration.custom()
                .matrix(DecisionMatrix.from(DecisionMatrix.ofDefaults())
                        .configure(DecisionMatrix.ERROR_RATE, r -> r.above(0.02))
                        .build())
                .build();

        assertThat(changed).usingRecursiveComparison().isNotEqualTo(RollbackConfiguration.ofDefaults());
    }

    @Test
    void aYamlFileAndAPropertiesFileSayingTheSameGiveTheSameObjects() throws Exception {
        RollbackConfiguration yaml = RollbackConfiguration.load(resource("one-rule.yaml"));
        RollbackConfiguration properties = RollbackConfiguration.load(resource("one-rule.properties"));

        assertThat(properties).usingRecursiveComparison().isEqualTo(yaml);
        TriggerRule rule = yaml.matrix().rule("error-rate").orElseThrow();
        assertThat(rule.threshold()).isEqualTo(0.02);
        assertThat(rule.window()).isEqualTo(Duration.ofMinutes(2));
        assertThat(rule.breachesRequired()).isEqualTo(2);
        assertThat(rule.evaluationsConsidered()).isEqualTo(3);
        assertThat(rule.holdTime()).isEqualTo(Duration.ofSeconds(90));
        assertThat(yaml.matrix().name()).isEqualTo("payments");
        assertThat(yaml.components())
                .containsExactly(
                        Map.entry("payments-api", RecoveryObjectives.stateless(Duration.ofMinutes(3))),
                        Map.entry("ledger", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1))));
        assertThat(yaml.escalationContacts().recipients(EscalationRole.ON_CALL_ENGINEER))
                .containsExactly("+1-555-0100", "oncall@example.com");
        StakeholderSettings management = yaml.stakeholders().get(StakeholderGroup.MANAGEMENT);
        assertThat(management.after()).isEqualTo(Duration.ofMinutes(5));
        assertThat(management.contacts()).containsExactly("mgmt@example.com");
        assertThat(management.limit()).as("the runbook's, kept").isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void aSectionLeftOutKeepsTheRunbooksValues() {
        RollbackConfiguration config = yaml("""
                components:
                  checkout: { rto: 4m }
                escalation:
                  tiers:
                    management-escalation: { after: 10m }
                """);

        assertThat(config.matrix()).usingRecursiveComparison().isEqualTo(DecisionMatrix.ofDefaults());
        assertThat(config.components()).containsOnlyKeys("checkout");
        assertThat(config.escalationPolicy().after(EscalationTier.MANAGEMENT_ESCALATION))
                .isEqualTo(Duration.ofMinutes(10));
        assertThat(config.escalationPolicy().after(EscalationTier.EXTERNAL_COMMUNICATIONS))
                .isEqualTo(Duration.ofMinutes(60));
        assertThat(config.escalationPolicy().reachedFrom(EscalationTier.MANAGEMENT_ESCALATION))
                .contains(Severity.SEV1);
        assertThat(config.successTargets()).isEqualTo(SuccessTargets.runbook());
    }

    @Test
    void aThresholdOutOfRangeIsNamedByItsKeyAndValue() {
        assertThatThrownBy(() -> yaml("""
                        matrix:
                          rules:
                            - { name: errors, signal: error-rate, above: 150%, action: application-rollback }
                        """))
                .isInstanceOfSatisfying(ConfigurationException.class, e -> {
                    assertThat(e.key()).isEqualTo("matrix.rules[0].above");
                    assertThat(e.value()).isEqualTo("150%");
                })
                .hasMessageStartingWith("test.yaml: matrix.rules[0].above '150%' is not a ratio from 0 to 1");
    }

    @Test
    void anUnknownKeyIsNamedWithTheKeysThatAreKnown() {
        assertThatThrownBy(() -> yaml("""
                        matrix:
                          rules:
                            - { name: errors, signal: error-rate, above: 1%, sustian: 5m, action: rollback-app }
                        """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("matrix.rules[0].sustian is not a known key of matrix.rules[0]")
                .hasMessageContaining("sustain");
    }

    @Test
    void aMissingRequiredKeyIsNamed() {
        assertThatThrownBy(() -> yaml("""
                        matrix:
                          rules:
                            - { name: errors, signal: error-rate, above: 1% }
                        """))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("test.yaml: matrix.rules[0].action is required");
    }

    @Test
    void badValuesOfEveryKindAreNamedByKeyAndValue() {
        assertThatThrownBy(() -> yaml("components: { db: { rto: 5 minutes } }"))
                .hasMessage("test.yaml: components.db.rto '5 minutes' is not a duration like 90s, 5m, 1h30m, 250ms"
                        + " or PT5M");
        assertThatThrownBy(() -> yaml("components: { db: { rto: 0s } }"))
                .hasMessageStartingWith("test.yaml: components.db '(a section)' is refused: rto must be positive");
        assertThatThrownBy(() -> yaml("stakeholders: { management: { reached-from: SEV7 } }"))
                .hasMessage("test.yaml: stakeholders.management.reached-from 'SEV7' is not one of"
                        + " [sev0, sev1, sev2, sev3]");
        assertThatThrownBy(() -> yaml("stakeholders: { customers: { after: 45m } }"))
                .hasMessageContaining(
                        "stakeholders.customers '(a section)' is refused: after must be below the" + " limit PT30M");
        assertThatThrownBy(() -> yaml("stakeholders: { press: { after: 1m } }"))
                .hasMessageContaining("stakeholders.press")
                .hasMessageContaining("technical-team");
        assertThatThrownBy(() -> yaml("success-metrics: { time-to-detect: { limit: 5m, target: 7m } }"))
                .hasMessageContaining("success-metrics.time-to-detect '(a section)' is refused: the target must be at"
                        + " most the limit PT5M");
        assertThatThrownBy(() -> yaml("success-metrics: { availability: { limit: 99.9%, target: 99% } }"))
                .hasMessageContaining("success-metrics.availability.target '99%' is not at least the limit 0.999");
        assertThatThrownBy(() -> yaml("escalation: { tiers: { external-communications: { after: 5m } } }"))
                .hasMessageContaining("escalation.tiers '(a section)' is refused: after(EXTERNAL_COMMUNICATIONS)"
                        + " must not be before after(MANAGEMENT_ESCALATION)");
        assertThatThrownBy(() -> yaml("escalation: { contacts: { janitor: [x] } }"))
                .hasMessageContaining("escalation.contacts.janitor")
                .hasMessageContaining("on-call-engineer");
        assertThatThrownBy(() -> yaml("""
                        matrix:
                          rules:
                            - { name: a, signal: error-rate, above: 1%, action: x }
                            - { name: a, signal: error-rate, above: 2%, action: x }
                        """))
                .hasMessageContaining("matrix.rules[1] '(a section)' is refused: rule 'a' is already in the matrix");
        assertThatThrownBy(() -> yaml("matrix: { rules: [ { name: a, signal: heat, above: 1, action: x } ] }"))
                .hasMessageContaining(
                        "matrix.rules[0].signal 'heat' is not a built-in signal [error-rate, response-time,");
    }

    @Test
    void aFileWithAnUnknownExtensionOrNotYamlIsRefused(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> RollbackConfiguration.load(dir.resolve("rollback.json")))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("must end in .yaml, .yml or .properties");
        assertThatThrownBy(() -> yaml("matrix: [unclosed"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageStartingWith("test.yaml: not readable");
    }

    @Test
    void responseTimesReadAsDurationsOrSeconds() {
        RollbackConfiguration config = yaml("""
                matrix:
                  rules:
                    - { name: slow, signal: response-time, above: 2500ms, statistic: p99, action: app-rollback }
                    - { name: slower, signal: response-time, above: 5, action: app-rollback }
                """);

        assertThat(config.matrix().rule("slow").orElseThrow().threshold()).isEqualTo(2.5);
        assertThat(config.matrix().rule("slower").orElseThrow().threshold()).isEqualTo(5.0);
    }

    @Test
    void rulesOnTheApplicationsOwnSignalsReadTheirThresholdsInTheSignalsUnit() {
        RollbackConfiguration config = yaml("""
                signals:
                  payment-failures: { kind: rate }
                  checkout-latency: { kind: latency }
                  queue-depth: { kind: gauge, unit: messages }
                  refunds: { kind: rate }
                matrix:
                  rules:
                    - { name: payments, signal: payment-failures, above: 5%, action: application-rollback }
                    - { name: checkout, signal: checkout-latency, above: 1500ms, statistic: p99, action: x }
                    - { name: backlog, signal: queue-depth, above: 10000, window: 30s, action: manual-review }
                """);

        assertThat(config.matrix().rule("payments").orElseThrow().customSignal())
                .contains(CustomSignal.rate("payment-failures"));
        assertThat(config.matrix().rule("payments").orElseThrow().threshold()).isEqualTo(0.05);
        assertThat(config.matrix().rule("checkout").orElseThrow().threshold()).isEqualTo(1.5);
        assertThat(config.matrix().rule("backlog").orElseThrow().unit()).isEqualTo("messages");
        try (var engine = config.triggerEngine().build()) {
            engine.rate("refunds").record(true);
            engine.gauge("queue-depth").record(12000);
            assertThat(engine.evaluate()).extracting(d -> d.rule()).containsExactly("backlog");
        }
        assertThatThrownBy(() -> yaml("""
                        matrix:
                          rules: [ { name: a, signal: payment-failures, above: 1%, action: x } ]
                        """))
                .hasMessageContaining("matrix.rules[0].signal 'payment-failures' is not a built-in signal")
                .hasMessageContaining("or one declared under 'signals' []");
        assertThatThrownBy(() -> yaml("signals: { lag: { kind: rate, unit: seconds } }"))
                .hasMessageContaining("signals.lag.unit 'seconds' is not allowed for a rate");
        assertThatThrownBy(() -> yaml("signals: { lag: { kind: counter } }"))
                .hasMessageContaining("signals.lag.kind 'counter' is not one of [rate, latency, gauge]");
    }
}
