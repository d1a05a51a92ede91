package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.FaultProxy;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;

class CacheHealthCheckIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static TestStepContext context() {
        return TestStepContext.of("redis-health", Duration.ofSeconds(10));
    }

    @Test
    void aServingCachePassesWithLatencyRoleAndClientsAsEvidence() {
        Verification v = Servers.redis(REDIS.server()).healthCheck().build().verify(context());
        assertThat(v.passed()).isTrue();
        assertThat(v.observed()).startsWith("PONG in ");
        assertThat(v.details())
                .containsKey(CacheHealthCheck.LATENCY_MS)
                .containsEntry(CacheHealthCheck.ROLE, "master")
                .containsKey(CacheHealthCheck.CONNECTED_CLIENTS)
                .containsKey(CacheHealthCheck.VERSION);
    }

    @Test
    void aDownCacheFailsWithEvidenceAndSoDoesTheVerifier() {
        RedisRollback redis = Servers.redis(REDIS.server());
        REDIS.server().crash();
        Verification health = redis.healthCheck().build().verify(context());
        assertThat(health.passed()).isFalse();
        assertThat(health.observed()).startsWith("no PONG after").containsIgnoringCase("connect");
        assertThat(health.details()).containsKey(CacheHealthCheck.ERROR).containsKey(CacheHealthCheck.LATENCY_MS);
        Verification verify =
                redis.verifier().canaryKey("rollback:canary").build().verify(context());
        assertThat(verify.passed()).isFalse();
        assertThat(verify.observed()).contains("127.0.0.1:" + REDIS.server().port());
    }

    @Test
    void aSlowCacheFailsInsteadOfPassingLate() {
        try (FaultProxy proxy =
                FaultProxy.start(REDIS.server().host(), REDIS.server().port())) {
            RedisRollback redis = RedisRollback.of(RedisEndpoint.from(Servers.endpoint(REDIS.server()))
                    .port(proxy.port())
                    .build());
            assertThat(redis.healthCheck()
                            .timeout(Duration.ofMillis(500))
                            .build()
                            .verify(context())
                            .passed())
                    .isTrue();
            proxy.latency(Duration.ofMillis(400));
            Verification slow = redis.healthCheck()
                    .timeout(Duration.ofMillis(300))
                    .info(false)
                    .build()
                    .verify(context());
            assertThat(slow.passed()).isFalse();
            assertThat(slow.details()).containsKey(CacheHealthCheck.LATENCY_MS);
            assertThat(Long.parseLong(slow.details().get(CacheHealthCheck.LATENCY_MS)))
                    .isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void aFrozenConnectionIsATransientFailureWithinTheSocketTimeout() {
        try (FaultProxy proxy =
                FaultProxy.start(REDIS.server().host(), REDIS.server().port())) {
            RedisRollback redis = RedisRollback.of(RedisEndpoint.from(Servers.endpoint(REDIS.server()))
                    .port(proxy.port())
                    .socketTimeout(Duration.ofMillis(300))
                    .build());
            CacheFlushStep flush = redis.flush().build();
            proxy.freeze();
            long start = System.nanoTime();
            assertThatThrownBy(() -> flush.execute(context()))
                    .isInstanceOf(TransientFailureException.class)
                    .hasMessageContaining("127.0.0.1:" + proxy.port());
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            proxy.heal();
            TestStepContext healed = context();
            flush.execute(healed);
            assertThat(healed.evidence()).containsEntry(CacheFlushStep.KEYS_AFTER, "0");
        }
    }

    @Test
    void aCallersRedisClientWorksThroughTheJedisFactoryAndStaysOpen() {
        try (RedisClient client = RedisClient.builder()
                .hostAndPort(REDIS.server().host(), REDIS.server().port())
                .clientConfig(DefaultJedisClientConfig.builder()
                        .password(REDIS.server().password())
                        .build())
                .build()) {
            client.set("k", "v");
            RedisRollback redis = RedisRollback.fromJedis(client);
            assertThat(redis.healthCheck().build().verify(context()).passed()).isTrue();
            TestStepContext flush = context();
            redis.flush().build().execute(flush);
            assertThat(flush.evidence()).containsEntry(CacheFlushStep.KEYS_AFTER, "0");
            assertThat(redis.verifier()
                            .canaryKey("rollback:canary")
                            .build()
                            .verify(flush)
                            .passed())
                    .isTrue();
            assertThat(redis.toString()).doesNotContain(REDIS.server().password());
            assertThat(client.ping()).isEqualTo("PONG");
        }
    }
}
