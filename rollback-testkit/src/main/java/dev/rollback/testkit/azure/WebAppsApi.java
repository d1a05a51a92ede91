package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code Microsoft.Web}: web apps, their slots, site config (traffic routing) and slot swaps. Called
 * with the simulator's lock held.
 */
final class WebAppsApi {

    private static final String NAMESPACE = "Microsoft.Web";
    private static final String SITES = NAMESPACE + "/sites";

    private final SimulatedResources resources;
    private final LongRunningOperations operations;

    WebAppsApi(SimulatedResources resources, LongRunningOperations operations) {
        this.resources = resources;
        this.operations = operations;
    }

    ArmResponse handle(ArmRequest request) throws JsonProcessingException {
        String resourceGroup = request.path("resourceGroupName");
        String name = request.path("name");
        SimulatedWebApp app = resources.findWebApp(resourceGroup, name).orElse(null);
        if (app == null) {
            return ArmResponse.notFound(SITES, resourceGroup, name);
        }
        String slotName = request.pathParameters().getOrDefault("slot", SimulatedWebApp.PRODUCTION);
        SimulatedSlot slot = app.findSlot(slotName).orElse(null);
        if (slot == null) {
            return ArmResponse.notFound(SITES + "/slots", resourceGroup, name + "/" + slotName);
        }
        String appId = resources.resourceId(resourceGroup, SITES, name);
        if (request.operation().method().equals("GET")) {
            operations.observe(appId);
        }
        return switch (request.operation()) {
            case WEB_APP_GET, SLOT_GET -> ArmResponse.ok(site(app, slot));
            case WEB_APP_CONFIG_GET, SLOT_CONFIG_GET -> ArmResponse.ok(siteConfig(app, slot));
            case WEB_APP_LOGS_CONFIG_GET, SLOT_LOGS_CONFIG_GET -> ArmResponse.ok(logsConfig(app, slot));
            case WEB_APP_CONFIG_UPDATE -> updateConfig(app, request.json());
            case WEB_APP_START, SLOT_START -> setState(slot, SimulatedSlot.RUNNING);
            case WEB_APP_STOP, SLOT_STOP -> setState(slot, SimulatedSlot.STOPPED);
            case WEB_APP_SWAP, SLOT_SWAP -> swap(request, appId, app, slot);
            default -> throw new IllegalArgumentException("not a Microsoft.Web operation: " + request.operation());
        };
    }

    private String id(SimulatedWebApp app, SimulatedSlot slot) {
        String id = resources.resourceId(app.resourceGroup(), SITES, app.name());
        return slot.isProduction() ? id : id + "/slots/" + slot.name();
    }

    private ObjectNode site(SimulatedWebApp app, SimulatedSlot slot) {
        ObjectNode site = ArmResponse.JSON
                .createObjectNode()
                .put("id", id(app, slot))
                .put("name", slot.isProduction() ? app.name() : app.name() + "/" + slot.name())
                .put("type", slot.isProduction() ? SITES : SITES + "/slots")
                .put("kind", "app,linux")
                .put("location", app.location());
        String host = slot.defaultHostName();
        ObjectNode properties = site.putObject("properties")
                .put("state", slot.state())
                .put("enabled", true)
                .put("defaultHostName", host)
                .put(
                        "serverFarmId",
                        resources.resourceId(app.resourceGroup(), NAMESPACE + "/serverfarms", app.name() + "-plan"))
                .put("usageState", "Normal")
                .put("availabilityState", "Normal")
                .put("reserved", true);
        properties.putArray("hostNames").add(host);
        properties.putArray("enabledHostNames").add(host);
        properties
                .putArray("hostNameSslStates")
                .addObject()
                .put("name", host)
                .put("sslState", "Disabled")
                .put("hostType", "Standard");
        slot.lastSwap()
                .ifPresent(swap -> properties
                        .putObject("slotSwapStatus")
                        .put("timestampUtc", swap.at().toString())
                        .put("sourceSlotName", swap.sourceSlot())
                        .put("destinationSlotName", swap.destinationSlot()));
        return site;
    }

    private ObjectNode siteConfig(SimulatedWebApp app, SimulatedSlot slot) {
        ObjectNode config = configResource(app, slot, "web");
        ObjectNode properties = config.putObject("properties");
        slot.content().ifPresent(content -> properties.put("linuxFxVersion", content));
        ArrayNode rules = properties.putObject("experiments").putArray("rampUpRules");
        if (slot.isProduction()) {
            app.rampUpRules()
                    .forEach(rule -> rules.addObject()
                            .put("actionHostName", rule.actionHostName())
                            .put("reroutePercentage", rule.reroutePercentage())
                            .put("name", rule.name()));
        }
        return config;
    }

    private ObjectNode logsConfig(SimulatedWebApp app, SimulatedSlot slot) {
        ObjectNode config = configResource(app, slot, "logs");
        config.putObject("properties");
        return config;
    }

    private ObjectNode configResource(SimulatedWebApp app, SimulatedSlot slot, String kind) {
        return ArmResponse.JSON
                .createObjectNode()
                .put("id", id(app, slot) + "/config/" + kind)
                .put("name", kind)
                .put("type", SITES + "/config")
                .put("location", app.location());
    }

    /**
     * PATCH of the production site config: {@code experiments.rampUpRules} replaces the traffic
     * routing, {@code linuxFxVersion} deploys new content; other properties are accepted and ignored.
     */
    private ArmResponse updateConfig(SimulatedWebApp app, JsonNode body) {
        JsonNode properties = body.path("properties");
        JsonNode rules = properties.path("experiments").path("rampUpRules");
        if (rules.isArray()) {
            List<RampUpRule> parsed = new ArrayList<>();
            double total = 0;
            for (JsonNode rule : rules) {
                RampUpRule r;
                try {
                    r = new RampUpRule(
                            rule.path("name").asText(),
                            rule.path("actionHostName").asText(),
                            rule.path("reroutePercentage").asDouble(0));
                } catch (IllegalArgumentException e) {
                    return ArmResponse.error(400, "BadRequest", e.getMessage());
                }
                total += r.reroutePercentage();
                parsed.add(r);
            }
            if (total > 100) {
                return ArmResponse.error(
                        400,
                        "BadRequest",
                        "The ramp-up rules route " + total + "% of traffic away from production; at most 100% can be.");
            }
            app.replaceRampUpRules(parsed);
        }
        JsonNode content = properties.path("linuxFxVersion");
        if (content.isTextual()) {
            app.production().serving(content.asText());
        }
        return ArmResponse.ok(siteConfig(app, app.production()));
    }

    private static ArmResponse setState(SimulatedSlot slot, String state) {
        slot.state(state);
        return new ArmResponse(200, Map.of(), null);
    }

    private ArmResponse swap(ArmRequest request, String appId, SimulatedWebApp app, SimulatedSlot source)
            throws JsonProcessingException {
        String targetName = request.json().path("targetSlot").asText("");
        if (targetName.isEmpty()) {
            return ArmResponse.error(400, "BadRequest", "targetSlot is required.");
        }
        SimulatedSlot target = app.findSlot(targetName).orElse(null);
        if (target == null || target == source) {
            return ArmResponse.error(
                    400,
                    "BadRequest",
                    "Cannot swap slot '" + source.name() + "' with slot '" + targetName + "' of site '" + app.name()
                            + "'.");
        }
        return operations.start(
                request,
                NAMESPACE,
                app.location(),
                LongRunningOperations.Style.LOCATION,
                appId,
                () -> source.swapWith(target, resources.clock().instant()),
                () -> {});
    }
}
