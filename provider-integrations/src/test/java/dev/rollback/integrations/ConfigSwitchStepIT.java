package dev.rollback.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.integrations.internal.Digests;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A configuration switch in a JDBC store, through the executor, gated by a WireMock backup endpoint. */
class ConfigSwitchStepIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Duration T = Duration.ofSeconds(5);
    private static final String PRIMARY = "{\"baseUrl\":\"https://quickbooks.api.intuit.com\"}";
    private static final String BACKUP = "{\"baseUrl\":\"https://sandbox-quickbooks.api.intuit.com\"}";
    private static DataSource db;
    private static JdbcConfigStore store;
    private static WireMockServer backupEndpoint;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "config_switch");
        store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        backupEndpoint = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        backupEndpoint.start();
        backupEndpoint.stubFor(
                get(urlEqualTo("/up")).willReturn(aResponse().withStatus(200).withBody("ok")));
        backupEndpoint.stubFor(
                get(urlEqualTo("/down")).willReturn(aResponse().withStatus(503).withBody("maintenance")));
    }

    @AfterAll
    static void stop() {
        backupEndpoint.stop();
    }

    private static HealthCheckVerifier health(String path) {
        return HealthCheckVerifier.builder()
                .name("backup-endpoint")
                .url(backupEndpoint.baseUrl() + path)
                .timeout(Duration.ofSeconds(2))
                .build();
    }

    private static RollbackReport run(ConfigSwitchStep step, HealthCheckVerifier after) {
        RollbackPlan plan = RollbackPlan.builder(
                        "config-switch-" + step.config(), RecoveryObjectives.stateless(Duration.ofMinutes(1)))
                .defaultRetry(RetrySettings.custom()
                        .maxAttempts(2)
                        .initialBackoff(Duration.ofMillis(10))
                        .build())
                .step(step, s -> s.verifier(after))
                .build();
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(plan, RunRequest.drill("ci"));
        }
    }

    @Test
    void switchesToTheBackupOnceTheBackupEndpointAnswersAndVerifiesItAfter() {
        store.create("qb-oauth", PRIMARY, "seed", T);
        store.create("qb-oauth-backup", BACKUP, "seed", T);
        ConfigSwitchStep step = ConfigSwitchStep.builder(store)
                .id("quickbooks-oauth-config")
                .component("quickbooks")
                .config("qb-oauth")
                .backup("qb-oauth-backup")
                .healthGate(health("/up"))
                .build();

        RollbackReport report = run(step, health("/up"));

        assertThat(report).succeeded().ranExactlyOnce("quickbooks-oauth-config");
        assertThat(report.step("quickbooks-oauth-config").orElseThrow().evidence())
                .containsEntry(ConfigSwitchStep.FROM_VERSION, "1")
                .containsEntry(ConfigSwitchStep.TO_VERSION, "2")
                .containsEntry(ConfigSwitchStep.TO_SHA256, Digests.sha256(BACKUP));
        assertThat(store.read("qb-oauth", T).orElseThrow().content()).isEqualTo(BACKUP);
        assertThat(store.previous("qb-oauth", T).orElseThrow().content()).isEqualTo(PRIMARY);
        assertThat(report.toString()).doesNotContain("sandbox-quickbooks");
    }

    @Test
    void aFailingBackupEndpointFailsTheStepWithEvidenceAndTheOriginalConfigurationIsIntact() {
        store.create("ai-openai", PRIMARY, "seed", T);
        store.create("ai-openai-backup", BACKUP, "seed", T);
        ConfigSwitchStep step = ConfigSwitchStep.builder(store)
                .id("openai-config")
                .component("ai-services")
                .config("ai-openai")
                .backup("ai-openai-backup")
                .healthGate(health("/down"))
                .build();

        RollbackReport report = run(step, health("/down"));

        assertThat(report).failed().stepHasOutcome("openai-config", StepOutcome.FAILED);
        StepReport failed = report.step("openai-config").orElseThrow();
        assertThat(failed.reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains("failed its health check 'backup-endpoint'")
                        .contains("HTTP 503")
                        .contains("'ai-openai' was left unchanged"));
        assertThat(failed.attempts()).hasSize(2);
        assertThat(failed.evidence())
                .containsEntry(ConfigSwitchStep.GATE + ".status", "503")
                .containsEntry(ConfigSwitchStep.FROM_VERSION, "1")
                .doesNotContainKey(ConfigSwitchStep.TO_VERSION);
        assertThat(store.read("ai-openai", T).orElseThrow().content()).isEqualTo(PRIMARY);
        assertThat(store.read("ai-openai", T).orElseThrow().version()).isEqualTo("1");
    }

    @Test
    void aBackupThatDoesNotExistFailsInPreflightBeforeAnyChange() {
        store.create("auth-idp", PRIMARY, "seed", T);
        ConfigSwitchStep step = ConfigSwitchStep.builder(store)
                .id("idp-config")
                .component("authentication")
                .config("auth-idp")
                .backup("auth-idp-backup")
                .build();

        RollbackReport report = run(step, health("/up"));

        assertThat(report).failed();
        assertThat(report.step("idp-config").orElseThrow().reason())
                .hasValueSatisfying(r -> assertThat(r)
                        .contains(
                                "backup configuration 'auth-idp-backup' does not exist in JDBC table rollback_config"));
        assertThat(report.step("idp-config").orElseThrow().attempts()).hasSize(1);
        assertThat(Databases.count(db, "SELECT count(*) FROM rollback_config WHERE name = 'auth-idp'"))
                .isEqualTo(1);
    }
}
