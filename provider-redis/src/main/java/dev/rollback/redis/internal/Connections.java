package dev.rollback.redis.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/**
 * Where commands go: a fresh connection per use to a configured endpoint, or a caller's client.
 * {@link Commands#close()} closes the one and leaves the other open.
 */
public interface Connections {

    /**
     * Opens a connection whose reads wait at most {@code readTimeout} when the connection is made
     * here; a caller's client keeps its own timeouts.
     */
    Commands open(Duration readTimeout);

    /** Host and port, for messages and evidence; never a password. */
    String describe();

    /**
     * What these connections reach, as a stable name ({@code host:port/database}), or empty for a
     * caller's client (whose address is its own).
     */
    default Optional<String> target() {
        return Optional.empty();
    }

    /**
     * Fresh connections to {@code host:port}; with {@code ssl}, over TLS that verifies the
     * certificate chain (against {@code rootCertificate}, else the JVM's trust store) and the host
     * name. {@code password} is asked for each connection (it gives null for none), so a token
     * password is as fresh as its source keeps it.
     */
    static Connections direct(
            String host,
            int port,
            String user,
            Supplier<String> password,
            int database,
            boolean ssl,
            Optional<Path> rootCertificate,
            Duration connectTimeout,
            Duration socketTimeout) {
        HostAndPort address = new HostAndPort(host, port);
        return new Connections() {
            @Override
            public Commands open(Duration readTimeout) {
                Duration read = readTimeout.compareTo(socketTimeout) < 0 ? readTimeout : socketTimeout;
                DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                        .connectionTimeoutMillis((int) Math.max(1, connectTimeout.toMillis()))
                        .socketTimeoutMillis((int) Math.max(1, read.toMillis()))
                        .database(database)
                        .ssl(ssl)
                        .clientName("rollback");
                if (ssl) {
                    config.sslSocketFactory(VerifiedTls.socketFactory(rootCertificate))
                            .sslParameters(VerifiedTls.verifyingHostName());
                }
                if (user != null) {
                    config.user(user);
                }
                String current = password.get();
                if (current != null) {
                    config.password(current);
                }
                UnifiedJedis jedis = RedisClient.builder()
                        .hostAndPort(address)
                        .clientConfig(config.build())
                        .build();
                try {
                    // A PING authenticates and selects the database at once, so a refused password shows here.
                    jedis.ping();
                } catch (RuntimeException e) {
                    jedis.close();
                    throw e;
                }
                return Commands.of(jedis, true);
            }

            @Override
            public String describe() {
                return host + ":" + port;
            }

            @Override
            public Optional<String> target() {
                return Optional.of(host + ":" + port + "/" + database);
            }
        };
    }

    /** Commands through a caller's client (a {@code RedisClient}), which stays the caller's to close. */
    static Connections client(UnifiedJedis client) {
        Objects.requireNonNull(client, "client");
        Commands commands = Commands.of(client, false);
        return new Connections() {
            @Override
            public Commands open(Duration readTimeout) {
                return commands;
            }

            @Override
            public String describe() {
                return "a caller-supplied Redis client";
            }
        };
    }
}
