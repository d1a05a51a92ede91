package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Map;
import java.util.Optional;

/**
 * A request to the simulated Resource Manager, as its handlers see it.
 *
 * @param operation the operation its stub serves
 * @param pathParameters the values of the operation's path template
 * @param query the query parameters (first value of each)
 * @param body the request body, empty if none
 * @param baseUrl scheme, host and port the client used, for the polling URLs
 * @param failure an {@link AzureFault#operationFailed} fault to apply to the operation it starts, or null
 */
record ArmRequest(
        AzureOperation operation,
        Map<String, String> pathParameters,
        Map<String, String> query,
        String body,
        String baseUrl,
        AzureFault failure) {

    String path(String name) {
        return pathParameters.get(name);
    }

    Optional<String> query(String name) {
        return Optional.ofNullable(query.get(name));
    }

    /**
     * The body as JSON.
     *
     * @return the tree; a missing node for an empty body
     * @throws JsonProcessingException if the body is not JSON
     */
    JsonNode json() throws JsonProcessingException {
        return body.isBlank() ? MissingNode.getInstance() : ArmResponse.JSON.readTree(body);
    }
}
