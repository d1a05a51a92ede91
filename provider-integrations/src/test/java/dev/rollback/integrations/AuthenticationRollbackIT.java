package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The authentication rollback end to end: configurations and sessions in PostgreSQL, the backup tenant on WireMock. */
class AuthenticationRollbackIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static final Duration T = Duration.ofSeconds(5);
    private static final String DISCOVERY = "/backup-tenant/v2.0/.well-known/openid-configuration";
    private static final String IDP =
            "{\"id\":\"azure-ad\",\"issuer\":\"https://login.microsoftonline.com/prod-tenant/v2.0\","
                    + "\"clientSecret\":\"${secret:azure-ad-client-secret}\",\"session\":{\"maxAge\":86400}}";
    private static final String IDP_BACKUP = "{\"id\":\"azure-ad-backup\","
            + "\"issuer\":\"https://login.microsoftonline.com/backup-tenant/v2.0\","
            + "\"clientSecret\":\"${secret:azure-ad-backup-client-secret}\",\"session\":{\"maxAge\":1800}}";
    private static final EmailDomainAllowList ALLOWED = EmailDomainAllowList.of("authorizeddomain.com");

    private static DataSource db;
    private static JdbcConfigStore store;
    private static Endpoints endpoints;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "authentication");
        store = JdbcConfigStore.builder().dataSource(db).build();
        store.createTable(T);
        endpoints = new Endpoints().health(DISCOVERY, 200).health("/down-tenant/openid", 503);
    }

    @AfterAll
    static void stop() {
        endpoints.close();
    }

    @BeforeEach
    void seed() {
        Databases.sql(
                db,
                "TRUNCATE rollback_config",
                "DROP TABLE IF EXISTS sessions",
                "CREATE TABLE sessions (id bigserial PRIMARY KEY, user_email text NOT NULL, expires_at timestamptz NOT NULL)",
                "INSERT INTO sessions (user_email, expires_at) SELECT 'u' || g || '@authorizeddomain.com',"
                        + " now() + interval '1 day' FROM generate_series(1, 500) g",
                "INSERT INTO sessions (user_email, expires_at) SELECT 'short' || g || '@authorizeddomain.com',"
                        + " now() + interval '5 minutes' FROM generate_series(1, 20) g");
        store.create("auth-idp", IDP, "seed", T);
        store.create("auth-idp-backup", IDP_BACKUP, "seed", T);
        store.create("auth-email-allow-list", "# no restriction outside emergencies\n", "seed", T);
    }

    private static AuthenticationRollback.Builder rollback(String discovery) {
        return AuthenticationRollback.builder()
                .configStore(store)
                .backupIdpHealth(endpoints.verifier("backup-idp-discovery", discovery))
                .emailAllowList(ALLOWED)
                .sessions(db, "sessions", "expires_at");
    }

    private static RollbackReport run(AuthenticationRollback auth) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(auth.runbookPlan(), RunRequest.manual("security-officer"));
        }
    }

    @Test
    void theBackupIdentityProviderTheAllowListAndTheSessionCapAreInPlaceAndTheApplicationRefusesTheAttacker() {
        RollbackReport report = run(rollback(DISCOVERY).build());

        assertThat(report)
                .succeeded()
                .metRto(AuthenticationRollback.COMPONENT)
                .ranExactlyOnce(AuthenticationRollback.ALLOW_LIST)
                .ranExactlyOnce(AuthenticationRollback.IDP_CONFIG)
                .ranExactlyOnce(AuthenticationRollback.SESSION_CAP);
        assertThat(report).verification(AuthenticationRollback.ALLOW_LIST_CHECK).passed();
        assertThat(report).verification("backup-idp-discovery").passed();
        assertThat(store.read("auth-idp", T).orElseThrow().content()).isEqualTo(IDP_BACKUP);

        // the application's side: it loads the published list and checks sign-ins with it
        EmailDomainAllowList published = EmailDomainAllowList.parseOptional(
                        store.read("auth-email-allow-list", T).orElseThrow().content())
                .orElseThrow();
        assertThat(published.permits("Alice@AuthorizedDomain.com")).isTrue();
        assertThat(published.permits("\"alice smith\"@authorizeddomain.com")).isTrue();
        assertThat(published.permits("user@evil.com@authorizeddomain.com")).isFalse();
        assertThat(published.permits("user@evil.com")).isFalse();

        assertThat(report.step(AuthenticationRollback.SESSION_CAP).orElseThrow().evidence())
                .containsEntry(SessionCapStep.CAPPED, "500");
        assertThat(Databases.count(
                        db, "SELECT count(*) FROM sessions WHERE expires_at > now() + interval '30 minutes'"))
                .isZero();
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE expires_at < now() + interval '6 minutes'"))
                .isEqualTo(20);
        assertThat(report.toString()).doesNotContain("backup-tenant/v2.0\",").doesNotContain("secret:azure");
    }

    @Test
    void aBackupTenantThatDoesNotAnswerLeavesTheIdentityProviderAsItWasAndCapsNothing() {
        RollbackReport report = run(rollback("/down-tenant/openid").build());

        assertThat(report)
                .hasOutcome(RunOutcome.PARTIAL)
                .stepHasOutcome(AuthenticationRollback.ALLOW_LIST, StepOutcome.SUCCEEDED)
                .stepHasOutcome(AuthenticationRollback.IDP_CONFIG, StepOutcome.FAILED)
                .skipped(AuthenticationRollback.SESSION_CAP, "");
        assertThat(store.read("auth-idp", T).orElseThrow().content()).isEqualTo(IDP);
        assertThat(Databases.count(db, "SELECT count(*) FROM sessions WHERE expires_at > now() + interval '1 hour'"))
                .isEqualTo(500);
    }

    @Test
    void theBuilderRefusesMissingPartsAndSharedConfigurations() {
        assertThatThrownBy(() ->
                        AuthenticationRollback.builder().configStore(store).build())
                .hasMessageContaining("backupIdpHealth is required");
        assertThatThrownBy(() -> rollback(DISCOVERY).allowListConfig("auth-idp").build())
                .hasMessageContaining("allowListConfig must be its own configuration");
        assertThatThrownBy(() -> rollback(DISCOVERY).sessions(db, "sessions; DROP TABLE x", "expires_at"))
                .hasMessageContaining("sessionsTable");
        assertThat(AuthenticationRollback.EMERGENCY_SESSION_MAX_AGE).isEqualTo(Duration.ofMinutes(30));
    }
}
