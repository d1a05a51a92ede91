package dev.rollback.testkit.azure;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The long-running operations of the simulator, polled as Azure's are.
 *
 * <p>An accepted request answers 202 with one polling URL: {@code Azure-AsyncOperation} (its GET
 * answers {@code {"status":"InProgress|Succeeded|Failed"}}) or {@code Location} (its GET answers
 * 202 while running, 204 when done, an ARM error when failed). An operation advances each time it
 * is polled or its resource is read (a client that lost the polling URL and watches the resource
 * sees it finish too): it answers "in progress" a configured number of times, then completes on
 * the next, and only then does its effect happen (or, for a failed one, its undo). Not
 * thread-safe: callers hold the simulator's lock.
 */
final class LongRunningOperations {

    /** Which polling header an operation answers with, as its Azure resource provider does. */
    enum Style {
        /** {@code Azure-AsyncOperation}: a status resource. */
        ASYNC_OPERATION,
        /** {@code Location}: 202 until done. */
        LOCATION
    }

    private static final String IN_PROGRESS = "InProgress";
    private static final String SUCCEEDED = "Succeeded";
    private static final String FAILED = "Failed";

    private final Map<String, Operation> operations = new HashMap<>();
    private final String subscriptionId;
    private final Clock clock;
    private final int inProgressPolls;
    private final Duration retryAfter;
    private int nextId = 1;

    LongRunningOperations(String subscriptionId, Clock clock, int inProgressPolls, Duration retryAfter) {
        this.subscriptionId = subscriptionId;
        this.clock = clock;
        this.inProgressPolls = inProgressPolls;
        this.retryAfter = retryAfter;
    }

    /**
     * Starts an operation and answers 202 with its polling URL.
     *
     * @param request the request that starts it; its {@link ArmRequest#failure()} makes it fail
     * @param namespace the resource provider, e.g. {@code Microsoft.Web}
     * @param location the region of the resource, part of the polling URL
     * @param style which polling header to answer with
     * @param resourceId the ARM id of the resource it changes; reading it advances the operation
     * @param effect what happens when it succeeds
     * @param undo what happens when it fails (undoes what accepting it did)
     * @return the 202 answer
     */
    ArmResponse start(
            ArmRequest request,
            String namespace,
            String location,
            Style style,
            String resourceId,
            Runnable effect,
            Runnable undo) {
        String id = "op-" + nextId++;
        operations.put(
                id,
                new Operation(
                        id,
                        resourceId,
                        request.failure(),
                        effect,
                        undo,
                        clock.instant().toString()));
        String base = request.baseUrl() + "/subscriptions/" + subscriptionId + "/providers/" + namespace + "/locations/"
                + location.toLowerCase(Locale.ROOT).replace(" ", "") + "/";
        String apiVersion = "?api-version=" + request.operation().apiVersion().orElseThrow();
        String header = style == Style.ASYNC_OPERATION ? "Azure-AsyncOperation" : "Location";
        String url =
                base + (style == Style.ASYNC_OPERATION ? "operationStatuses/" : "operationResults/") + id + apiVersion;
        return ArmResponse.accepted(Map.of(header, url, "Retry-After", retryAfterSeconds()));
    }

    /** Advances the operations that change this resource, as a poll would. */
    void observe(String resourceId) {
        operations.values().stream()
                .filter(operation -> operation.resourceId.equals(resourceId))
                .forEach(Operation::poll);
    }

    /** Answers a GET of an {@code Azure-AsyncOperation} URL. */
    ArmResponse status(ArmRequest request) {
        Operation operation = operations.get(request.path("operationId"));
        if (operation == null) {
            return unknown(request);
        }
        operation.poll();
        ObjectNode body = ArmResponse.JSON
                .createObjectNode()
                .put(
                        "id",
                        request.baseUrl() + "/subscriptions/" + subscriptionId + "/providers/"
                                + request.path("namespace") + "/locations/" + request.path("location")
                                + "/operationStatuses/" + operation.id)
                .put("name", operation.id)
                .put("status", operation.status)
                .put("startTime", operation.startTime);
        if (operation.endTime != null) {
            body.put("endTime", operation.endTime);
        }
        if (FAILED.equals(operation.status)) {
            body.set(
                    "error",
                    ArmResponse.errorBody(operation.failure.code(), operation.failure.message())
                            .get("error"));
        }
        return IN_PROGRESS.equals(operation.status)
                ? new ArmResponse(200, Map.of("Retry-After", retryAfterSeconds()), body)
                : ArmResponse.ok(body);
    }

    /** Answers a GET of a {@code Location} URL. */
    ArmResponse result(ArmRequest request) {
        Operation operation = operations.get(request.path("operationId"));
        if (operation == null) {
            return unknown(request);
        }
        operation.poll();
        return switch (operation.status) {
            case IN_PROGRESS -> ArmResponse.accepted(Map.of("Retry-After", retryAfterSeconds()));
            case FAILED -> ArmResponse.error(400, operation.failure.code(), operation.failure.message());
            default -> ArmResponse.noContent();
        };
    }

    private String retryAfterSeconds() {
        return Long.toString(retryAfter.getSeconds());
    }

    private static ArmResponse unknown(ArmRequest request) {
        return ArmResponse.error(
                404, "OperationNotFound", "The operation '" + request.path("operationId") + "' was not found.");
    }

    /** One operation and its progress. */
    private final class Operation {
        private final String id;
        private final String resourceId;
        private final AzureFault failure;
        private final Runnable effect;
        private final Runnable undo;
        private final String startTime;
        private String status = IN_PROGRESS;
        private String endTime;
        private int polls;

        Operation(String id, String resourceId, AzureFault failure, Runnable effect, Runnable undo, String startTime) {
            this.id = id;
            this.resourceId = resourceId;
            this.failure = failure;
            this.effect = effect;
            this.undo = undo;
            this.startTime = startTime;
        }

        /** Counts a poll; completes the operation when it has answered "in progress" often enough. */
        void poll() {
            if (!IN_PROGRESS.equals(status) || polls++ < inProgressPolls) {
                return;
            }
            if (failure == null) {
                effect.run();
                status = SUCCEEDED;
            } else if (failure.kind() == AzureFault.Kind.OPERATION_FAILED_AFTER_EFFECT) {
                effect.run();
                status = FAILED;
            } else {
                undo.run();
                status = FAILED;
            }
            endTime = clock.instant().toString();
        }
    }
}
