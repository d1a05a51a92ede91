package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Secret;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

class ConfigValidationTest {
    private static final RedisRollback REDIS =
            RedisRollback.of(RedisEndpoint.builder().host("127.0.0.1").build());

    @Test
    void endpointSettersRefuseBadValuesNamingTheFieldAndTheValue() {
        RedisEndpoint.Builder b = RedisEndpoint.builder();
        assertThatThrownBy(() -> b.host(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("host");
        assertThatThrownBy(() -> b.host("user:pw@cache"))
                .hasMessageContaining("host")
                .hasMessageContaining("user:pw@cache");
        assertThatThrownBy(() -> b.port(0)).hasMessageContaining("port").hasMessageContaining("but was 0");
        assertThatThrownBy(() -> b.port(70000)).hasMessageContaining("port").hasMessageContaining("70000");
        assertThatThrownBy(() -> b.database(16))
                .hasMessageContaining("database")
                .hasMessageContaining("16");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO))
                .hasMessageContaining("connectTimeout")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> b.socketTimeout(Duration.ofSeconds(-1)))
                .hasMessageContaining("socketTimeout")
                .hasMessageContaining("PT-1S");
        assertThatThrownBy(() -> b.socketTimeout(Duration.ofHours(1)))
                .hasMessageContaining("socketTimeout")
                .hasMessageContaining("PT1H");
        assertThatThrownBy(b::build).hasMessageContaining("host is required");
        assertThatThrownBy(() -> RedisEndpoint.builder().host("h").user("app").build())
                .hasMessageContaining("user 'app' needs a password");
    }

    @Test
    void aRootCertificateNeedsTlsAndAnAbsolutePathAndTheErrorsNameTheField() {
        assertThatThrownBy(() -> RedisEndpoint.builder().rootCertificate(Path.of("ca.pem")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rootCertificate")
                .hasMessageContaining("ca.pem");
        RedisEndpoint.Builder plain = RedisEndpoint.builder().host("cache").rootCertificate(Path.of("/etc/ca.pem"));
        assertThatThrownBy(plain::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rootCertificate /etc/ca.pem")
                .hasMessageContaining("ssl is false");
        RedisEndpoint tls = plain.ssl(true).build();
        assertThat(tls.rootCertificate()).contains(Path.of("/etc/ca.pem"));
        assertThat(RedisEndpoint.from(tls).build().rootCertificate()).contains(Path.of("/etc/ca.pem"));
        assertThat(RedisEndpoint.builder().host("cache").ssl(true).build().rootCertificate())
                .isEmpty();
    }

    @Test
    void anEndpointNeverShowsItsPasswordAndABuilderCanBeReused() {
        String password = "endpoint-pw-" + System.nanoTime();
        RedisEndpoint.Builder b = RedisEndpoint.builder()
                .host("cache.example")
                .port(6380)
                .ssl(true)
                .password(Secret.of(password));
        RedisEndpoint first = b.build();
        RedisEndpoint second = b.database(3).build();
        assertThat(first.database()).isZero();
        assertThat(second.database()).isEqualTo(3);
        assertThat(first.toString())
                .contains("cache.example:6380/0", "tls", "password ***")
                .doesNotContain(password);
        assertThat(RedisRollback.of(first).toString()).doesNotContain(password);
        assertThat(RedisEndpoint.from(second).build().database()).isEqualTo(3);
    }

    @Test
    void stepBuildersRefuseBadIdsAndValues() {
        assertThatThrownBy(() -> REDIS.flush().id("bad id"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id")
                .hasMessageContaining("'bad id'");
        assertThatThrownBy(() -> REDIS.flush().component("")).hasMessageContaining("component");
        assertThatThrownBy(() -> REDIS.healthCheck().timeout(Duration.ZERO))
                .hasMessageContaining("timeout")
                .hasMessageContaining("PT0S");
        assertThatThrownBy(() -> REDIS.verifier().canaryKey("canary *"))
                .hasMessageContaining("canaryKey")
                .hasMessageContaining("'canary *'");
        assertThatThrownBy(() -> REDIS.forceReboot().pollInterval(Duration.ofMillis(1)))
                .hasMessageContaining("pollInterval")
                .hasMessageContaining("PT0.001S");
    }

    @Test
    void selectiveInvalidationNeedsAPatternThatIsNotEverything() {
        assertThatThrownBy(() -> REDIS.selectiveInvalidation().build())
                .hasMessageContaining("patterns must hold at least one");
        assertThatThrownBy(() -> REDIS.selectiveInvalidation().addPattern("*"))
                .hasMessageContaining("'*'")
                .hasMessageContaining("CacheFlushStep");
        assertThatThrownBy(() -> REDIS.selectiveInvalidation().addPattern("a\nb"))
                .hasMessageContaining("pattern must be one line");
        assertThatThrownBy(() -> REDIS.selectiveInvalidation().batchSize(0))
                .hasMessageContaining("batchSize")
                .hasMessageContaining("0");
        assertThatThrownBy(() -> REDIS.selectiveInvalidation().batchSize(10_001))
                .hasMessageContaining("10001");
        SelectiveInvalidationStep.Builder b = REDIS.selectiveInvalidation().addPattern("session:*");
        SelectiveInvalidationStep one = b.build();
        SelectiveInvalidationStep two = b.addPattern("price:*").build();
        assertThat(one.patterns()).containsExactly("session:*");
        assertThat(two.patterns()).containsExactly("session:*", "price:*");
    }

    @Test
    void aForceRebootNeedsTheAzureCache() {
        assertThatThrownBy(() -> REDIS.forceReboot().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("azureCache is required")
                .hasMessageContaining("withAzureCache");
    }

    @Test
    void stepsDeclareWhatThePlanNeedsToKnow() {
        CacheFlushStep flush = REDIS.flush().build();
        assertThat(flush.destructive()).isTrue();
        assertThat(flush.idempotent()).isTrue();
        assertThat(flush.id()).isEqualTo("redis-flush");
        assertThat(flush.component()).isEqualTo("redis");
        SelectiveInvalidationStep invalidate =
                REDIS.selectiveInvalidation().addPattern("a:*").build();
        assertThat(invalidate.idempotent()).isTrue();
        assertThat(REDIS.verifier().build().readOnly()).isTrue();
        assertThat(REDIS.verifier().canaryKey("rollback:canary").build().readOnly())
                .isFalse();
        assertThat(flush.isTransient(new JedisConnectionException("reset"))).isTrue();
        assertThat(flush.isTransient(new JedisDataException("LOADING Redis is loading")))
                .isTrue();
        assertThat(flush.isTransient(new JedisDataException("WRONGPASS invalid")))
                .isFalse();
    }

    @Test
    void theRunbookPlanHasTheRunbooksObjectivesAndOrder() {
        RedisRollback withAzure = REDIS;
        var plan = withAzure.runbookPlan(RedisRollback.Recovery.FLUSH);
        assertThat(plan.objectives().rto()).isEqualTo(Duration.ofMinutes(1));
        assertThat(plan.objectives().rpo()).isEqualTo(Duration.ofMinutes(5));
        assertThat(plan.step("redis-flush").orElseThrow().dependsOn()).containsExactly("redis-health");
        assertThat(plan.step("redis-flush").orElseThrow().withoutSafeguard())
                .contains(RedisRollback.NO_SAFEGUARD_REASON);
        assertThat(plan.step("redis-flush").orElseThrow().verifiers())
                .extracting(v -> v.name())
                .containsExactly("redis-verify");
    }
}
