package dev.rollback.testkit.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.postgres.PostgresServer;
import dev.rollback.testkit.redis.RedisServer;
import java.net.SocketTimeoutException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

class FaultProxyIT {

    @RegisterExtension
    static final ServerExtension<PostgresServer> POSTGRES = PostgresServer.extension();

    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    @Test
    void aResetReachesAnOpenJdbcConnection() throws Exception {
        PostgresServer pg = POSTGRES.server();
        try (FaultProxy proxy = FaultProxy.start(pg.host(), pg.port());
                Connection c = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/postgres", pg.user(), pg.password());
                Statement s = c.createStatement()) {
            assertThat(s.execute("select 1")).isTrue();
            proxy.resetConnections();
            assertThatThrownBy(() -> s.execute("select 1"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("I/O error");
        }
    }

    @Test
    void latencyDelaysAndBlackholeTimesOutAJedisCall() {
        RedisServer redis = REDIS.server();
        try (FaultProxy proxy = FaultProxy.start(redis.host(), redis.port());
                Jedis jedis = jedis(proxy, redis, 1000)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
            proxy.latency(Duration.ofMillis(200));
            long start = System.nanoTime();
            assertThat(jedis.ping()).isEqualTo("PONG");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            proxy.latency(Duration.ZERO);
            proxy.blackhole();
            assertThatThrownBy(jedis::ping)
                    .isInstanceOf(JedisConnectionException.class)
                    .hasRootCauseInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aFrozenConnectionDeliversWhatItHeldWhenHealed() throws Exception {
        RedisServer redis = REDIS.server();
        try (FaultProxy proxy = FaultProxy.start(redis.host(), redis.port());
                Jedis jedis = jedis(proxy, redis, 10_000)) {
            jedis.set("k", "v");
            proxy.freeze();
            CompletableFuture<String> reply = CompletableFuture.supplyAsync(() -> jedis.get("k"));
            Thread.sleep(300);
            assertThat(reply).isNotDone();
            proxy.heal();
            assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("v");
        }
    }

    @Test
    void aResetRefusesNoNewConnectionAfterwards() {
        RedisServer redis = REDIS.server();
        try (FaultProxy proxy = FaultProxy.start(redis.host(), redis.port())) {
            Jedis first = jedis(proxy, redis, 2000);
            proxy.resetConnections();
            assertThatThrownBy(first::ping).isInstanceOf(JedisConnectionException.class);
            try (Jedis second = jedis(proxy, redis, 2000)) {
                assertThat(second.ping()).isEqualTo("PONG");
            }
        }
    }

    private static Jedis jedis(FaultProxy proxy, RedisServer redis, int timeoutMillis) {
        return new Jedis(
                new HostAndPort(proxy.host(), proxy.port()),
                DefaultJedisClientConfig.builder()
                        .password(redis.password())
                        .timeoutMillis(timeoutMillis)
                        .build());
    }
}
