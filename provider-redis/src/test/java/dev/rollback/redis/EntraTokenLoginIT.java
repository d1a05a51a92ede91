package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Verification;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * Passwordless Azure Cache for Redis, for real: a real azure-identity ClientSecretCredential gets
 * Entra ID tokens from the simulator's token endpoint, and a real Redis has an ACL user named after
 * the principal's object id whose password is the token the endpoint issued ({@code AUTH oid token}).
 */
class EntraTokenLoginIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    @RegisterExtension
    static final ServerExtension<AzureControlPlaneSimulator> AZURE = AzureControlPlaneSimulator.extension();

    private String objectId;
    private RedisRollback redis;

    @BeforeEach
    void principal() {
        objectId = UUID.randomUUID().toString();
        RedisEndpoint endpoint = RedisEndpoint.from(Servers.endpoint(REDIS.server()))
                .entraToken(
                        AzureSimulatorClients.clientSecretCredential(AZURE.server(), "app-" + objectId, "secret"),
                        objectId)
                .build();
        redis = RedisRollback.of(endpoint);
    }

    private void aclPassword(String token) {
        try (Jedis admin = Servers.client(REDIS.server())) {
            admin.aclSetUser(objectId, "on", "resetpass", ">" + token, "~*", "+@all");
        }
    }

    private long tokenRequests() {
        return AZURE.server().entraId().tokenRequests().stream()
                .filter(r -> r.clientId().equals("app-" + objectId))
                .count();
    }

    private Verification health() throws Exception {
        // The round trip includes the connect, and so the token request: the first, in a cold JVM on a busy
        // machine, loads azure-identity and MSAL, which can take seconds.
        return redis.healthCheck()
                .timeout(Duration.ofSeconds(30))
                .build()
                .verify(TestStepContext.of("redis-health", Duration.ofSeconds(40)));
    }

    @Test
    void logsInAsTheObjectIdWithTheIssuedTokenForTheRedisScopeAndKeepsIt() throws Exception {
        String token = "entra-" + UUID.randomUUID();
        AZURE.server().entraId().issues(token, Duration.ofHours(1));
        aclPassword(token);

        assertThat(health().passed()).isTrue();
        assertThat(health().passed()).isTrue();

        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(AZURE.server().entraId().tokenRequests())
                .last()
                .satisfies(r -> assertThat(r.scope()).contains("https://redis.azure.com/.default"));
        assertThat(redis.toString()).doesNotContain(token);
    }

    @Test
    void aConnectionAfterTheTokenExpiredAuthenticatesWithTheNextToken() throws Exception {
        String first = "entra-" + UUID.randomUUID();
        AZURE.server().entraId().issues(first, Duration.ZERO);
        aclPassword(first);
        assertThat(health().passed()).isTrue();

        String next = "entra-" + UUID.randomUUID();
        AZURE.server().entraId().issues(next, Duration.ofHours(1));
        aclPassword(next);

        assertThat(health().passed()).isTrue();
        assertThat(tokenRequests()).isEqualTo(2);
    }

    @Test
    void aKeptTokenTheCacheNoLongerTakesFailsTheHealthCheck() throws Exception {
        String token = "entra-" + UUID.randomUUID();
        AZURE.server().entraId().issues(token, Duration.ofHours(1));
        aclPassword("rotated-" + UUID.randomUUID());

        Verification refused = health();

        assertThat(refused.passed()).as("the ACL user really checks the token").isFalse();
        assertThat(refused.observed()).doesNotContain(token);
    }
}
