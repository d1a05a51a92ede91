package dev.rollback.postgres.restore;

import com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.OptionalDependencies;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Azure Database for PostgreSQL flexible-server control plane as
 * {@link FlexibleServerPointInTimeRestoreStep} uses it: read a server, start a point-in-time
 * restore, wait for it. The one entry to this provider's Azure SDK code (which lives in a
 * package-private delegate); build it with {@link #ofPostgreSqlManager(PostgreSqlManager)} from a
 * manager you configured (credential, profile, HTTP client, poll interval) with rollback-azure's
 * {@code DeadlineAwareRetryPolicy}:
 * {@code PostgreSqlManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)}.
 *
 * <p>Every call carries the step's deadline ({@code AzureCall}); the restore's create ({@code PUT}
 * of a new server) is a change that the pipeline never sends again once it may have reached Azure
 * (a second PUT gets {@code 409 ServerAlreadyExists}). The restore request tags the new server with
 * its source and restore point ({@value #SOURCE_TAG}, {@value #POINT_TAG}), which Azure returns with
 * the server, so that a restore whose answer was lost can be recognised and adopted.
 *
 * <p>The Azure SDK and rollback-azure are optional dependencies of provider-postgres: an application
 * that uses this class adds {@code com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver}
 * and {@code dev.rollback:rollback-azure} (and {@code com.azure:azure-identity}); without them,
 * loading this class fails with an {@code INVALID_CONFIGURATION} error naming them.
 *
 * <p>Immutable and thread-safe (the SDK client is). It never deletes or updates a server.
 */
public final class FlexibleServerControlPlane {
    static {
        // The Azure SDK and rollback-azure are optional dependencies of provider-postgres: say which artifact is
        // missing.
        OptionalDependencies.require(
                FlexibleServerControlPlane.class,
                "The Azure flexible-server point-in-time restore (FlexibleServerControlPlane)",
                "com.azure.resourcemanager:azure-resourcemanager-postgresqlflexibleserver and dev.rollback:rollback-azure"
                        + " (with com.azure:azure-identity for a credential and an HTTP client)",
                "com.azure.resourcemanager.postgresqlflexibleserver.PostgreSqlManager",
                "com.azure.core.management.exception.ManagementException",
                "com.azure.core.util.polling.SyncPoller",
                "dev.rollback.azure.AzureCall");
    }

    /** The tag on a restored server naming the server it was restored from. */
    static final String SOURCE_TAG = "rollback-restore-source";
    /** The tag on a restored server naming the instant it was restored to (ISO-8601, UTC). */
    static final String POINT_TAG = "rollback-restore-point";

    private final FlexibleServerSdk sdk;

    private FlexibleServerControlPlane(FlexibleServerSdk sdk) {
        this.sdk = sdk;
    }

    /**
     * A control plane over a pre-built {@link PostgreSqlManager}; the only factory that takes an SDK
     * type. Its poll interval ({@code withDefaultPollInterval}) paces the restore's polls when Azure
     * sends no {@code Retry-After}.
     *
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy} (azure-core's own would send the restore twice), naming
     *     what to change
     */
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
            Optional<String> restoredFrom,
            Optional<Instant> pointInTime,
            Map<String, String> tags) {}

    /** How often a restore is polled when Azure sends no Retry-After. */
    Duration pollInterval() {
        return sdk.pollInterval();
    }

    /** The server, or empty if it does not exist. */
    Optional<ServerInfo> find(StepContext ctx, String resourceGroup, String name) {
        return sdk.find(ctx, resourceGroup, name);
    }

    /**
     * Starts the restore of {@code source} at {@code pointInTime} into a new server, tagged with both,
     * and waits for it until the step's deadline less {@code reserve}.
     *
     * @throws dev.rollback.api.IndeterminateOutcomeException if Azure may have accepted it and its
     *     answer, or a poll, was lost: it is not sent again
     * @throws dev.rollback.api.RollbackException {@code STEP_TIMED_OUT} if it was accepted and still
     *     runs when the wait had to stop (it goes on in Azure; a retry adopts it); the mapped Azure
     *     error otherwise ({@code 409 ServerAlreadyExists} when the name is taken)
     */
    ServerInfo restore(
            StepContext ctx,
            ServerInfo source,
            String resourceGroup,
            String target,
            Instant pointInTime,
            Duration reserve) {
        return sdk.restore(ctx, source, resourceGroup, target, pointInTime, reserve);
    }

    @Override
    public String toString() {
        return "FlexibleServerControlPlane";
    }
}
