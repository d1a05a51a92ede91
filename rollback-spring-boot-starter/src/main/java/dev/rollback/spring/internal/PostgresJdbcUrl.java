package dev.rollback.spring.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.postgres.PostgresEndpoint;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;

/**
 * Reads an application's PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/database?...}) and its
 * user and password into a {@link PostgresEndpoint}, for the journal and run lock, which open their own
 * sessions (a session lock must own its session, so they never borrow from the application's pool). Only
 * one host; the URL's parameters are not carried over. Errors name the URL without its parameters and
 * never the password. Stateless.
 */
public final class PostgresJdbcUrl {
    private static final String PREFIX = "jdbc:postgresql:";

    private PostgresJdbcUrl() {}

    /**
     * The endpoint of {@code jdbcUrl}, logging in as {@code user} with {@code password}.
     *
     * @throws RollbackException with {@link ErrorCode#INVALID_CONFIGURATION} for a URL that is not a
     *     single-host PostgreSQL URL with a database, or a missing user
     */
    public static PostgresEndpoint endpoint(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        int query = jdbcUrl.indexOf('?');
        String shown = query < 0 ? jdbcUrl : jdbcUrl.substring(0, query);
        if (!jdbcUrl.startsWith(PREFIX + "//")) {
            throw invalid(shown, "it is not a jdbc:postgresql://host[:port]/database URL");
        }
        URI uri;
        try {
            uri = new URI(shown.substring("jdbc:".length()));
        } catch (URISyntaxException e) {
            throw invalid(shown, "it cannot be read: " + e.getReason());
        }
        String host = uri.getHost();
        if (host == null || shown.substring(PREFIX.length() + 2).contains(",")) {
            throw invalid(shown, "it must name exactly one host");
        }
        String path = uri.getPath();
        if (path == null || path.length() < 2) {
            throw invalid(shown, "it names no database");
        }
        if (user == null || user.isBlank()) {
            throw invalid(shown, "no user is set (spring.datasource.username)");
        }
        try {
            return PostgresEndpoint.builder()
                    .host(host)
                    .port(uri.getPort() < 0 ? 5432 : uri.getPort())
                    .database(path.substring(1))
                    .user(user)
                    .password(Secret.of(password == null ? "" : password))
                    .build();
        } catch (IllegalArgumentException e) {
            throw invalid(shown, e.getMessage());
        }
    }

    private static RollbackException invalid(String url, String why) {
        return new RollbackException(
                ErrorCode.INVALID_CONFIGURATION,
                "the DataSource URL '" + url + "' cannot hold the PostgreSQL journal and run lock: " + why
                        + "; declare Journal and RunLock beans of your own instead");
    }
}
