package dev.rollback.postgres;

import dev.rollback.api.Secret;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Where a PostgreSQL database is and how to log in to it: host, port, database, user and a
 * {@link Secret} password. Every value is checked when it is set so that none can be read by a
 * client tool as an option or a connection string ({@code -f/etc/passwd}, {@code host=evil
 * dbname=x}, {@code postgresql://...}, a leading {@code -}, {@code ..}, a line break).
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} and {@link #describe()} name host, port
 * and database, never the password; the JDBC URL it builds holds no credentials.
 */
public final class PostgresEndpoint {
    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final Secret password;
    private final Duration connectTimeout;

    private PostgresEndpoint(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.connectTimeout = b.connectTimeout;
    }

    /** A builder; host, port, database, user and password are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from this endpoint's values (to point at another database or port). */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.database = database;
        b.user = user;
        b.password = password;
        b.connectTimeout = connectTimeout;
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

    /** The database name. */
    public String database() {
        return database;
    }

    /** The user (role) name. */
    public String user() {
        return user;
    }

    /** The password. */
    public Secret password() {
        return password;
    }

    /** How long opening a connection may take: the TCP connect and the login together. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** The JDBC URL of the database; it holds no credentials. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** "host:port/database", for messages and evidence. */
    public String describe() {
        return host + ":" + port + "/" + database;
    }

    /**
     * Opens a new connection.
     *
     * @throws SQLException if it fails; the driver's message never holds the password
     */
    public Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password.reveal());
        String seconds = Long.toString(Math.max(1, connectTimeout.toSeconds()));
        props.setProperty("connectTimeout", seconds);
        // connectTimeout bounds the TCP connect only; a server (or a path) that accepts and then
        // never answers the startup would hold the caller until the server's authentication_timeout
        props.setProperty("loginTimeout", seconds);
        props.setProperty("ApplicationName", "rollback");
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** A {@link DataSource} that opens a new connection to this endpoint per call (no pool). */
    public DataSource dataSource() {
        return new EndpointDataSource(this);
    }

    @Override
    public String toString() {
        return "PostgresEndpoint[" + describe() + ", user=" + user + "]";
    }

    /** A pool-less data source over one endpoint. */
    private static final class EndpointDataSource implements DataSource {
        private final PostgresEndpoint endpoint;

        EndpointDataSource(PostgresEndpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public Connection getConnection() throws SQLException {
            return endpoint.connect();
        }

        @Override
        public Connection getConnection(String username, String pw) throws SQLException {
            throw new SQLFeatureNotSupportedException("the endpoint's own credentials are used");
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // no log writer
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // the endpoint's connectTimeout applies
        }

        @Override
        public int getLoginTimeout() {
            return (int) endpoint.connectTimeout.toSeconds();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no java.util.logging");
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            if (iface.isInstance(this)) {
                return iface.cast(this);
            }
            throw new SQLException("not a wrapper for " + iface.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return iface.isInstance(this);
        }

        @Override
        public String toString() {
            return "DataSource[" + endpoint.describe() + "]";
        }
    }

    /**
     * Builds a {@link PostgresEndpoint}. Not thread-safe; {@link #build()} may be called again and
     * never changes an endpoint already built.
     */
    public static final class Builder {
        private String host;
        private int port = 5432;
        private String database;
        private String user;
        private Secret password;
        private Duration connectTimeout = Duration.ofSeconds(10);

        private Builder() {}

        /** The host name or IPv4 address. Required. */
        public Builder host(String host) {
            this.host = ToolArguments.requireHost(host, "host");
            return this;
        }

        /** The TCP port, 1-65535. Default: 5432. */
        public Builder port(int port) {
            this.port = ToolArguments.requirePort(port, "port");
            return this;
        }

        /** The database name (see {@link PostgresEndpoint} for the characters allowed). Required. */
        public Builder database(String database) {
            this.database = ToolArguments.requireName(database, "database");
            return this;
        }

        /** The user (role) name. Required. */
        public Builder user(String user) {
            this.user = ToolArguments.requireName(user, "user");
            return this;
        }

        /** The password. Required. */
        public Builder password(Secret password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** How long opening a connection may take. Default: 10 seconds; positive. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Arguments.requirePositive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * The endpoint.
         *
         * @throws IllegalStateException if a required value is missing
         */
        public PostgresEndpoint build() {
            requireSet(host, "host");
            requireSet(database, "database");
            requireSet(user, "user");
            requireSet(password, "password");
            return new PostgresEndpoint(this);
        }

        private static void requireSet(Object value, String field) {
            if (value == null) {
                throw new IllegalStateException(field + " is required");
            }
        }
    }
}
