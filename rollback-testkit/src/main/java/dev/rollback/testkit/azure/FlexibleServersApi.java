package dev.rollback.testkit.azure;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code Microsoft.DBforPostgreSQL}: flexible servers, point-in-time restore (the only create mode
 * served) and restart, with or without a failover to the high-availability standby. Called with
 * the simulator's lock held.
 *
 * <p>A restore is refused before any effect when the target name is taken (409
 * {@code ServerAlreadyExists}, so a create sent twice is visible), the source does not exist (404),
 * or the point in time lies outside the source's window [earliest restore date, now] (400
 * {@code InvalidParameterValue}).
 *
 * <p>A restart is refused before any effect when the server does not exist (404) or is not
 * {@code Ready} (409 {@code ServerNotReady}, so a restart sent while another runs is visible); a
 * restart with failover also when the server has no high availability (400
 * {@code HighAvailabilityNotEnabled}), its standby is not {@code Healthy} (409
 * {@code StandbyNotHealthy}), or the {@code failoverMode} is not {@code PlannedFailover} or
 * {@code ForcedFailover} (400 {@code InvalidParameterValue}; the switchover modes are for read
 * replicas).
 */
final class FlexibleServersApi {

    private static final String NAMESPACE = "Microsoft.DBforPostgreSQL";
    private static final String TYPE = NAMESPACE + "/flexibleServers";
    private static final String POINT_IN_TIME_RESTORE = "PointInTimeRestore";
    private static final String PLANNED_FAILOVER = "PlannedFailover";
    private static final String FORCED_FAILOVER = "ForcedFailover";
    private static final Pattern SERVER_ID = Pattern.compile(
            "/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/" + Pattern.quote(TYPE) + "/([^/]+)",
            Pattern.CASE_INSENSITIVE);

    private final SimulatedResources resources;
    private final LongRunningOperations operations;

    FlexibleServersApi(SimulatedResources resources, LongRunningOperations operations) {
        this.resources = resources;
        this.operations = operations;
    }

    ArmResponse handle(ArmRequest request) throws JsonProcessingException {
        String resourceGroup = request.path("resourceGroupName");
        String name = request.path("name");
        String id = resources.resourceId(resourceGroup, TYPE, name);
        return switch (request.operation()) {
            case FLEXIBLE_SERVER_GET -> {
                operations.observe(id);
                yield resources
                        .findFlexibleServer(resourceGroup, name)
                        .map(server -> ArmResponse.ok(server(id, server)))
                        .orElseGet(() -> ArmResponse.notFound(TYPE, resourceGroup, name));
            }
            case FLEXIBLE_SERVER_CREATE -> create(request, id, resourceGroup, name, request.json());
            case FLEXIBLE_SERVER_RESTART -> {
                Optional<SimulatedFlexibleServer> server = resources.findFlexibleServer(resourceGroup, name);
                yield server.isPresent()
                        ? restart(request, id, server.get(), request.json())
                        : ArmResponse.notFound(TYPE, resourceGroup, name);
            }
            default -> throw new IllegalArgumentException("not a " + NAMESPACE + " operation: " + request.operation());
        };
    }

    private ArmResponse restart(ArmRequest request, String id, SimulatedFlexibleServer server, JsonNode body) {
        if (!SimulatedFlexibleServer.READY.equals(server.state())) {
            return ArmResponse.error(
                    409,
                    "ServerNotReady",
                    "Server '" + server.name() + "' is " + server.state() + "; it can be restarted only when "
                            + SimulatedFlexibleServer.READY + ".");
        }
        if (!body.path("restartWithFailover").asBoolean(false)) {
            server.restarting();
            return operations.start(
                    request,
                    NAMESPACE,
                    server.location(),
                    LongRunningOperations.Style.ASYNC_OPERATION,
                    id,
                    server::ready,
                    server::ready);
        }
        String mode = body.path("failoverMode").asText(PLANNED_FAILOVER);
        if (!PLANNED_FAILOVER.equals(mode) && !FORCED_FAILOVER.equals(mode)) {
            return ArmResponse.error(
                    400,
                    "InvalidParameterValue",
                    "failoverMode '" + mode + "' is not valid for a server with high availability; use "
                            + PLANNED_FAILOVER + " or " + FORCED_FAILOVER + ".");
        }
        if (SimulatedFlexibleServer.HA_DISABLED.equals(server.highAvailabilityMode())) {
            return ArmResponse.error(
                    400,
                    "HighAvailabilityNotEnabled",
                    "Server '" + server.name() + "' has no high availability; there is no standby to fail over to.");
        }
        if (!SimulatedFlexibleServer.HA_HEALTHY.equals(server.highAvailabilityState())) {
            return ArmResponse.error(
                    409,
                    "StandbyNotHealthy",
                    "The standby of server '" + server.name() + "' is " + server.highAvailabilityState()
                            + "; a failover needs a " + SimulatedFlexibleServer.HA_HEALTHY + " standby.");
        }
        server.failingOver(mode);
        return operations.start(
                request,
                NAMESPACE,
                server.location(),
                LongRunningOperations.Style.ASYNC_OPERATION,
                id,
                server::failedOver,
                server::failoverUndone);
    }

