package dev.rollback.testkit.azure;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code Microsoft.Storage}: storage accounts, their geo-replication stats and account failover.
 * Called with the simulator's lock held.
 */
final class StorageApi {

    private static final String NAMESPACE = "Microsoft.Storage";
    private static final String TYPE = NAMESPACE + "/storageAccounts";

    private final SimulatedResources resources;
    private final LongRunningOperations operations;

    StorageApi(SimulatedResources resources, LongRunningOperations operations) {
        this.resources = resources;
        this.operations = operations;
    }

    ArmResponse handle(ArmRequest request) {
        String resourceGroup = request.path("resourceGroupName");
        String name = request.path("name");
        SimulatedStorageAccount account =
                resources.findStorageAccount(resourceGroup, name).orElse(null);
        if (account == null) {
            return ArmResponse.notFound(TYPE, resourceGroup, name);
        }
        String id = resources.resourceId(resourceGroup, TYPE, name);
        return switch (request.operation()) {
            case STORAGE_ACCOUNT_GET -> {
                operations.observe(id);
                yield ArmResponse.ok(account(
                        id,
                        account,
                        request.query("$expand")
                                .filter("geoReplicationStats"::equals)
                                .isPresent()));
            }
            case STORAGE_ACCOUNT_FAILOVER ->
                failover(
                        request,
                        id,
                        account,
                        request.query("failoverType").filter("Planned"::equals).isPresent());
            default -> throw new IllegalArgumentException("not a Microsoft.Storage operation: " + request.operation());
        };
    }

    private static ObjectNode account(String id, SimulatedStorageAccount account, boolean withGeoReplicationStats) {
        ObjectNode body = ArmResponse.JSON
                .createObjectNode()
                .put("id", id)
                .put("name", account.name())
                .put("type", TYPE)
                .put("location", account.primaryLocation())
                .put("kind", "StorageV2");
        body.putObject("sku").put("name", account.sku()).put("tier", "Standard");
        body.putObject("tags");
        ObjectNode properties = body.putObject("properties")
                .put("provisioningState", "Succeeded")
                .put("primaryLocation", account.primaryLocation())
                .put("statusOfPrimary", "available")
                .put("failoverInProgress", account.failoverInProgress());
        properties.putObject("primaryEndpoints").put("blob", "https://" + account.name() + ".blob.core.windows.net/");
        account.lastFailoverTime().ifPresent(t -> properties.put("lastGeoFailoverTime", t.toString()));
        account.secondaryLocation().ifPresent(secondary -> {
            properties.put("secondaryLocation", secondary).put("statusOfSecondary", "available");
            if (withGeoReplicationStats) {
                properties
                        .putObject("geoReplicationStats")
                        .put("status", account.geoReplicationStatus())
                        .put("lastSyncTime", account.lastSyncTime().toString())
                        .put("canFailover", account.canFailover())
                        .put("canPlannedFailover", account.canPlannedFailover())
                        .put("postFailoverRedundancy", "Standard_LRS")
                        .put("postPlannedFailoverRedundancy", account.sku());
            }
        });
        return body;
    }

    private ArmResponse failover(ArmRequest request, String id, SimulatedStorageAccount account, boolean planned) {
        if (account.failoverInProgress()) {
            return ArmResponse.error(
                    409,
                    "FailoverInProgress",
                    "A failover of storage account '" + account.name() + "' is already in progress.");
        }
        if (planned ? !account.canPlannedFailover() : !account.canFailover()) {
            return ArmResponse.error(
                    409,
                    "FailoverNotAllowed",
                    "Storage account '" + account.name() + "' cannot fail over now ("
                            + (planned ? "planned" : "customer-managed") + ").");
        }
        account.failoverInProgress(true);
        return operations.start(
                request,
                NAMESPACE,
                account.primaryLocation(),
                LongRunningOperations.Style.LOCATION,
                id,
                () -> account.failOver(planned, resources.clock().instant()),
                () -> account.failoverInProgress(false));
    }
}
