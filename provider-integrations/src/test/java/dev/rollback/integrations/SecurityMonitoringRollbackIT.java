package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The security monitoring rollback end to end: a real config folder, restarts by real processes, health on WireMock. */
class SecurityMonitoringRollbackIT {
    private static final String PRIMARY = "{\"alerts\":\"primary-siem\"}";
    private static final String BACKUP = "{\"alerts\":\"backup-siem\"}";
    private static Endpoints endpoints;

    @TempDir
    Path dir;

    private Path config;

    @BeforeAll
    static void start() {
        endpoints = new Endpoints().health("/security/health", 200).health("/security/down", 503);
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @BeforeEach
    void files() throws Exception {
        config = Files.createDirectory(dir.resolve("config"));
        Files.writeString(config.resolve("monitoring.json"), PRIMARY);
        Files.writeString(config.resolve("monitoring-backup.json"), BACKUP);
    }

    private SecurityMonitoringRollback.Builder rollback(FakeSystemctl systemctl, String health) {
        return SecurityMonitoringRollback.builder()
                .configStore(FileConfigStore.of(config))
                .securityMonitorRestart(systemctl.restart("security-monitor"))
                .auditLoggerRestart(systemctl.restart("audit-logger"))
                .restartTimeout(Duration.ofSeconds(2))
                .securityHealth(endpoints.verifier("security-health", health));
    }

    private static RollbackReport run(SecurityMonitoringRollback rollback) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(rollback.runbookPlan(), RunRequest.manual("security-officer"));
        }
    }

    @Test
    void theBackupConfigurationIsInPlaceBeforeBothServicesRestartAndTheControlsAreVerified() throws Exception {
        FakeSystemctl systemctl = FakeSystemctl.in(dir, config.resolve("monitoring.json"), List.of(), List.of());

        RollbackReport report = run(rollback(systemctl, "/security/health").build());

        assertThat(report)
                .succeeded()
                .metRto(SecurityMonitoringRollback.COMPONENT)
                .ranExactlyOnce(SecurityMonitoringRollback.MONITORING_CONFIG)
                .ranExactlyOnce(SecurityMonitoringRollback.RESTART_SECURITY_MONITOR)
                .ranExactlyOnce(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER);
        assertThat(report).verification("security-health").passed();
        assertThat(systemctl.log())
                .containsExactly("restart security-monitor " + BACKUP, "restart audit-logger " + BACKUP);
        assertThat(Files.readString(config.resolve("monitoring.json"))).isEqualTo(BACKUP);
        assertThat(Files.readString(config.resolve(".monitoring.json.previous")))
                .isEqualTo(PRIMARY);
        assertThat(report.step(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER)
                        .orElseThrow()
                        .evidence())
                .containsEntry(ServiceRestartStep.EXIT_CODE, "0");
    }

    @Test
    void aRestartThatFailsStopsTheRestAndSaysWhichCommandAndStatus() throws Exception {
        FakeSystemctl systemctl =
                FakeSystemctl.in(dir, config.resolve("monitoring.json"), List.of("security-monitor"), List.of());

        RollbackReport report = run(rollback(systemctl, "/security/health").build());

        assertThat(report)
                .hasOutcome(RunOutcome.PARTIAL)
                .stepHasOutcome(SecurityMonitoringRollback.MONITORING_CONFIG, StepOutcome.SUCCEEDED)
                .stepHasOutcome(SecurityMonitoringRollback.RESTART_SECURITY_MONITOR, StepOutcome.FAILED)
                .ranExactlyOnce(SecurityMonitoringRollback.RESTART_SECURITY_MONITOR)
                .skipped(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER, "");
        assertThat(report.step(SecurityMonitoringRollback.RESTART_SECURITY_MONITOR)
                        .orElseThrow()
                        .reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("restart security-monitor' exited with status 1")
                        .contains("Job for security-monitor.service failed"));
        assertThat(systemctl.log()).isEmpty();
    }

    @Test
    void aRestartThatHangsIsKilledAtItsTimeoutInsideTheBudget() throws Exception {
        FakeSystemctl systemctl =
                FakeSystemctl.in(dir, config.resolve("monitoring.json"), List.of(), List.of("audit-logger"));

        RollbackReport report = run(rollback(systemctl, "/security/health").build());

        assertThat(report).hasOutcome(RunOutcome.PARTIAL);
        assertThat(report.step(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER)
                        .orElseThrow()
                        .reason())
                .hasValueSatisfying(r ->
                        assertThat(r).contains("did not finish within PT2S").contains("were killed"));
        assertThat(report.step(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER)
                        .orElseThrow()
                        .evidence())
                .containsEntry(ServiceRestartStep.EXIT_CODE, "killed");
        assertThat(systemctl.log()).containsExactly("restart security-monitor " + BACKUP);
        assertThat(report).ranExactlyOnce(SecurityMonitoringRollback.RESTART_AUDIT_LOGGER);
    }

    @Test
    void unhealthyControlsAfterTheRestartsFailTheRollback() throws Exception {
        FakeSystemctl systemctl = FakeSystemctl.in(dir, config.resolve("monitoring.json"), List.of(), List.of());

        RollbackReport report = run(rollback(systemctl, "/security/down").build());

        assertThat(report).hasOutcome(RunOutcome.PARTIAL);
        assertThat(report).verification("security-health").failed();
    }

    @Test
    void theBuilderRefusesBadCommandsAndTimeoutsBeyondTheBudget() {
        assertThatThrownBy(() -> SecurityMonitoringRollback.builder().auditLoggerRestart("systemctl", "restart", ""))
                .hasMessageContaining("command argument 2 must be one non-empty line");
        assertThatThrownBy(() -> SecurityMonitoringRollback.builder().restartTimeout(Duration.ofMinutes(2)))
                .hasMessageContaining("restartTimeout must be at most PT1M");
        assertThatThrownBy(() -> SecurityMonitoringRollback.builder().build())
                .hasMessageContaining("configStore is required");
        assertThat(SecurityMonitoringRollback.SECURITY_MONITOR_COMMAND)
                .containsExactly("systemctl", "restart", "security-monitor");
        assertThat(SecurityMonitoringRollback.RUNBOOK_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(1));
    }
}
