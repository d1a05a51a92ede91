package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request the {@link AzureControlPlaneSimulator} received, from WireMock's request journal.
 *
 * @param method the HTTP method, e.g. {@code POST}
 * @param path the path without the query string
 * @param query the query parameters, each with its values
 * @param headers the request headers, each with its values; look them up with {@link #header}
 * @param body the request body, empty if none
 * @param operation the operation whose stub matched it; empty for a request no stub served (WireMock
 *     answered 404)
 * @param status the status of the answer; 0 when the answer was a network fault
 * @param receivedAt when the simulator received it (system clock)
 */
public record RecordedRequest(
        String method,
        String path,
        Map<String, List<String>> query,
        Map<String, List<String>> headers,
        String body,
        Optional<AzureOperation> operation,
        int status,
        Instant receivedAt) {

    /**
     * Copies the maps.
     */
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /**
     * The first value of a header, looked up without regard to case.
     *
     * @param name e.g. {@code Authorization}
     * @return the value, empty if the header was absent
     */
    public Optional<String> header(String name) {
        return headers.entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0))
                .findFirst();
    }

    /**
     * The first value of a query parameter.
     *
     * @param name e.g. {@code api-version}
     * @return the value, empty if the parameter was absent
     */
    public Optional<String> queryParameter(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty()).map(v -> v.get(0));
    }

    @Override
    public String toString() {
        return method + " " + path + " -> " + (status == 0 ? "fault" : status);
    }
}
