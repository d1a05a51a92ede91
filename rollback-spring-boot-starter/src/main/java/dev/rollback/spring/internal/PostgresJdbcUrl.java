package dev.rollback.spring.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.SafeText;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.PostgresSslMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an application's PostgreSQL JDBC URL ({@code jdbc:postgresql://host:port/database?...}) and its
 * user and password into a {@link PostgresEndpoint}, for the journal and run lock, which open their own
 * sessions (a session lock must own its session, so they never borrow from the application's pool). Only
 * one host. Of the URL's parameters, the TLS ones ({@code sslmode}, {@code sslrootcert}) are carried
 * over, so the journal verifies the server as the application does; without them the endpoint's own
 * default applies ({@code verify-full} for any non-loopback host). Other parameters are not carried
 * over. Errors name the URL without its parameters and never the password. Stateless.
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
            PostgresEndpoint.Builder endpoint = PostgresEndpoint.builder()
                    .host(host)
                    .port(uri.getPort() < 0 ? 5432 : uri.getPort())
                    .database(path.substring(1))
                    .user(user)
                    .password(Secret.of(password == null ? "" : password));
            Map<String, String> parameters = query < 0 ? Map.of() : parameters(jdbcUrl.substring(query + 1));
            String sslMode = parameters.get("sslmode");
            if (sslMode != null) {
                endpoint.sslMode(sslMode(shown, sslMode));
            }
            String rootCertificate = parameters.get("sslrootcert");
            if (rootCertificate != null) {
                endpoint.sslRootCertificate(Path.of(rootCertificate));
            }
            return endpoint.build();
        } catch (IllegalArgumentException e) {
            throw invalid(shown, e.getMessage());
        }
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                parameters.put(
                        URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return parameters;
    }

    private static PostgresSslMode sslMode(String url, String value) {
        for (PostgresSslMode mode : PostgresSslMode.values()) {
            if (mode.libpqName().equals(value)) {
                return mode;
            }
        }
        throw invalid(
                url,
                "its sslmode '" + SafeText.escape(value) + "' is not one of "
                        + Arrays.toString(PostgresSslMode.values()));
    }

    private static RollbackException invalid(String url, String why) {
        return new RollbackException(
                ErrorCode.INVALID_CONFIGURATION,
                "the DataSource URL '" + url + "' cannot hold the PostgreSQL journal and run lock: " + why
                        + "; declare Journal and RunLock beans of your own instead");
    }
}
