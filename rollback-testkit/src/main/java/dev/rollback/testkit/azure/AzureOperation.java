package dev.rollback.testkit.azure;

import java.util.Optional;

/**
 * The Azure Resource Manager operations the {@link AzureControlPlaneSimulator} serves, one WireMock
 * stub each: the key for injecting a fault into one operation and for finding its requests in the
 * journal.
 *
 * <p>Paths are WireMock path templates below {@code /subscriptions/{subscriptionId}}; every
 * resource operation also carries the {@code api-version} query parameter that the pinned SDK
 * sends ({@link #apiVersion()}), and the simulator answers only requests that carry exactly that
 * version, so an SDK upgrade that changes it fails loudly instead of being simulated wrongly. The
 * two polling operations answer any version, as Azure's polling URLs carry their own.
 *
 * <p>Immutable and thread-safe.
 */
public enum AzureOperation {

    /** {@code GET} a web app (the production slot). */
    WEB_APP_GET("GET", Api.WEB, "/sites/{name}"),
    /** {@code GET} the production slot's site config: what it runs and its traffic routing. */
    WEB_APP_CONFIG_GET("GET", Api.WEB, "/sites/{name}/config/web"),
    /** {@code PATCH} the production slot's site config: traffic routing (ramp-up rules) or what it runs. */
    WEB_APP_CONFIG_UPDATE("PATCH", Api.WEB, "/sites/{name}/config/web"),
    /** {@code GET} the production slot's diagnostic-logs config (the SDK reads it with every web app). */
    WEB_APP_LOGS_CONFIG_GET("GET", Api.WEB, "/sites/{name}/config/logs"),
    /** {@code POST} start the production slot. */
    WEB_APP_START("POST", Api.WEB, "/sites/{name}/start"),
    /** {@code POST} stop the production slot. */
    WEB_APP_STOP("POST", Api.WEB, "/sites/{name}/stop"),
    /** {@code POST} swap the production slot with {@code targetSlot}: a long-running operation. */
    WEB_APP_SWAP("POST", Api.WEB, "/sites/{name}/slotsswap", true),
    /** {@code GET} a deployment slot. */
    SLOT_GET("GET", Api.WEB, "/sites/{name}/slots/{slot}"),
    /** {@code GET} a deployment slot's site config. */
    SLOT_CONFIG_GET("GET", Api.WEB, "/sites/{name}/slots/{slot}/config/web"),
    /** {@code GET} a deployment slot's diagnostic-logs config. */
    SLOT_LOGS_CONFIG_GET("GET", Api.WEB, "/sites/{name}/slots/{slot}/config/logs"),
    /** {@code POST} start a deployment slot. */
    SLOT_START("POST", Api.WEB, "/sites/{name}/slots/{slot}/start"),
    /** {@code POST} stop a deployment slot. */
    SLOT_STOP("POST", Api.WEB, "/sites/{name}/slots/{slot}/stop"),
    /** {@code POST} swap a deployment slot with {@code targetSlot}: a long-running operation. */
    SLOT_SWAP("POST", Api.WEB, "/sites/{name}/slots/{slot}/slotsswap", true),
    /** {@code GET} an Azure Cache for Redis. */
    REDIS_GET("GET", Api.REDIS, "/redis/{name}"),
    /** {@code POST} force-reboot a cache's nodes ({@code AllNodes}, {@code PrimaryNode}, {@code SecondaryNode}). */
    REDIS_FORCE_REBOOT("POST", Api.REDIS, "/redis/{name}/forceReboot"),
    /** {@code GET} a storage account, with geo-replication stats when {@code $expand=geoReplicationStats}. */
    STORAGE_ACCOUNT_GET("GET", Api.STORAGE, "/storageAccounts/{name}"),
    /** {@code POST} fail a storage account over to its secondary region: a long-running operation. */
    STORAGE_ACCOUNT_FAILOVER("POST", Api.STORAGE, "/storageAccounts/{name}/failover", true),
    /** {@code GET} a PostgreSQL flexible server. */
    FLEXIBLE_SERVER_GET("GET", Api.POSTGRESQL, "/flexibleServers/{name}"),
    /** {@code PUT} a PostgreSQL flexible server (point-in-time restore): a long-running operation. */
    FLEXIBLE_SERVER_CREATE("PUT", Api.POSTGRESQL, "/flexibleServers/{name}", true),
    /**
     * {@code POST} restart a PostgreSQL flexible server, with {@code restartWithFailover: true} a
     * failover to its high-availability standby: a long-running operation.
     */
    FLEXIBLE_SERVER_RESTART("POST", Api.POSTGRESQL, "/flexibleServers/{name}/restart", true),
    /** {@code GET} a classic Azure CDN endpoint. */
    CDN_ENDPOINT_GET("GET", Api.CDN, "/profiles/{profile}/endpoints/{name}"),
    /** {@code POST} purge content paths from a CDN endpoint: a long-running operation. */
    CDN_ENDPOINT_PURGE("POST", Api.CDN, "/profiles/{profile}/endpoints/{name}/purge", true),
    /** {@code GET} an Azure Front Door Standard/Premium endpoint. */
    AFD_ENDPOINT_GET("GET", Api.CDN, "/profiles/{profile}/afdEndpoints/{name}"),
    /** {@code POST} purge content paths (and domains) from a Front Door endpoint: a long-running operation. */
    AFD_ENDPOINT_PURGE("POST", Api.CDN, "/profiles/{profile}/afdEndpoints/{name}/purge", true),
    /** {@code GET} a long-running operation's status (the {@code Azure-AsyncOperation} header's URL). */
    OPERATION_STATUS("GET", null, "/providers/{namespace}/locations/{location}/operationStatuses/{operationId}"),
    /** {@code GET} a long-running operation's result (the {@code Location} header's URL). */
    OPERATION_RESULT("GET", null, "/providers/{namespace}/locations/{location}/operationResults/{operationId}");

