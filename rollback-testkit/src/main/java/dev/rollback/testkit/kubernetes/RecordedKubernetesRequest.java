package dev.rollback.testkit.kubernetes;

import java.util.Objects;
import java.util.Optional;

/**
 * One request the {@link KubernetesMockApiServer} received from a client under test (the kit's own
 * clients are not recorded), and how it was answered.
 *
 * @param method the HTTP method
 * @param path the path without query
 * @param query the query string without {@code ?}, empty if none
 * @param contentType the request's {@code Content-Type}, empty if none
 * @param body the request body, empty if none
 * @param status the status answered; 0 when the connection was reset instead
 * @param fault the fault this request met, if any
 */
public record RecordedKubernetesRequest(
        String method,
        String path,
        String query,
        String contentType,
        String body,
        int status,
        Optional<KubernetesFault.Kind> fault) {

    /** Validates. */
    public RecordedKubernetesRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(fault, "fault");
    }

    /** Whether this request could change something (POST, PUT, PATCH, DELETE). */
    public boolean isWrite() {
        return !method.equals("GET");
    }

    /** The value of one query parameter, if present (not decoded). */
    public Optional<String> queryParameter(String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return Optional.empty();
    }
}
