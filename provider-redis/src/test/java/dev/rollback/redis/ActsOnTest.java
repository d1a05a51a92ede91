package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Secret;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Redis steps name the cache they act on by host, port and database, never with its password. */
class ActsOnTest {
    private final RedisRollback redis = RedisRollback.of(RedisEndpoint.builder()
            .host("redis-staging.internal")
            .port(6380)
            .database(2)
            .password(Secret.of("ActsOnRedisCanary0123456789"))
            .build());

    @Test
    void dataStepsAndTheHealthCheckNameHostPortAndDatabaseWithoutThePassword() {
        List<Optional<String>> targets = List.of(
                CacheFlushStep.builder(redis).build().actsOn(),
                SelectiveInvalidationStep.builder(redis)
                        .addPattern("client:*")
                        .build()
                        .actsOn(),
                CacheHealthCheck.builder(redis)
                        .build()
                        .asStep("health", "redis", true)
                        .actsOn());

        assertThat(targets).allSatisfy(t -> assertThat(t).contains("redis-staging.internal:6380/2"));
    }
}
