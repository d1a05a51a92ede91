package dev.rollback.integrations;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Severity;
import dev.rollback.core.notification.WebhookNotifier;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.postgres.PostgresServer;
import java.net.URI;
import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** UserNotificationStep: recipients from a real table, delivered by core's WebhookNotifier to a WireMock webhook. */
class UserNotificationStepIT {
    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.sharedExtension();

    private static DataSource db;
    private static WireMockServer webhook;

    @BeforeAll
    static void start() {
        db = Databases.fresh(POSTGRES.server(), "notify");
        Databases.sql(
                db,
                "CREATE TABLE integration_setting (id serial PRIMARY KEY, provider text NOT NULL, owner_email text)",
                "INSERT INTO integration_setting (provider, owner_email) SELECT 'quickbooks', 'owner' || (g % 230)"
                        + " || '@firm.example' FROM generate_series(1, 460) g", // 230 distinct owners, each twice
                "INSERT INTO integration_setting (provider, owner_email) VALUES ('quickbooks', NULL),"
                        + " ('xero', 'xero-only@firm.example')");
        webhook = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        webhook.start();
    }

    @AfterAll
    static void stop() {
        webhook.stop();
    }

    @BeforeEach
    void reset() {
        webhook.resetAll();
    }

    private static WebhookNotifier notifier(String path) {
        return WebhookNotifier.custom()
                .name("users")
                .endpoint(URI.create(webhook.baseUrl() + path))
                .requestTimeout(Duration.ofSeconds(10))
                .build();
    }

    private static UserNotificationStep.Builder quickBooksUsers(String path) {
        return UserNotificationStep.builder(notifier(path))
                .id("notify-quickbooks-users")
                .component("quickbooks")
                .recipients(Recipients.fromTable(db)
                        .table("integration_setting")
                        .column("owner_email")
                        .where("provider", "quickbooks")
                        .build())
                .subject("QuickBooks sync paused")
                .body("We switched QuickBooks to maintenance; your data is safe and sync resumes after the fix.")
                .batchSize(100);
    }

    @Test
    void notifiesEveryDistinctAffectedUserInBatchesAndCountsWhoWasReached() throws Exception {
        webhook.stubFor(post(urlEqualTo("/notify")).willReturn(aResponse().withStatus(202)));
        UserNotificationStep step = quickBooksUsers("/notify").build();
        TestStepContext ctx = TestStepContext.of("notify-quickbooks-users", Duration.ofSeconds(20));

        step.preflight(ctx);
        assertThat(webhook.getAllServeEvents()).isEmpty();
        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(UserNotificationStep.RECIPIENTS, "230")
                .containsEntry(UserNotificationStep.REACHED, "230")
                .containsEntry(UserNotificationStep.UNREACHED, "0")
                .containsEntry(UserNotificationStep.NOTIFICATIONS, "3")
                .containsEntry(UserNotificationStep.NOTIFIER, "webhook:users");
        webhook.verify(3, postRequestedFor(urlEqualTo("/notify")));
        webhook.verify(postRequestedFor(urlEqualTo("/notify"))
                .withRequestBody(matchingJsonPath("$.stakeholder", equalTo("affected-users")))
                .withRequestBody(matchingJsonPath("$.incidentId", equalTo("run-test")))
                .withRequestBody(matchingJsonPath("$.recipients.length()", equalTo("30"))));
        assertThat(step.tookEffect(ctx)).isEmpty();
        assertThat(step.idempotent()).isFalse();
    }

    @Test
    void aRefusedDeliveryIsTriedAgainWithinTheStep() throws Exception {
        webhook.stubFor(post(urlEqualTo("/flaky"))
                .inScenario("flaky")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("up"));
        webhook.stubFor(post(urlEqualTo("/flaky"))
                .inScenario("flaky")
                .whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(202)));
        TestStepContext ctx = TestStepContext.of("notify-quickbooks-users", Duration.ofSeconds(20));

        quickBooksUsers("/flaky").build().execute(ctx);

        assertThat(ctx.evidence()).containsEntry(UserNotificationStep.REACHED, "230");
        webhook.verify(4, postRequestedFor(urlEqualTo("/flaky")));
    }

    @Test
    void aNotifierThatKeepsRefusingLeavesUsersUnreachedAndSaysSo() throws Exception {
        webhook.stubFor(post(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
        TestStepContext ctx = TestStepContext.of("notify-quickbooks-users", Duration.ofSeconds(20));

        quickBooksUsers("/down").batchSize(1000).build().execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(UserNotificationStep.REACHED, "0")
                .containsEntry(UserNotificationStep.UNREACHED, "230")
                .containsKey(UserNotificationStep.LAST_FAILURE);
        webhook.verify(3, postRequestedFor(urlEqualTo("/down")));

        assertThatThrownBy(() -> quickBooksUsers("/down")
                        .batchSize(1000)
                        .requireAll(true)
                        .build()
                        .execute(TestStepContext.of("n", Duration.ofSeconds(20))))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("reached 0 of 230 recipients");
    }

    @Test
    void aFixedListReachesTheSecurityTeamAndMayDeclareAResendAcceptable() throws Exception {
        webhook.stubFor(post(urlEqualTo("/pager")).willReturn(aResponse().withStatus(200)));
        UserNotificationStep step = UserNotificationStep.builder(notifier("/pager"))
                .recipients(Recipients.of("security-oncall", "security@firm.example", "security-oncall"))
                .stakeholder("security-team")
                .severity(Severity.SEV0)
                .subject("Full system lockdown in effect")
                .body("Security breach detected; the system is locked down.")
                .resendOnResume(true)
                .build();
        TestStepContext ctx = TestStepContext.of("notify-users", Duration.ofSeconds(10));

        step.execute(ctx);

        assertThat(ctx.evidence()).containsEntry(UserNotificationStep.REACHED, "2");
        webhook.verify(postRequestedFor(urlEqualTo("/pager"))
                .withRequestBody(matchingJsonPath("$.severity", equalTo("SEV0"))));
        assertThat(step.tookEffect(ctx)).contains(false);
    }

    @Test
    void theBuilderRefusesMissingParts() {
        assertThatThrownBy(() -> UserNotificationStep.builder(notifier("/x")).build())
                .hasMessageContaining("recipients is required");
        assertThatThrownBy(() -> UserNotificationStep.builder(notifier("/x")).subject("two\nlines"))
                .hasMessageContaining("subject");
        assertThatThrownBy(Recipients::of).hasMessageContaining("at least one contact");
        assertThatThrownBy(() -> Recipients.fromTable(db).table("t").build())
                .hasMessageContaining("column is required");
    }
}
