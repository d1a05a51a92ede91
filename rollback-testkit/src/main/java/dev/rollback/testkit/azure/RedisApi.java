package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;

/**
 * {@code Microsoft.Cache}: Azure Cache for Redis and its force reboot. Called with the simulator's
 * lock held.
 *
 * <p>A force reboot is answered 200 at once, as Azure does and as the SDK expects (its
 * {@code forceReboot} accepts no other status): the nodes reboot in the background, which the
 * control plane does not report.
 */
final class RedisApi {

    private static final String TYPE = "Microsoft.Cache/Redis";
    private static final Set<String> REBOOT_TYPES = Set.of("AllNodes", "PrimaryNode", "SecondaryNode");

    private final SimulatedResources resources;

    RedisApi(SimulatedResources resources) {
        this.resources = resources;
    }

    ArmResponse handle(ArmRequest request) throws JsonProcessingException {
        String resourceGroup = request.path("resourceGroupName");
        String name = request.path("name");
        SimulatedRedisCache cache =
                resources.findRedisCache(resourceGroup, name).orElse(null);
        if (cache == null) {
            return ArmResponse.notFound(TYPE, resourceGroup, name);
        }
        return switch (request.operation()) {
            case REDIS_GET -> ArmResponse.ok(cache(cache));
            case REDIS_FORCE_REBOOT ->
                forceReboot(cache, request.json().path("rebootType").asText(""));
            default -> throw new IllegalArgumentException("not a Microsoft.Cache operation: " + request.operation());
        };
    }

    private ObjectNode cache(SimulatedRedisCache cache) {
        ObjectNode body = ArmResponse.JSON
                .createObjectNode()
                .put("id", resources.resourceId(cache.resourceGroup(), "Microsoft.Cache/redis", cache.name()))
                .put("name", cache.name())
                .put("type", TYPE)
                .put("location", cache.location());
        body.putObject("tags");
        ObjectNode properties = body.putObject("properties")
                .put("provisioningState", cache.provisioningState())
                .put("redisVersion", "6.0")
                .put("enableNonSslPort", false)
                .put("minimumTlsVersion", "1.2")
                .put("publicNetworkAccess", "Enabled")
                .put("hostName", cache.name() + ".redis.cache.windows.net")
                .put("port", 6379)
                .put("sslPort", 6380);
        properties.putObject("sku").put("name", "Standard").put("family", "C").put("capacity", 1);
        properties.putObject("redisConfiguration");
        ArrayNode instances = properties.putArray("instances");
        instances.addObject().put("sslPort", 15000).put("isMaster", true).put("isPrimary", true);
        instances.addObject().put("sslPort", 15001).put("isMaster", false).put("isPrimary", false);
        return body;
    }

    private static ArmResponse forceReboot(SimulatedRedisCache cache, String rebootType) {
        if (!REBOOT_TYPES.contains(rebootType)) {
            return ArmResponse.error(
                    400,
                    "InvalidRequestBody",
                    "rebootType must be one of " + REBOOT_TYPES + ", was '" + rebootType + "'.");
        }
        cache.reboot(rebootType);
        return ArmResponse.ok(ArmResponse.JSON
                .createObjectNode()
                .put(
                        "message",
                        "Reboot operation has been initiated (" + rebootType + ") for cache " + cache.name() + "."));
    }
}
