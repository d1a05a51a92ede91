package dev.rollback.testkit.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * An answer of the simulated Resource Manager, before WireMock renders it.
 *
 * @param status the HTTP status
 * @param headers headers besides {@code Content-Type}
 * @param body the JSON body, or null for none
 */
record ArmResponse(int status, Map<String, String> headers, JsonNode body) {

    /** Builds every JSON body of the simulator. */
    static final ObjectMapper JSON = new ObjectMapper();

    static ArmResponse ok(JsonNode body) {
        return new ArmResponse(200, Map.of(), body);
    }

    static ArmResponse noContent() {
        return new ArmResponse(204, Map.of(), null);
    }

    static ArmResponse accepted(Map<String, String> headers) {
        return new ArmResponse(202, headers, null);
    }

    /** An ARM error: {@code {"error":{"code":...,"message":...}}}. */
    static ArmResponse error(int status, String code, String message) {
        return new ArmResponse(status, Map.of(), errorBody(code, message));
    }

    static ArmResponse notFound(String type, String resourceGroup, String name) {
        return error(
                404,
                "ResourceNotFound",
                "The Resource '" + type + "/" + name + "' under resource group '" + resourceGroup + "' was not found.");
    }

    static ObjectNode errorBody(String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return body;
    }
}
