package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.redis.RedisEndpoint;
import dev.rollback.redis.RedisRollback;
import dev.rollback.redis.SelectiveInvalidationStep;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/**
 * The QuickBooks rollback end to end through the executor: integration settings and the OAuth
 * configurations in real PostgreSQL, cached tokens in real Redis (cleared by provider-redis's
 * SelectiveInvalidationStep), the backup endpoint and the users' notification webhook on WireMock.
 */
class QuickBooksRollbackIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.sharedExtension();

    private static final Duration T = Duration.ofSeconds(5);
    private static final String PRIMARY = "{\"clientId\":\"${secret:qb-client-id}\","
            + "\"clientSecret\":\"${secret:qb-client-secret}\",\"baseUrl\":\"https://quickbooks.api.intuit.com\"}";
    private static final String BACKUP = "{\"clientId\":\"${secret:qb-backup-client-id}\","
            + "\"clientSecret\":\"${secret:qb-backup-client-secret}\","
            + "\"baseUrl\":\"https://sandbox-quickbooks.api.intuit.com\"}";

    private static DataSource db;
    private static JdbcConfigStore store;
    private static Endpoints endpoints;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "quickbooks");
        store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        endpoints = new Endpoints();
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "DROP TABLE IF EXISTS integration_setting",
                "TRUNCATE rollback_config",
                "CREATE TABLE integration_setting (id serial PRIMARY KEY, provider text NOT NULL, owner_email text,"
                        + " auto_sync boolean NOT NULL, status text NOT NULL, last_synced_at timestamptz)",
                "INSERT INTO integration_setting (provider, owner_email, auto_sync, status, last_synced_at)"
                        + " SELECT 'quickbooks', 'owner' || g || '@firm.example', true, 'ACTIVE',"
                        + " now() - interval '4 minutes' - g * interval '1 second' FROM generate_series(1, 40) g",
                "INSERT INTO integration_setting (provider, owner_email, auto_sync, status)"
                        + " VALUES ('xero', 'xero@firm.example', true, 'ACTIVE')");
        store.create("quickbooks-oauth", PRIMARY, "seed", T);
        store.create("quickbooks-oauth-backup", BACKUP, "seed", T);
        endpoints.server().resetAll();
        endpoints.webhook("/notify/users");
        try (Jedis jedis = jedis()) {
            jedis.flushAll();
            for (int i = 0; i < 250; i++) {
                jedis.set("qb:token:" + i, "token-" + i);
            }
            jedis.set("xero:token:1", "keep");
            jedis.set("session:1", "keep");
        }
    }

    private static Jedis jedis() {
        RedisServer r = REDIS.server();
        return new Jedis(
                new HostAndPort(r.host(), r.port()),
                DefaultJedisClientConfig.builder().password(r.password()).build());
    }

    private static QuickBooksRollback.Builder rollback(String backupHealthPath) {
        RedisServer r = REDIS.server();
        RedisRollback redis = RedisRollback.of(RedisEndpoint.builder()
                .host(r.host())
                .port(r.port())
                .password(Secret.of(r.password()))
                .build());
        SelectiveInvalidationStep tokens = redis.selectiveInvalidation()
                .id("quickbooks-clear-tokens")
                .component(QuickBooksRollback.COMPONENT)
                .addPattern("qb:token:*")
                .batchSize(100)
                .build();
        return QuickBooksRollback.builder()
                .dataSource(db)
                .lastSyncColumn("last_synced_at")
                .configStore(store)
                .tokenClear(tokens)
                .notifier(endpoints.notifier("users", "/notify/users"))
                .affectedUsers(Recipients.fromTable(db)
                        .table("integration_setting")
                        .column("owner_email")
                        .where("provider", "quickbooks")
                        .build())
                .backupEndpointHealth(endpoints.verifier("quickbooks-backup-endpoint", backupHealthPath));
    }

    private static RollbackReport run(QuickBooksRollback qb) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(qb.runbookPlan(), RunRequest.manual("on-call-engineer"));
        }
    }

    @Test
    void theRunbookRollsQuickBooksBackInOrderAndMeetsItsObjectives() {
        endpoints.health("/v3/health", 200);

        RollbackReport report = run(rollback("/v3/health").build());

        assertThat(report)
                .succeeded()
                .metRto(QuickBooksRollback.COMPONENT)
                .ranExactlyOnce(QuickBooksRollback.AUTO_SYNC_OFF)
                .ranExactlyOnce(QuickBooksRollback.OAUTH_CONFIG)
                .ranExactlyOnce("quickbooks-clear-tokens")
                .ranExactlyOnce(QuickBooksRollback.NOTIFY_USERS);
        assertThat(report.steps().stream().map(StepReport::stepId))
                .containsExactly(
                        QuickBooksRollback.AUTO_SYNC_OFF,
                        QuickBooksRollback.OAUTH_CONFIG,
                        "quickbooks-clear-tokens",
                        QuickBooksRollback.NOTIFY_USERS);
        for (int i = 1; i < report.steps().size(); i++) {
            assertThat(report.steps().get(i).startedAt().orElseThrow())
                    .isAfterOrEqualTo(report.steps().get(i - 1).finishedAt().orElseThrow());
        }
        assertThat(report).verification("quickbooks-backup-endpoint").passed();

        // production state, read again after the run
        assertThat(Databases.count(
                        db,
                        "SELECT count(*) FROM integration_setting WHERE provider = 'quickbooks' AND NOT auto_sync"
                                + " AND status = 'MAINTENANCE'"))
                .isEqualTo(40);
        assertThat(Databases.query(db, "SELECT status FROM integration_setting WHERE provider = 'xero'"))
                .isEqualTo("ACTIVE");
        assertThat(store.read("quickbooks-oauth", T).orElseThrow().content()).isEqualTo(BACKUP);
        assertThat(store.previous("quickbooks-oauth", T).orElseThrow().content())
                .isEqualTo(PRIMARY);
        try (Jedis jedis = jedis()) {
            assertThat(jedis.keys("qb:token:*")).isEmpty();
            assertThat(jedis.get("xero:token:1")).isEqualTo("keep");
            assertThat(jedis.get("session:1")).isEqualTo("keep");
        }
        assertThat(report.step("quickbooks-clear-tokens").orElseThrow().evidence())
                .containsEntry(SelectiveInvalidationStep.KEYS_DELETED, "250");
        assertThat(report.step("quickbooks-clear-tokens").orElseThrow().withoutSafeguard())
                .contains(QuickBooksRollback.TOKENS_NO_SAFEGUARD);
        assertThat(report.step(QuickBooksRollback.NOTIFY_USERS).orElseThrow().evidence())
                .containsEntry(UserNotificationStep.REACHED, "40");
        assertThat(endpoints.requests("/notify/users")).hasSize(1);

        // RPO: the window since the last successful sync, held against 15 minutes
        Duration window = report.step(QuickBooksRollback.AUTO_SYNC_OFF)
                .orElseThrow()
                .evidence(EvidenceKey.DATA_LOSS_WINDOW)
                .orElseThrow();
        assertThat(window).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(5));
        assertThat(report.component(QuickBooksRollback.COMPONENT).orElseThrow().rpo())
                .isEqualTo(TargetStatus.MET);

        String json = JsonReportRenderer.render(report);
        assertThat(json).doesNotContain("sandbox-quickbooks").doesNotContain("secret:qb");
    }

    @Test
    void aFailingBackupEndpointStopsTheRollbackAtTheSwitchWithTheOriginalConfigurationIntact() {
        endpoints.health("/v3/health-down", 503);

        RollbackReport report = run(rollback("/v3/health-down").build());

        assertThat(report)
                .hasOutcome(RunOutcome.PARTIAL)
                .stepHasOutcome(QuickBooksRollback.AUTO_SYNC_OFF, StepOutcome.SUCCEEDED)
                .stepHasOutcome(QuickBooksRollback.OAUTH_CONFIG, StepOutcome.FAILED)
                .skipped("quickbooks-clear-tokens", "")
                .skipped(QuickBooksRollback.NOTIFY_USERS, "");
        assertThat(report.step(QuickBooksRollback.OAUTH_CONFIG).orElseThrow().evidence())
                .containsEntry(ConfigSwitchStep.GATE + ".status", "503");
        assertThat(store.read("quickbooks-oauth", T).orElseThrow().content()).isEqualTo(PRIMARY);
        assertThat(store.read("quickbooks-oauth", T).orElseThrow().version()).isEqualTo("1");
        try (Jedis jedis = jedis()) {
            assertThat(jedis.keys("qb:token:*")).hasSize(250);
        }
        assertThat(endpoints.requests("/notify/users")).isEmpty();
    }

    @Test
    void theBuilderRefusesMissingPartsAndATokenClearOfAnotherComponent() {
        assertThatThrownBy(() -> QuickBooksRollback.builder().build()).hasMessageContaining("dataSource is required");
        SessionRevocationStep otherComponent =
                SessionRevocationStep.builder(db).table("oauth_tokens").build();
        assertThatThrownBy(
                        () -> rollback("/v3/health").tokenClear(otherComponent).build())
                .hasMessageContaining("tokenClear step 'session-revocation' belongs to component 'application'");
        SessionRevocationStep sameId = SessionRevocationStep.builder(db)
                .id(QuickBooksRollback.OAUTH_CONFIG)
                .component(QuickBooksRollback.COMPONENT)
                .table("oauth_tokens")
                .build();
        assertThatThrownBy(() -> rollback("/v3/health").tokenClear(sameId).build())
                .hasMessageContaining("step id 'quickbooks-oauth-config' is taken");
        assertThat(QuickBooksRollback.RUNBOOK_OBJECTIVES.rto()).isEqualTo(Duration.ofMinutes(10));
        assertThat(QuickBooksRollback.RUNBOOK_OBJECTIVES.rpo()).isEqualTo(Duration.ofMinutes(15));
    }
}