    private static ObjectNode server(String id, SimulatedFlexibleServer server) {
        ObjectNode body = ArmResponse.JSON
                .createObjectNode()
                .put("id", id)
                .put("name", server.name())
                .put("type", TYPE)
                .put("location", server.location());
        body.putObject("sku").put("name", "Standard_D2ds_v4").put("tier", "GeneralPurpose");
        ObjectNode tags = body.putObject("tags");
        server.tags().forEach(tags::put);
        ObjectNode properties = body.putObject("properties")
                .put("state", server.state())
                .put("version", server.version())
                .put("fullyQualifiedDomainName", server.name() + ".postgres.database.azure.com")
                .put("administratorLogin", "rollback")
                .put("availabilityZone", server.availabilityZone())
                .put("replicationRole", "Primary");
        properties.putObject("storage").put("storageSizeGB", 32);
        properties
                .putObject("backup")
                .put("backupRetentionDays", 7)
                .put("geoRedundantBackup", "Disabled")
                .put("earliestRestoreDate", server.earliestRestoreDate().toString());
        ObjectNode highAvailability = properties
                .putObject("highAvailability")
                .put("mode", server.highAvailabilityMode())
                .put("state", server.highAvailabilityState());
        server.standbyAvailabilityZone().ifPresent(zone -> highAvailability.put("standbyAvailabilityZone", zone));
        properties.putObject("network").put("publicNetworkAccess", "Enabled");
        server.restoredFrom().ifPresent(source -> properties.put("sourceServerResourceId", source));
        return body;
    }

    private ArmResponse create(ArmRequest request, String id, String resourceGroup, String name, JsonNode body) {
        if (resources.findFlexibleServer(resourceGroup, name).isPresent()) {
            return ArmResponse.error(
                    409,
                    "ServerAlreadyExists",
                    "Server '" + name + "' already exists in resource group '" + resourceGroup + "'.");
        }
        JsonNode properties = body.path("properties");
        String createMode = properties.path("createMode").asText("");
        if (!POINT_IN_TIME_RESTORE.equalsIgnoreCase(createMode)) {
            return ArmResponse.error(
                    400,
                    "UnsupportedCreateMode",
                    "The simulator creates flexible servers"
                            + " only by point-in-time restore (createMode PointInTimeRestore), not '" + createMode
                            + "'.");
        }
        String sourceId = properties.path("sourceServerResourceId").asText("");
        Matcher source = SERVER_ID.matcher(sourceId);
        SimulatedFlexibleServer sourceServer = source.matches()
                        && source.group(1).equals(resources.subscriptionId())
                ? resources.findFlexibleServer(source.group(2), source.group(3)).orElse(null)
                : null;
        if (sourceServer == null) {
            return ArmResponse.error(404, "ResourceNotFound", "The source server '" + sourceId + "' was not found.");
        }
        Instant pointInTime;
        try {
            pointInTime = OffsetDateTime.parse(properties.path("pointInTimeUTC").asText(""))
                    .toInstant();
        } catch (DateTimeParseException e) {
            return ArmResponse.error(
                    400,
                    "InvalidParameterValue",
                    "pointInTimeUTC must be an ISO-8601 date-time, was '"
                            + properties.path("pointInTimeUTC").asText("") + "'.");
        }
        Instant now = resources.clock().instant();
        if (pointInTime.isBefore(sourceServer.earliestRestoreDate()) || pointInTime.isAfter(now)) {
            return ArmResponse.error(
                    400,
                    "InvalidParameterValue",
                    "pointInTimeUTC " + pointInTime
                            + " is outside the restore window of server '" + sourceServer.name() + "': "
                            + sourceServer.earliestRestoreDate() + " to " + now + ".");
        }
        SimulatedFlexibleServer restored = resources
                .flexibleServer(resourceGroup, name)
                .location(body.path("location").asText(sourceServer.location()))
                .version(sourceServer.version())
                .earliestRestoreDate(now);
        restored.restoring(sourceId, pointInTime);
        Map<String, String> tags = new LinkedHashMap<>();
        body.path("tags")
                .properties()
                .forEach(tag -> tags.put(tag.getKey(), tag.getValue().asText()));
        restored.tags(tags);
        return operations.start(
                request,
                NAMESPACE,
                restored.location(),
                LongRunningOperations.Style.ASYNC_OPERATION,
                id,
                restored::ready,
                () -> resources.removeFlexibleServer(resourceGroup, name));
    }
}
