package dev.rollback.testkit.azure;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A snapshot of the requests the {@link AzureControlPlaneSimulator} received, oldest first, with
 * filters for assertions: {@code simulator.requests().matching("POST", "/slotsswap").count()}.
 *
 * <p>Immutable and thread-safe; later requests are not added to it.
 *
 * @param all every request in the snapshot, oldest first
 */
public record RecordedRequests(List<RecordedRequest> all) {

    /**
     * Copies the list.
     */
    public RecordedRequests {
        all = List.copyOf(all);
    }

    /**
     * The requests with this method whose path ends with {@code pathSuffix}.
     *
     * @param method e.g. {@code POST}
     * @param pathSuffix e.g. {@code /slots/staging/slotsswap}; the query string is not part of the path
     * @return the matching requests
     */
    public RecordedRequests matching(String method, String pathSuffix) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pathSuffix, "pathSuffix");
        return filter(r -> r.method().equalsIgnoreCase(method) && r.path().endsWith(pathSuffix));
    }

    /**
     * The requests served as this operation.
     *
     * @param operation the operation
     * @return the matching requests
     */
    public RecordedRequests forOperation(AzureOperation operation) {
        Objects.requireNonNull(operation, "operation");
        return filter(r -> r.operation().filter(operation::equals).isPresent());
    }

    /**
     * The requests that satisfy a predicate.
     *
     * @param predicate the condition
     * @return the matching requests
     */
    public RecordedRequests filter(Predicate<? super RecordedRequest> predicate) {
        return new RecordedRequests(all.stream().filter(predicate).toList());
    }

    /**
     * How many requests there are.
     *
     * @return the count
     */
    public int count() {
        return all.size();
    }

    /**
     * The last request.
     *
     * @return the newest request
     * @throws IllegalStateException if there is none
     */
    public RecordedRequest last() {
        if (all.isEmpty()) {
            throw new IllegalStateException("no request recorded");
        }
        return all.get(all.size() - 1);
    }
}
