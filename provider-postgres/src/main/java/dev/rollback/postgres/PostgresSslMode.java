package dev.rollback.postgres;

/**
 * How a connection to PostgreSQL uses TLS, with libpq's names ({@code sslmode}): the same value
 * goes to the JDBC driver and to every PostgreSQL tool the provider runs (pg_dump, pg_restore,
 * pg_basebackup), so that both check the server alike.
 *
 * <p>Only {@link #VERIFY_FULL} proves that the server is the host named in the endpoint: it checks
 * the certificate chain against a trusted root and the host name against the certificate.
 * {@link #VERIFY_CA} checks the chain only and therefore needs a private root certificate (see
 * {@link PostgresEndpoint.Builder#sslRootCertificate}). {@link #REQUIRE} and {@link #PREFER}
 * encrypt but accept any certificate, so anyone on the path can pose as the server;
 * {@link #DISABLE} does not encrypt at all.
 *
 * <p>The default of an endpoint is {@link #VERIFY_FULL} for any host but a loopback one
 * ({@code localhost}, {@code 127.x.x.x}), which keeps the drivers' own default, {@link #PREFER}.
 */
public enum PostgresSslMode {
    /** No TLS. */
    DISABLE("disable"),
    /** TLS if the server offers it, no certificate check; the loopback default. */
    PREFER("prefer"),
    /** TLS or no connection, no certificate check. */
    REQUIRE("require"),
    /** TLS, the certificate chain checked against the configured root certificate, not the host name. */
    VERIFY_CA("verify-ca"),
    /** TLS, the certificate chain and the host name checked; the default for any non-loopback host. */
    VERIFY_FULL("verify-full");

    private final String libpqName;

    PostgresSslMode(String libpqName) {
        this.libpqName = libpqName;
    }

    /** The name libpq and the JDBC driver use ({@code verify-full}). */
    public String libpqName() {
        return libpqName;
    }

    /** Whether the server's certificate chain is checked (verify-ca and verify-full). */
    public boolean verifiesCertificate() {
        return this == VERIFY_CA || this == VERIFY_FULL;
    }

    @Override
    public String toString() {
        return libpqName;
    }
}
