package dev.rollback.redis;

import com.azure.core.credential.TokenCredential;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.EntraPassword;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where a Redis cache answers and how to log in: host, port, optional ACL user, password (or, for
 * passwordless Azure Cache for Redis, a Microsoft Entra ID access token: {@link Builder#entraToken}),
 * database, TLS and timeouts. Built with {@code RedisEndpoint.builder().host(..).password(Secret.of(..)).build()};
 * setters check their argument at once and throw {@link IllegalArgumentException} naming the field
 * and the value (never a password).
 *
 * <p><b>TLS</b> ({@link Builder#ssl(boolean)}) always verifies the server: its certificate must
 * chain to a trusted root (the JVM's default trust store, or the PEM file set with
 * {@link Builder#rootCertificate(Path)}) and name the host the endpoint dials (endpoint
 * identification "HTTPS": a DNS name, or an IP-address entry for an address). A certificate for
 * another host is refused even if a public authority signed it. There is no switch to turn either
 * check off.
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} never shows the password; nothing in this
 * provider ever writes the password to a log, a report, evidence or an exception message.
 */
public final class RedisEndpoint {
    private static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);

    private final String host;
    private final int port;
    private final String user;
    private final Supplier<Secret> password;
    private final boolean entraToken;
    private final int database;
    private final boolean ssl;
    private final Path rootCertificate;
    private final Duration connectTimeout;
    private final Duration socketTimeout;

    private RedisEndpoint(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.user = b.user;
        this.password = b.password;
        this.entraToken = b.entraToken;
        this.database = b.database;
        this.ssl = b.ssl;
        this.rootCertificate = b.rootCertificate;
        this.connectTimeout = b.connectTimeout;
        this.socketTimeout = b.socketTimeout;
    }

    /** Starts a builder; {@link Builder#host(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this endpoint's values, to derive another. */
    public static Builder from(RedisEndpoint base) {
        Objects.requireNonNull(base, "base");
        Builder b = new Builder();
        b.host = base.host;
        b.port = base.port;
        b.user = base.user;
        b.password = base.password;
        b.entraToken = base.entraToken;
        b.database = base.database;
        b.ssl = base.ssl;
        b.rootCertificate = base.rootCertificate;
        b.connectTimeout = base.connectTimeout;
        b.socketTimeout = base.socketTimeout;
        return b;
    }

    /** The host name or address. */
    public String host() {
        return host;
    }

    /** The TCP port. */
    public int port() {
        return port;
    }

    /** The ACL user, if one is set (otherwise the password alone is sent, as {@code AUTH password}). */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /**
     * The password to log in with now, if one is set: the one given, or with {@link Builder#entraToken}
     * the current Entra ID access token (kept until 5 minutes before it expires, then fetched anew).
     * Every new connection asks here.
     *
     * @throws dev.rollback.api.RollbackException {@code CREDENTIAL_PROBLEM} if the credential gives
     *     no token
     */
    public Optional<Secret> password() {
        return password == null ? Optional.empty() : Optional.of(password.get());
    }

    /** Whether the password is a Microsoft Entra ID access token ({@link Builder#entraToken}). */
    public boolean usesEntraToken() {
        return entraToken;
    }

    /** The logical database (0-15 on most servers). */
    public int database() {
        return database;
    }

    /**
     * Whether the connection uses TLS (Azure Cache for Redis: port 6380 with TLS), with the
     * server's certificate chain and host name verified.
     */
    public boolean ssl() {
        return ssl;
    }

    /**
     * The PEM file of the root certificate(s) the server's certificate must chain to, when set;
     * otherwise the JVM's default trust store.
     */
    public Optional<Path> rootCertificate() {
        return Optional.ofNullable(rootCertificate);
    }

    /** How long opening a connection may take. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** How long one command may wait for its answer. */
    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** {@code host:port/db}, TLS or not; never the password. */
    @Override
    public String toString() {
        return "RedisEndpoint[" + host + ":" + port + "/" + database + (ssl ? ", tls" : "")
                + (user == null ? "" : ", user " + user)
                + (password == null ? "" : entraToken ? ", Entra ID token" : ", password ***") + "]";
    }

    /**
     * Builds a {@link RedisEndpoint}. Not thread-safe; {@link #build()} can be called again and each
     * endpoint built keeps its own values.
     */
    public static final class Builder {
        private String host;
        private int port = 6379;
        private String user;
        private Supplier<Secret> password;
        private boolean entraToken;
        private int database;
        private boolean ssl;
        private Path rootCertificate;
        private Duration connectTimeout = Duration.ofSeconds(2);
        private Duration socketTimeout = Duration.ofSeconds(2);

        private Builder() {}

        /** The host name or address; required, not blank, no spaces. */
        public Builder host(String host) {
            Arguments.requireText(host, "host");
            if (host.chars().anyMatch(Character::isWhitespace) || host.contains("/") || host.contains("@")) {
                throw new IllegalArgumentException("host must be a host name or address, but was '" + host + "'");
            }
            this.host = host;
            return this;
        }

        /** The TCP port, 1-65535. Default 6379. */
        public Builder port(int port) {
            this.port = Arguments.requireInRange(port, "port", 1, 65535);
            return this;
        }

        /** An ACL user name (Redis 6+). Default: none (the {@code default} user). */
        public Builder user(String user) {
            this.user = Arguments.requireText(user, "user");
            return this;
        }

        /** The password. Default: none. The last of this and {@link #entraToken} set applies. */
        public Builder password(Secret password) {
            Objects.requireNonNull(password, "password");
            this.password = () -> password;
            this.entraToken = false;
            return this;
        }

        /**
         * Passwordless Azure Cache for Redis: log in as the ACL user {@code objectId} (the object
         * id of the managed identity or service principal, as Azure names the Redis user of an Entra
         * principal) with a Microsoft Entra ID access token for {@code https://redis.azure.com/.default}
         * from {@code credential} (a {@code DefaultAzureCredential}, a managed identity) as the
         * password. The token is fetched when the first connection opens and kept until 5 minutes
         * before it expires; a connection opened after that authenticates with a fresh one.
         *
         * <p>The only method of this provider's endpoint that takes an Azure SDK type. It needs
         * {@code com.azure:azure-identity} (or azure-core) and {@code dev.rollback:rollback-azure},
         * optional dependencies of provider-redis: without them it fails with an error naming them.
         * Sets {@link #user}; the last of {@link #password} and this set applies.
         *
         * @param credential the credential; its token requests happen when connections open
         * @param objectId the principal's object id, the Redis user name; not blank
         */
        public Builder entraToken(TokenCredential credential, String objectId) {
            Objects.requireNonNull(credential, "credential");
            user(objectId);
            this.password = EntraPassword.redis(credential);
            this.entraToken = true;
            return this;
        }

        /** The logical database, 0-15. Default 0. */
        public Builder database(int database) {
            this.database = Arguments.requireInRange(database, "database", 0, 15);
            return this;
        }

        /**
         * Whether to use TLS, with the server's certificate chain and host name verified (see
         * {@link RedisEndpoint}). Default: no.
         */
        public Builder ssl(boolean ssl) {
            this.ssl = ssl;
            return this;
        }

        /**
         * A PEM file with the root certificate(s) the server's certificate must chain to, instead of
         * the JVM's default trust store (for a private authority); needs {@link #ssl(boolean)
         * ssl(true)}. An absolute path; read each time a connection is opened. Default: none.
         */
        public Builder rootCertificate(Path rootCertificate) {
            Objects.requireNonNull(rootCertificate, "rootCertificate");
            if (!rootCertificate.isAbsolute()) {
                throw new IllegalArgumentException("rootCertificate must be an absolute path, but was '"
                        + Arguments.printable(rootCertificate.toString()) + "'");
            }
            this.rootCertificate = rootCertificate;
            return this;
        }

        /** How long opening a connection may take; above zero, at most 5 minutes. Default 2 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Arguments.requirePositive(connectTimeout, "connectTimeout", MAX_TIMEOUT);
            return this;
        }

        /** How long one command may wait for its answer; above zero, at most 5 minutes. Default 2 s. */
        public Builder socketTimeout(Duration socketTimeout) {
            this.socketTimeout = Arguments.requirePositive(socketTimeout, "socketTimeout", MAX_TIMEOUT);
            return this;
        }

        /**
         * Builds the endpoint.
         *
         * @throws IllegalArgumentException if no host was set, a user was set without a password,
         *     or a root certificate without TLS
         */
        public RedisEndpoint build() {
            if (host == null) {
                throw new IllegalArgumentException("host is required, but was not set");
            }
            if (user != null && password == null) {
                throw new IllegalArgumentException("user '" + user + "' needs a password, but none was set");
            }
            if (rootCertificate != null && !ssl) {
                throw new IllegalArgumentException("rootCertificate " + rootCertificate + " is set but ssl is false;"
                        + " set ssl(true) to connect over TLS");
            }
            return new RedisEndpoint(this);
        }
    }
}
