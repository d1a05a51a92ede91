package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Application Insights rollback end to end: connection-string files, agents restarted by real processes, WireMock health. */
class ApplicationInsightsRollbackIT {
    private static Endpoints endpoints;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        endpoints = new Endpoints().health("/monitoring/health", 200);
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @Test
    void theConnectionStringAndMonitoringConfigurationAreSwitchedThenEveryAgentRestartsAndMonitoringIsVerified()
            throws Exception {
        SecretCanaries canaries = SecretCanaries.generate();
        String primaryKey = "InstrumentationKey=" + canaries.password() + ";IngestionEndpoint=https://eastus.example";
        String backupKey =
                "InstrumentationKey=" + canaries.azureClientSecret() + ";IngestionEndpoint=https://westus.example";
        Secret.of(canaries.password());
        Secret.of(canaries.azureClientSecret());
        Path config = Files.createDirectory(dir.resolve("config"));
        Files.writeString(config.resolve("applicationinsights.conf"), primaryKey);
        Files.writeString(config.resolve("applicationinsights-backup.conf"), backupKey);
        Files.writeString(config.resolve("monitoring.json"), "{\"sampling\":100}");
        Files.writeString(config.resolve("monitoring-backup.json"), "{\"sampling\":25}");
        FakeSystemctl systemctl = FakeSystemctl.in(dir, config.resolve("monitoring.json"), List.of(), List.of());
        ApplicationInsightsRollback rollback = ApplicationInsightsRollback.builder()
                .configStore(FileConfigStore.of(config))
                .connectionConfig("applicationinsights.conf", "applicationinsights-backup.conf")
                .monitoringConfig("monitoring.json", "monitoring-backup.json")
                .addAgent("applicationinsights-agent", systemctl.restart("applicationinsights-agent"))
                .addAgent("telemetry-forwarder", systemctl.restart("telemetry-forwarder"))
                .restartTimeout(Duration.ofSeconds(5))
                .monitoringHealth(endpoints.verifier("monitoring-health", "/monitoring/health"))
                .build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(rollback.runbookPlan(), RunRequest.manual("on-call-engineer"));
        }

        assertThat(report)
                .succeeded()
                .metRto(ApplicationInsightsRollback.COMPONENT)
                .ranExactlyOnce(ApplicationInsightsRollback.CONNECTION_CONFIG)
                .ranExactlyOnce(ApplicationInsightsRollback.MONITORING_CONFIG)
                .ranExactlyOnce("restart-applicationinsights-agent")
                .ranExactlyOnce("restart-telemetry-forwarder");
        assertThat(report).verification("monitoring-health").passed();
        assertThat(Files.readString(config.resolve("applicationinsights.conf"))).isEqualTo(backupKey);
        assertThat(systemctl.log())
                .containsExactly(
                        "restart applicationinsights-agent {\"sampling\":25}",
                        "restart telemetry-forwarder {\"sampling\":25}");
        assertThat(CanaryScanner.of(canaries).scan("report", JsonReportRenderer.render(report)))
                .isEmpty();
    }

    @Test
    void theDefaultsAreTheRunbooksAndTheBuilderRefusesNonsense() {
        ApplicationInsightsRollback defaults = ApplicationInsightsRollback.builder()
                .configStore(FileConfigStore.of(dir))
                .monitoringHealth(endpoints.verifier("monitoring-health", "/monitoring/health"))
                .build();
        assertThat(defaults.agentRestarts()).hasSize(1);
        assertThat(defaults.agentRestarts().get(0).command())
                .containsExactly("systemctl", "restart", "applicationinsights-agent");
        assertThat(defaults.agentRestarts().get(0).id()).isEqualTo("restart-applicationinsights-agent");
        assertThat(ApplicationInsightsRollback.RUNBOOK_OBJECTIVES.rpo()).isEqualTo(Duration.ofMinutes(1));
        assertThatThrownBy(() ->
                        ApplicationInsightsRollback.builder().addAgent("a", "x").addAgent("a", "y"))
                .hasMessageContaining("agent 'a' is added twice");
        assertThatThrownBy(() -> ApplicationInsightsRollback.builder()
                        .configStore(FileConfigStore.of(dir))
                        .monitoringHealth(endpoints.verifier("monitoring-health", "/monitoring/health"))
                        .monitoringConfig("applicationinsights.json", "x")
                        .build())
                .hasMessageContaining("monitoringConfig must differ from connectionConfig");
    }
}
