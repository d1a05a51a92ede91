package dev.rollback.redis;

import com.azure.resourcemanager.redis.RedisManager;
import com.azure.resourcemanager.redis.fluent.RedisClient;
import com.azure.resourcemanager.redis.fluent.models.RedisForceRebootResponseInner;
import com.azure.resourcemanager.redis.fluent.models.RedisResourceInner;
import com.azure.resourcemanager.redis.models.RedisRebootParameters;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.OptionalDependencies;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzurePipelines;
import java.util.Objects;

/**
 * The Azure Cache for Redis control plane as {@link ForceRebootStep} uses it: read a cache's
 * provisioning state, force-reboot its nodes. The one place of this provider that touches Azure SDK
 * types; build it with {@link #ofRedisManager(RedisManager)} from a manager you configured
 * (credential, profile, HTTP client) with rollback-azure's {@code DeadlineAwareRetryPolicy}:
 * {@code RedisManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)},
 * or {@code azure.redisCaches().manager()} of an {@code AzureResourceManager} built the same way.
 *
 * <p>Every call carries the step's deadline ({@code AzureCall}): no try, retry or server-asked wait
 * outlives it, and the force reboot, a change that must not happen twice, is never sent again by the
 * pipeline. Failures are mapped once, by rollback-azure's {@code AzureFailures}: 408/429/503 are
 * {@link dev.rollback.api.TransientFailureException}s (carrying the server-asked wait in any of its
 * forms), 401/403 a {@link dev.rollback.api.ErrorCode#CREDENTIAL_PROBLEM} that never shows the
 * credential, a reboot whose answer was lost (reset after sending, no answer in time, 500/502/504)
 * an {@link dev.rollback.api.IndeterminateOutcomeException}, the rest
 * {@link dev.rollback.api.ErrorCode#EXTERNAL_FAILURE}.
 *
 * <p>The Azure SDK and rollback-azure are optional dependencies of provider-redis: an application that
 * uses this class adds {@code com.azure.resourcemanager:azure-resourcemanager-redis} and
 * {@code dev.rollback:rollback-azure} (and {@code com.azure:azure-identity}); without them, loading
 * this class fails with an {@code INVALID_CONFIGURATION} error naming them.
 *
 * <p>Immutable and thread-safe (the SDK client is). It never creates, updates or deletes a cache.
 */
public final class AzureRedisControlPlane {
    static {
        // The Azure SDK and rollback-azure are optional dependencies of provider-redis: say which artifact is missing.
        OptionalDependencies.require(
                AzureRedisControlPlane.class,
                "The Azure Cache for Redis force reboot (AzureRedisControlPlane)",
                "com.azure.resourcemanager:azure-resourcemanager-redis and dev.rollback:rollback-azure (with"
                        + " com.azure:azure-identity for a credential and an HTTP client)",
                "com.azure.resourcemanager.redis.RedisManager",
                "com.azure.core.management.exception.ManagementException",
                "com.azure.core.exception.HttpResponseException",
                "dev.rollback.azure.AzureCall");
    }

    private final RedisClient redis;

    private AzureRedisControlPlane(RedisClient redis) {
        this.redis = redis;
    }

    /**
     * A control plane over a pre-built {@link RedisManager}; the only factory that takes an Azure SDK type.
     *
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy} (azure-core's own would send a reboot twice), naming what to change
     */
    public static AzureRedisControlPlane ofRedisManager(RedisManager manager) {
        Objects.requireNonNull(manager, "manager");
        AzurePipelines.requireDeadlineAware(manager.serviceClient().getHttpPipeline(), "the RedisManager");
        return new AzureRedisControlPlane(manager.serviceClient().getRedis());
    }

    /** The cache's {@code provisioningState} ("Succeeded", "Updating", ...); ARM has no {@code redisState}. */
    String provisioningState(StepContext ctx, String resourceGroup, String name) {
        AzureCall call = AzureCall.read(ctx, "reading Azure Cache for Redis " + resourceGroup + "/" + name);
        try {
            RedisResourceInner cache = redis.getByResourceGroupWithResponse(resourceGroup, name, call.context())
                    .getValue();
            return cache == null || cache.provisioningState() == null
                    ? "unknown"
                    : cache.provisioningState().toString();
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
    }

    /**
     * Sends the force reboot once; returns Azure's message. Azure answers at once (200), the reboot follows.
     *
     * @throws dev.rollback.api.IndeterminateOutcomeException if Azure may have accepted it and the
     *     answer was lost: it is not sent again
     */
    String forceReboot(StepContext ctx, String resourceGroup, String name, RebootType type) {
        AzureCall call = AzureCall.change(
                ctx, "force reboot (" + type.azureName() + ") of Azure Cache for Redis " + resourceGroup + "/" + name);
        try {
            RedisForceRebootResponseInner answer = redis.forceRebootWithResponse(
                            resourceGroup,
                            name,
                            new RedisRebootParameters()
                                    .withRebootType(com.azure.resourcemanager.redis.models.RebootType.fromString(
                                            type.azureName())),
                            call.context())
                    .getValue();
            return answer == null || answer.message() == null ? "" : answer.message();
        } catch (RuntimeException e) {
            throw call.failure(e);
        }
    }

    @Override
    public String toString() {
        return "AzureRedisControlPlane";
    }
}
