package dev.rollback.redis.internal;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;

import java.time.Duration;
import java.util.Objects;

/**
 * Where commands go: a fresh connection per use to a configured endpoint, or a connection borrowed
 * from a caller's pool. {@link Jedis#close()} closes the one or returns the other.
 */
public interface Connections {

    /**
     * Opens (or borrows) a connection whose reads wait at most {@code readTimeout} when the
     * connection is made here; a borrowed pool connection keeps the pool's timeouts.
     */
    Jedis open(Duration readTimeout);

    /** Host and port, for messages and evidence; never a password. */
    String describe();

    /** Fresh connections to {@code host:port}. */
    static Connections direct(String host, int port, String user, String password, int database, boolean ssl,
                              Duration connectTimeout, Duration socketTimeout) {
        HostAndPort address = new HostAndPort(host, port);
        return new Connections() {
            @Override
            public Jedis open(Duration readTimeout) {
                Duration read = readTimeout.compareTo(socketTimeout) < 0 ? readTimeout : socketTimeout;
                DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis((int) Math.max(1, connectTimeout.toMillis()))
                        .socketTimeoutMillis((int) Math.max(1, read.toMillis()))
                        .database(database).ssl(ssl).clientName("rollback");
                if (user != null) {
                    config.user(user);
                }
                if (password != null) {
                    config.password(password);
                }
                Jedis jedis = new Jedis(address, config.build());
                try {
                    jedis.connect();
                    // A PING authenticates and selects the database at once, so a refused password shows here.
                    jedis.ping();
                } catch (RuntimeException e) {
                    jedis.close();
                    throw e;
                }
                return jedis;
            }

            @Override
            public String describe() {
                return host + ":" + port;
            }
        };
    }

    /** Connections borrowed from {@code pool}. */
    static Connections pooled(JedisPool pool) {
        Objects.requireNonNull(pool, "pool");
        return new Connections() {
            @Override
            public Jedis open(Duration readTimeout) {
                return pool.getResource();
            }

            @Override
            public String describe() {
                return "a caller-supplied JedisPool";
            }
        };
    }
}
