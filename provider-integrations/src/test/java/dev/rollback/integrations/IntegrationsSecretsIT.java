package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import dev.rollback.testkit.postgres.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.LoggerFactory;

/**
 * The fault model (docs/fault-model.md), invariant 6: random canary secrets planted where this provider meets secrets (a
 * database password the store is refused with, a secret written literally into a configuration
 * against the advice, a restart command's secret environment that the command echoes) are never
 * found, raw or encoded, in the report, the test log, an exception or any process's command line.
 */
class IntegrationsSecretsIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Path LOG =
            Path.of(System.getProperty("user.dir"), "target", "provider-integrations-tests.log");
    private static final Duration T = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void noCanaryLeavesThroughReportsLogsExceptionsOrCommandLines() throws Exception {
        SecretCanaries canaries = SecretCanaries.generate();
        CanaryScanner scanner = CanaryScanner.of(canaries);
        DataSource db = Databases.fresh(POSTGRES.server(), "secrets");

        // 1. a secret written literally into configurations (references are the rule; this checks the fallback)
        JdbcConfigStore store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        store.create("quickbooks-oauth", "{\"clientSecret\":\"" + canaries.oauthSecret() + "\"}", "seed", T);
        store.create(
                "quickbooks-oauth-backup", "{\"clientSecret\":\"" + canaries.azureClientSecret() + "\"}", "seed", T);
        ConfigSwitchStep literal = ConfigSwitchStep.builder(store)
                .id("quickbooks-oauth-config")
                .component("integrations")
                .config("quickbooks-oauth")
                .backup("quickbooks-oauth-backup")
                .build();

        // 2. a store whose database refuses the canary password
        PGSimpleDataSource refused = Databases.dataSource(POSTGRES.server(), "postgres");
        refused.setPassword(canaries.password());
        ConfigSwitchStep refusedStore = ConfigSwitchStep.builder(
                        JdbcConfigStore.builder().dataSource(refused).build())
                .id("refused-store-config")
                .component("integrations")
                .config("quickbooks-oauth")
                .backup("quickbooks-oauth-backup")
                .build();

        // 3. a restart whose secret environment the command echoes, and that runs long enough to be looked at
        Path ready = dir.resolve("ready");
        Path script = dir.resolve("systemctl");
        Files.writeString(
                script, "#!/bin/sh\necho \"key=$AGENT_KEY token $AGENT_KEY\"\ntouch " + ready + "\nsleep 1\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        ServiceRestartStep restart = ServiceRestartStep.builder()
                .id("restart-agent")
                .component("integrations")
                .command(script.toString(), "restart", "applicationinsights-agent")
                .environment("AGENT_KEY", Secret.of(canaries.redisPassword()))
                .build();

        RollbackPlan plan = RollbackPlan.builder("secrets", RecoveryObjectives.stateless(Duration.ofMinutes(1)))
                .defaultRetry(RetrySettings.none())
                .step(literal)
                .step(refusedStore)
                .step(restart)
                .build();
        RollbackReport report;
        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(new Slf4jRollbackListener()).build()) {
            RollbackRun run = executor.start(plan, RunRequest.drill("ci"));
            while (!Files.exists(ready) && !run.isDone()) {
                Thread.sleep(20);
            }
            assertThat(scanner.scanCommandLines()).isEmpty();
            report = run.await();
        }

        assertThat(report).stepHasOutcome("quickbooks-oauth-config", StepOutcome.SUCCEEDED);
        assertThat(report.step("refused-store-config").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r).contains("credential problem"));
        assertThat(report.step("restart-agent").orElseThrow().evidence().get(ServiceRestartStep.OUTPUT))
                .isEqualTo("key=*** token ***");
        assertThat(store.read("quickbooks-oauth", T).orElseThrow().content()).contains(canaries.azureClientSecret());
        assertThat(scanner.scan("json report", JsonReportRenderer.render(report)))
                .isEmpty();
        assertThat(scanner.scan("markdown report", MarkdownReportRenderer.render(report)))
                .isEmpty();
        assertThat(scanner.scan("toString", literal + " " + refusedStore + " " + restart + " " + store))
                .isEmpty();
        LoggerFactory.getLogger(IntegrationsSecretsIT.class).info("scanning the test log for canaries");
        assertThat(Files.readString(LOG)).contains(report.runId() + " refused-store-config");
        assertThat(scanner.scan(LOG)).isEmpty();
    }
}