    private final String method;
    private final Api api;
    private final String pathTemplate;
    private final boolean longRunning;

    AzureOperation(String method, Api api, String path) {
        this(method, api, path, false);
    }

    AzureOperation(String method, Api api, String path, boolean longRunning) {
        this.method = method;
        this.api = api;
        this.longRunning = longRunning;
        this.pathTemplate = api == null
                ? "/subscriptions/{subscriptionId}" + path
                : "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/" + api.namespace
                        + path;
    }

    /**
     * The HTTP method.
     *
     * @return {@code GET}, {@code PUT}, {@code PATCH} or {@code POST}
     */
    public String method() {
        return method;
    }

    /**
     * The path as a WireMock path template, e.g.
     * {@code /subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Cache/redis/{name}/forceReboot}.
     *
     * @return the path template
     */
    public String pathTemplate() {
        return pathTemplate;
    }

    /**
     * The resource provider's {@code api-version} this operation is served for.
     *
     * @return e.g. {@code 2025-03-01}; empty for the polling operations, which accept any
     */
    public Optional<String> apiVersion() {
        return Optional.ofNullable(api).map(a -> a.apiVersion);
    }

    /**
     * Whether this operation starts a long-running operation (answered 202 with a polling URL).
     *
     * @return true for the swaps, the storage failover, the flexible-server create and restart, and the
     *     CDN purges
     */
    public boolean longRunning() {
        return longRunning;
    }

    /** Resource providers, with the api-versions that the pinned SDK versions send. */
    private enum Api {
        /** azure-resourcemanager-appservice 2.54.1. */
        WEB("Microsoft.Web", "2025-03-01"),
        /** azure-resourcemanager-redis 2.53.5. */
        REDIS("Microsoft.Cache", "2024-11-01"),
        /** azure-resourcemanager-storage 2.55.2. */
        STORAGE("Microsoft.Storage", "2025-06-01"),
        /** azure-resourcemanager-cdn 2.53.5. */
        CDN("Microsoft.Cdn", "2024-02-01"),
        /** azure-resourcemanager-postgresqlflexibleserver 1.0.0. */
        POSTGRESQL("Microsoft.DBforPostgreSQL", "2022-12-01");

        private final String namespace;
        private final String apiVersion;

        Api(String namespace, String apiVersion) {
            this.namespace = namespace;
            this.apiVersion = apiVersion;
        }
    }
}
