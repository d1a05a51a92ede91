package dev.rollback.postgres.restore;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import dev.rollback.api.RollbackException;
import dev.rollback.api.internal.OptionalDependencies;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The Azure Database for PostgreSQL flexible-server control plane as
 * {@link FlexibleServerPointInTimeRestoreStep} uses it: read a server, start a point-in-time
 * restore, wait for it. The one entry to this provider's Azure SDK code (which lives in a
 * package-private delegate); build it with {@link #ofPostgreSqlManager(PostgreSqlManager)} from a
 * manager you configured (credential, profile, HTTP client, retry options).
 *
 * <p>The Azure SDK is an optional dependency of provider-postgres: an application that uses this class
 * adds {@code com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver} (and
 * {@code com.azure:azure-identity}); without them, loading this class fails with an
 * {@code INVALID_CONFIGURATION} error naming them.
 *
 * <p>Immutable and thread-safe (the SDK client is). It never deletes or updates a server.
 */
public final class FlexibleServerControlPlane {
    static {
        // The Azure SDK is an optional dependency of provider-postgres: say which artifact is missing.
        OptionalDependencies.require(
                FlexibleServerControlPlane.class,
                "The Azure flexible-server point-in-time restore (FlexibleServerControlPlane)",
                "com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver (with com.azure:azure-identity"
                        + " for a credential and an HTTP client)",
                "com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager",
                "com.azure.core.management.exception.ManagementException",
                "com.azure.core.util.polling.SyncPoller");
    }

    private final FlexibleServerSdk sdk;

    private FlexibleServerControlPlane(FlexibleServerSdk sdk) {
        this.sdk = sdk;
    }

    /** A control plane over a pre-built {@link PostgreSqlManager}; the only factory that takes an SDK type. */
    public static FlexibleServerControlPlane ofPostgreSqlManager(PostgreSqlManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new FlexibleServerControlPlane(FlexibleServerSdk.of(manager));
    }

    /** What the step needs to know of a server. */
    record ServerInfo(
            String id,
            String name,
            String region,
            Optional<Instant> earliestRestore,
            Optional<Integer> retentionDays,
            String fqdn,
            String state,
            Optional<String> restoredFrom) {}

    /** The server, or empty if it does not exist. */
    Optional<ServerInfo> find(String resourceGroup, String name) {
        return sdk.find(resourceGroup, name);
    }

    /**
     * Starts the restore of {@code source} at {@code pointInTime} into a new server and waits up to
     * {@code timeout} for it.
     *
     * @throws RollbackException {@code STEP_TIMED_OUT} if it is still running after the timeout
     *     (the restore goes on in Azure; a retry adopts it)
     */
    ServerInfo restore(ServerInfo source, String resourceGroup, String target, Instant pointInTime, Duration timeout) {
        return sdk.restore(source, resourceGroup, target, pointInTime, timeout);
    }

    @Override
    public String toString() {
        return "FlexibleServerControlPlane";
    }
}
