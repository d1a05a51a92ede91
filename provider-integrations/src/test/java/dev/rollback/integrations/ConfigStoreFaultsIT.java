package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/** The fault model (docs/fault-model.md): a configuration store that cannot be reached. The step fails within its deadline, naming the store; nothing changes. */
class ConfigStoreFaultsIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    @TempDir
    Path dir;

    private static RollbackPlan plan(ConfigSwitchStep step) {
        return RollbackPlan.builder("unreachable-store", RecoveryObjectives.stateless(Duration.ofSeconds(30)))
                .defaultRetry(RetrySettings.custom()
                        .maxAttempts(3)
                        .initialBackoff(Duration.ofMillis(50))
                        .build())
                .step(step)
                .build();
    }

    @Test
    void aDatabaseThatRefusesConnectionsFailsTheSwitchAfterBoundedRetriesNamingTheStore() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        PGSimpleDataSource down = Databases.dataSource(POSTGRES.server(), "postgres");
        down.setPortNumbers(new int[] {closedPort});
        ConfigSwitchStep step = ConfigSwitchStep.builder(JdbcConfigStore.builder()
                        .dataSource(down)
                        .table("app_config")
                        .build())
                .id("quickbooks-oauth-config")
                .component("quickbooks")
                .config("quickbooks-oauth")
                .backup("quickbooks-oauth-backup")
                .build();

        RollbackReport dry;
        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            dry = executor.dryRun(plan(step), RunRequest.drill("ci"));
            report = executor.run(plan(step), RunRequest.drill("ci"));
        }

        assertThat(dry.step("quickbooks-oauth-config").orElseThrow().outcome()).isEqualTo(StepOutcome.WOULD_FAIL);
        assertThat(dry.step("quickbooks-oauth-config").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("JDBC table app_config"));
        assertThat(report).failed().stepHasOutcome("quickbooks-oauth-config", StepOutcome.FAILED);
        StepReport failed = report.step("quickbooks-oauth-config").orElseThrow();
        assertThat(failed.attempts()).hasSize(3);
        assertThat(failed.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("from JDBC table app_config failed")
                        .contains("SQL state 08")
                        .contains("after 3 attempts")
                        .doesNotContain(POSTGRES.server().password()));
    }

    @Test
    void aConfigurationFolderThatIsGoneFailsTheSwitchAtOnceNamingIt() throws Exception {
        Path config = Files.createDirectory(dir.resolve("config"));
        Files.writeString(config.resolve("monitoring.json"), "{}");
        ConfigSwitchStep step = ConfigSwitchStep.builder(FileConfigStore.of(config))
                .id("security-monitoring-config")
                .component("security-monitoring")
                .config("monitoring.json")
                .backup("monitoring-backup.json")
                .build();
        Files.delete(config.resolve("monitoring.json"));
        Files.delete(config);

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(plan(step), RunRequest.drill("ci"));
        }

        assertThat(report).failed();
        assertThat(report.step("security-monitoring-config").orElseThrow().attempts())
                .hasSize(1);
        assertThat(report.step("security-monitoring-config").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("file store " + config + " is unreachable"));
        assertThat(config).doesNotExist();
    }
}
