package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code Microsoft.Cdn}: classic CDN endpoints and Front Door Standard/Premium endpoints, read and
 * purged. Called with the simulator's lock held.
 *
 * <p>A purge ({@code POST .../purge}, body {@code {"contentPaths":[..]}}, Front Door also
 * {@code "domains"}) is a long-running operation answered 202 with an {@code Azure-AsyncOperation}
 * URL, as Azure answers it; the purge counts (is recorded on the endpoint) when the operation
 * succeeds. Content paths must be non-empty and each start with {@code /} (400 {@code BadRequest}
 * otherwise); a purge of paths already purged is accepted again, as Azure does.
 */
final class CdnApi {

    private static final String NAMESPACE = "Microsoft.Cdn";

    private final SimulatedResources resources;
    private final LongRunningOperations operations;

    CdnApi(SimulatedResources resources, LongRunningOperations operations) {
        this.resources = resources;
        this.operations = operations;
    }

    ArmResponse handle(ArmRequest request) throws JsonProcessingException {
        String resourceGroup = request.path("resourceGroupName");
        String profile = request.path("profile");
        String name = request.path("name");
        boolean frontDoor = request.operation() == AzureOperation.AFD_ENDPOINT_GET
                || request.operation() == AzureOperation.AFD_ENDPOINT_PURGE;
        String type = NAMESPACE + "/profiles/" + (frontDoor ? "afdendpoints" : "endpoints");
        SimulatedCdnEndpoint endpoint = resources
                .findCdnEndpoint(resourceGroup, profile, name, frontDoor)
                .orElse(null);
        if (endpoint == null) {
            return ArmResponse.notFound(type, resourceGroup, profile + "/" + name);
        }
        String id = resources.resourceId(resourceGroup, NAMESPACE + "/profiles", profile)
                + (frontDoor ? "/afdEndpoints/" : "/endpoints/")
                + name;
        if (request.operation().method().equals("GET")) {
            operations.observe(id);
            return ArmResponse.ok(endpoint(endpoint, id, type));
        }
        return purge(request, endpoint, id);
    }

    private static ObjectNode endpoint(SimulatedCdnEndpoint endpoint, String id, String type) {
        ObjectNode body = ArmResponse.JSON
                .createObjectNode()
                .put("id", id)
                .put("name", endpoint.name())
                .put("type", type)
                .put("location", endpoint.location());
        body.putObject("tags");
        ObjectNode properties = body.putObject("properties")
                .put("hostName", endpoint.hostName())
                .put("provisioningState", "Succeeded");
        if (endpoint.frontDoor()) {
            properties.put("enabledState", "Enabled").put("deploymentStatus", "Succeeded");
        } else {
            properties
                    .put("resourceState", "Running")
                    .put("isHttpAllowed", true)
                    .put("isHttpsAllowed", true);
            properties
                    .putArray("origins")
                    .addObject()
                    .put("name", "origin")
                    .putObject("properties")
                    .put("hostName", "origin.advisoros.example");
        }
        return body;
    }

    private ArmResponse purge(ArmRequest request, SimulatedCdnEndpoint endpoint, String id)
            throws JsonProcessingException {
        JsonNode body = request.json();
        List<String> paths = texts(body.path("contentPaths"));
        if (paths.isEmpty() || paths.stream().anyMatch(p -> !p.startsWith("/"))) {
            return ArmResponse.error(
                    400,
                    "BadRequest",
                    "contentPaths must be a non-empty list of paths starting with '/', was "
                            + body.path("contentPaths"));
        }
        List<String> domains = texts(body.path("domains"));
        return operations.start(
                request,
                NAMESPACE,
                "global",
                LongRunningOperations.Style.ASYNC_OPERATION,
                id,
                () -> endpoint.purged(paths, domains, resources.clock().instant()),
                () -> {});
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            array.forEach(n -> out.add(n.asText()));
        }
        return out;
    }
}
