package dev.rollback.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.testkit.Leftovers;
import dev.rollback.testkit.ServerExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

class RedisServerIT {

    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    static Jedis client(RedisServer server) {
        return new Jedis(
                new HostAndPort(server.host(), server.port()),
                DefaultJedisClientConfig.builder()
                        .password(server.password())
                        .timeoutMillis(2000)
                        .build());
    }

    @Test
    void servesJedisWithThePasswordAndRefusesItWithout() {
        RedisServer server = REDIS.server();
        try (Jedis jedis = client(server)) {
            jedis.set("k", "v");
            assertThat(jedis.get("k")).isEqualTo("v");
            assertThat(jedis.configGet("bind").values())
                    .anySatisfy(v -> assertThat(v).isEqualTo("127.0.0.1"));
            assertThat(jedis.info("server")).contains("redis_version:");
        }
        try (Jedis anonymous = new Jedis(server.host(), server.port())) {
            assertThatThrownBy(() -> anonymous.get("k"))
                    .isInstanceOf(JedisDataException.class)
                    .hasMessageContaining("NOAUTH");
        }
    }

    @Test
    void keepsItsPasswordOffTheCommandLine() throws Exception {
        RedisServer server = REDIS.server();
        long pid = server.pid().orElseThrow();
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertThat(cmdline).doesNotContain(server.password());
    }

    @Test
    void stopsAndRestartsMidTestOnTheSamePortWithNoData() {
        RedisServer server = REDIS.server();
        int port = server.port();
        try (Jedis jedis = client(server)) {
            jedis.set("gone", "soon");
        }
        server.crash();
        assertThat(server.isRunning()).isFalse();
        assertThatThrownBy(() -> client(server).ping()).isInstanceOf(JedisConnectionException.class);
        server.start();
        assertThat(server.port()).isEqualTo(port);
        try (Jedis jedis = client(server)) {
            assertThat(jedis.get("gone")).isNull();
        }
        server.restart();
        try (Jedis jedis = client(server)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
    }

    @Test
    void leavesNoProcessAndNoFolderBehindWhenClosed() {
        RedisServer server = RedisServer.builder().build();
        server.start();
        long pid = server.pid().orElseThrow();
        Path base = server.baseDir();
        try (Jedis jedis = client(server)) {
            assertThat(jedis.ping()).isEqualTo("PONG");
        }
        server.close();
        assertThat(Leftovers.isRunning(pid)).isFalse();
        assertThat(Leftovers.processesMentioning(base)).isEmpty();
        assertThat(base).doesNotExist();
    }
}
