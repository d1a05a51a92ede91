package dev.rollback.redis;

import dev.rollback.api.Secret;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;

/** Test helpers around the testkit's RedisServer. */
final class Servers {
    private Servers() {}

    static RedisEndpoint endpoint(RedisServer server) {
        return RedisEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .password(Secret.of(server.password()))
                .connectTimeout(Duration.ofMillis(500))
                .socketTimeout(Duration.ofSeconds(2))
                .build();
    }

    static RedisRollback redis(RedisServer server) {
        return RedisRollback.of(endpoint(server));
    }

    /** A plain Jedis client for seeding and checking, outside the code under test. */
    static Jedis client(RedisServer server) {
        return new Jedis(
                new HostAndPort(server.host(), server.port()),
                DefaultJedisClientConfig.builder().password(server.password()).build());
    }
}
