package dev.rollback.postgres;

import com.azure.core.credential.TokenCredential;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.EntraPassword;
import dev.rollback.postgres.internal.ToolArguments;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where a PostgreSQL database is and how to log in to it: host, port, database, user and a
 * {@link Secret} password, or (Azure Database for PostgreSQL, passwordless) a Microsoft Entra ID
 * access token taken from an azure-identity credential when a connection is opened
 * ({@link Builder#entraToken}). Every value is checked when it is set so that none can be read by a
 * client tool as an option or a connection string ({@code -f/etc/passwd}, {@code host=evil
 * dbname=x}, {@code postgresql://...}, a leading {@code -}, {@code ..}, a line break).
 *
 * <p><b>TLS.</b> {@link #sslMode()} and {@link #sslRootCertificate()} say how the server is
 * checked, and the same settings reach the JDBC driver ({@code sslmode}, {@code sslrootcert}) and
 * every PostgreSQL tool this provider runs for the endpoint ({@code PGSSLMODE},
 * {@code PGSSLROOTCERT} in the tool's environment), so that pg_dump refuses the server JDBC
 * refuses. The default is {@link PostgresSslMode#VERIFY_FULL} for any host but a loopback one
 * ({@code localhost}, {@code 127.x.x.x}), which keeps the drivers' default
 * {@link PostgresSslMode#PREFER}. With a verifying mode and no root certificate, the server's
 * certificate must chain to a root of the JVM's default trust store (the JDBC driver uses that
 * store; the tools get its roots in a PEM file of their own). It never turns certificate checks
 * off on its own.
 *
 * <p>Immutable and thread-safe. Its {@link #toString()} and {@link #describe()} name host, port
 * and database, never the password; the JDBC URL it builds holds no credentials.
 */
public final class PostgresEndpoint {
    private static final Pattern LOOPBACK_IPV4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    /** The JDBC driver's factory over the JVM's default trust store (it still checks the host name). */
    private static final String JVM_TRUST_STORE_FACTORY = "org.postgresql.ssl.DefaultJavaSSLFactory";

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final Supplier<Secret> password;
    private final boolean entraToken;
    private final Duration connectTimeout;
    private final PostgresSslMode sslMode;
    private final Optional<PostgresSslMode> chosenSslMode;
    private final Optional<Path> sslRootCertificate;

    private PostgresEndpoint(Builder b, PostgresSslMode sslMode) {
        this.host = b.host;
        this.port = b.port;
        this.database = b.database;
        this.user = b.user;
        this.password = b.password;
        this.entraToken = b.entraToken;
        this.connectTimeout = b.connectTimeout;
        this.sslMode = sslMode;
        this.chosenSslMode = Optional.ofNullable(b.sslMode);
        this.sslRootCertificate = Optional.ofNullable(b.sslRootCertificate);
    }

    /** A builder; host, port, database, user and password are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder that starts from this endpoint's values (to point at another database or port). An
     * {@code sslMode} that was chosen stays; one left to its default is chosen again for the host
     * the new endpoint names.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.host = host;
        b.port = port;
        b.database = database;
        b.user = user;
        b.password = password;
        b.entraToken = entraToken;
        b.connectTimeout = connectTimeout;
        b.sslMode = chosenSslMode.orElse(null);
        b.sslRootCertificate = sslRootCertificate.orElse(null);
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

    /**
     * The password to log in with now: the one given, or with {@link Builder#entraToken} the current
     * Entra ID access token (kept until 5 minutes before it expires, then fetched anew, so each
     * call may give a newer one). Every connection and every client tool's password file asks here
     * when it is opened.
     *
     * @throws dev.rollback.api.RollbackException {@code CREDENTIAL_PROBLEM} if the credential gives
     *     no token
     */
    public Secret password() {
        return password.get();
    }

    /** Whether the password is a Microsoft Entra ID access token ({@link Builder#entraToken}). */
    public boolean usesEntraToken() {
        return entraToken;
    }

    /** How long opening a connection may take: the TCP connect and the login together. */
    public Duration connectTimeout() {
        return connectTimeout;
    }

    /**
     * How TLS is used and the server checked: the one set on the builder, else
     * {@link PostgresSslMode#VERIFY_FULL} for a non-loopback host and {@link PostgresSslMode#PREFER}
     * for a loopback one.
     */
    public PostgresSslMode sslMode() {
        return sslMode;
    }

    /**
     * The PEM file of the root certificate(s) the server's certificate must chain to, when set;
     * otherwise a verifying {@link #sslMode()} trusts the JVM's default trust store.
     */
    public Optional<Path> sslRootCertificate() {
        return sslRootCertificate;
    }

    /**
     * Whether {@code host} is a loopback name or address ({@code localhost}, {@code 127.x.x.x});
     * read from the text alone, no name is resolved.
     */
    static boolean isLoopback(String host) {
        return host.equalsIgnoreCase("localhost") || LOOPBACK_IPV4.matcher(host).matches();
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
        props.setProperty("password", password().reveal());
        String seconds = Long.toString(Math.max(1, connectTimeout.toSeconds()));
        props.setProperty("connectTimeout", seconds);
        // connectTimeout bounds the TCP connect only; a server (or a path) that accepts and then
        // never answers the startup would hold the caller until the server's authentication_timeout
        props.setProperty("loginTimeout", seconds);
        props.setProperty("ApplicationName", "rollback");
        props.setProperty("sslmode", sslMode.libpqName());
        if (sslMode.verifiesCertificate()) {
            if (sslRootCertificate.isPresent()) {
                props.setProperty("sslrootcert", sslRootCertificate.get().toString());
            } else {
                props.setProperty("sslfactory", JVM_TRUST_STORE_FACTORY);
            }
        }
        return DriverManager.getConnection(jdbcUrl(), props);
    }

    /** A {@link DataSource} that opens a new connection to this endpoint per call (no pool). */
    public DataSource dataSource() {
        return new EndpointDataSource(this);
    }

    @Override
    public String toString() {
        return "PostgresEndpoint[" + describe() + ", user=" + user + (entraToken ? ", Entra ID token" : "")
                + ", sslmode=" + sslMode + "]";
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
        private Supplier<Secret> password;
        private boolean entraToken;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private PostgresSslMode sslMode;
        private Path sslRootCertificate;

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

        /** The password. Required, unless {@link #entraToken} is set; the last of the two set applies. */
        public Builder password(Secret password) {
            Objects.requireNonNull(password, "password");
            this.password = () -> password;
            this.entraToken = false;
            return this;
        }

        /**
         * Passwordless Azure Database for PostgreSQL: log in as {@link #user} with a Microsoft Entra
         * ID access token for {@code https://ossrdbms-aad.database.windows.net/.default} from
         * {@code credential} (a {@code DefaultAzureCredential}, a managed identity), instead of a
         * password. The token is fetched when the first connection opens and kept until 5 minutes
         * before it expires; a connection or a client tool (pg_dump, pg_restore) started after that
         * gets a fresh one, the tools through their private password file, never on a command line.
         * The user is the Entra principal's PostgreSQL role (the managed identity's name).
         *
         * <p>The only method of this provider's endpoint that takes an Azure SDK type. It needs
         * {@code com.azure:azure-identity} (or azure-core) and {@code dev.rollback:rollback-azure},
         * optional dependencies of provider-postgres: without them it fails with an error naming them.
         * The last of {@link #password} and this set applies.
         *
         * @param credential the credential; its token requests happen when connections open
         */
        public Builder entraToken(TokenCredential credential) {
            Objects.requireNonNull(credential, "credential");
            this.password = EntraPassword.postgres(credential);
            this.entraToken = true;
            return this;
        }

        /** How long opening a connection may take. Default: 10 seconds; positive. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Arguments.requirePositive(connectTimeout, "connectTimeout");
            return this;
        }

        /**
         * How TLS is used and the server checked (see {@link PostgresSslMode}). Default:
         * {@link PostgresSslMode#VERIFY_FULL} for any host but a loopback one ({@code localhost},
         * {@code 127.x.x.x}), which gets {@link PostgresSslMode#PREFER}, the drivers' own default.
         */
        public Builder sslMode(PostgresSslMode sslMode) {
            this.sslMode = Objects.requireNonNull(sslMode, "sslMode");
            return this;
        }

        /**
         * A PEM file with the root certificate(s) the server's certificate must chain to, for
         * {@link PostgresSslMode#VERIFY_FULL} and {@link PostgresSslMode#VERIFY_CA} (required by
         * the latter). An absolute, normalized path; read when a connection is opened. Default:
         * none, the JVM's default trust store.
         */
        public Builder sslRootCertificate(Path sslRootCertificate) {
            this.sslRootCertificate = ToolArguments.requireAbsolutePath(sslRootCertificate, "sslRootCertificate");
            return this;
        }

        /**
         * The endpoint.
         *
         * @throws IllegalStateException if a required value is missing, a root certificate is set
         *     for a mode that does not check certificates, or {@code verify-ca} has no root
         *     certificate
         */
        public PostgresEndpoint build() {
            requireSet(host, "host");
            requireSet(database, "database");
            requireSet(user, "user");
            requireSet(password, "password (or entraToken)");
            PostgresSslMode mode =
                    sslMode != null ? sslMode : isLoopback(host) ? PostgresSslMode.PREFER : PostgresSslMode.VERIFY_FULL;
            if (sslRootCertificate != null && !mode.verifiesCertificate()) {
                throw new IllegalStateException("sslRootCertificate is used only with sslMode verify-ca or verify-full,"
                        + " but sslMode is " + mode + " for host " + host);
            }
            if (mode == PostgresSslMode.VERIFY_CA && sslRootCertificate == null) {
                throw new IllegalStateException("sslMode verify-ca needs an sslRootCertificate: it does not check the"
                        + " host name, so the public roots of the JVM's trust store would accept any of their hosts");
            }
            return new PostgresEndpoint(this, mode);
        }

        private static void requireSet(Object value, String field) {
            if (value == null) {
                throw new IllegalStateException(field + " is required");
            }
        }
    }
}
