package dev.rollback.redis;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.redis.RedisManager;
import com.azure.resourcemanager.redis.fluent.RedisClient;
import com.azure.resourcemanager.redis.fluent.models.RedisForceRebootResponseInner;
import com.azure.resourcemanager.redis.fluent.models.RedisResourceInner;
import com.azure.resourcemanager.redis.models.RedisRebootParameters;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.OptionalDependencies;
import java.io.IOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * The Azure Cache for Redis control plane as {@link ForceRebootStep} uses it: read a cache's
 * provisioning state, force-reboot its nodes. The one place of this provider that touches Azure SDK
 * types; build it with {@link #ofRedisManager(RedisManager)} from a manager you configured
 * (credential, profile, HTTP client, retry options), for example {@code azure.redisCaches().manager()}
 * of an {@code AzureResourceManager}.
 *
 * <p>Failures are mapped once: 429 and 5xx and broken connections are
 * {@link TransientFailureException}s (carrying Retry-After when Azure sent one), 401/403 a
 * {@link ErrorCode#CREDENTIAL_PROBLEM} that never shows the credential, the rest
 * {@link ErrorCode#EXTERNAL_FAILURE}.
 *
 * <p>The Azure SDK is an optional dependency of provider-redis: an application that uses this class
 * adds {@code com.azure.resourcemanager:azure-resourcemanager-redis} (and {@code com.azure:azure-identity});
 * without them, loading this class fails with an {@code INVALID_CONFIGURATION} error naming them.
 *
 * <p>Immutable and thread-safe (the SDK client is). It never creates, updates or deletes a cache.
 */
public final class AzureRedisControlPlane {
    static {
        // The Azure SDK is an optional dependency of provider-redis: say which artifact is missing.
        OptionalDependencies.require(
                AzureRedisControlPlane.class,
                "The Azure Cache for Redis force reboot (AzureRedisControlPlane)",
                "com.azure.resourcemanager:azure-resourcemanager-redis (with com.azure:azure-identity for a credential"
                        + " and an HTTP client)",
                "com.azure.resourcemanager.redis.RedisManager",
                "com.azure.core.management.exception.ManagementException",
                "com.azure.core.exception.HttpResponseException");
    }

    private final RedisClient redis;

    private AzureRedisControlPlane(RedisClient redis) {
        this.redis = redis;
    }

    /** A control plane over a pre-built {@link RedisManager}; the only factory that takes an Azure SDK type. */
    public static AzureRedisControlPlane ofRedisManager(RedisManager manager) {
        Objects.requireNonNull(manager, "manager");
        return new AzureRedisControlPlane(manager.serviceClient().getRedis());
    }

    /** The cache's {@code provisioningState} ("Succeeded", "Updating", ...); ARM has no {@code redisState}. */
    String provisioningState(String resourceGroup, String name) {
        try {
            RedisResourceInner cache = redis.getByResourceGroup(resourceGroup, name);
            return cache.provisioningState() == null
                    ? "unknown"
                    : cache.provisioningState().toString();
        } catch (RuntimeException e) {
            throw failure("reading Azure Cache for Redis " + resourceGroup + "/" + name, e);
        }
    }

    /** Sends the force reboot; returns Azure's message. Azure answers at once (200), the reboot follows. */
    String forceReboot(String resourceGroup, String name, RebootType type) {
        try {
            RedisForceRebootResponseInner answer = redis.forceReboot(
                    resourceGroup,
                    name,
                    new RedisRebootParameters()
                            .withRebootType(
                                    com.azure.resourcemanager.redis.models.RebootType.fromString(type.azureName())));
            return answer == null || answer.message() == null ? "" : answer.message();
        } catch (RuntimeException e) {
            throw failure(
                    "force reboot (" + type.azureName() + ") of Azure Cache for Redis " + resourceGroup + "/" + name,
                    e);
        }
    }

    /** A 429/5xx/reset is transient, 401/403 a credential problem (without the credential), the rest external. */
    static RollbackException failure(String what, RuntimeException e) {
        if (e instanceof RollbackException r) {
            return r;
        }
        HttpResponse response = e instanceof HttpResponseException h ? h.getResponse() : null;
        int status = response == null ? 0 : response.getStatusCode();
        if (status == 401 || status == 403) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (HTTP " + status + "); check the identity's role on the cache");
        }
        String code = e instanceof ManagementException m && m.getValue() != null
                ? Objects.toString(m.getValue().getCode(), "")
                : "";
        String message =
                what + " failed: " + (status == 0 ? "" : "HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": ")
                        + Redaction.describe(e);
        if (status == 429 || status >= 500) {
            Optional<Duration> retryAfter = retryAfter(response);
            return retryAfter.isPresent()
                    ? new TransientFailureException(message, retryAfter.get(), e)
                    : new TransientFailureException(message, e);
        }
        if (status == 0 && brokenConnection(e)) {
            return new TransientFailureException(message, e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, message, e);
    }

    private static boolean brokenConnection(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
            String type = t.getClass().getName();
            if (type.contains("PrematureCloseException") || type.contains("ConnectException")) {
                return true;
            }
        }
        return false;
    }

    /** Retry-After in seconds or as an HTTP-date; also Azure's retry-after-ms headers. */
    static Optional<Duration> retryAfter(HttpResponse response) {
        if (response == null) {
            return Optional.empty();
        }
        for (String header : List.of("retry-after-ms", "x-ms-retry-after-ms")) {
            String ms = response.getHeaders().getValue(HttpHeaderName.fromString(header));
            if (ms != null) {
                try {
                    return Optional.of(Duration.ofMillis(Math.max(0, Long.parseLong(ms.trim()))));
                } catch (NumberFormatException ignored) {
                    // fall through to Retry-After
                }
            }
        }
        String value = response.getHeaders().getValue(HttpHeaderName.RETRY_AFTER);
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim()))));
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime at = ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(ZonedDateTime.now(at.getZone()), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (RuntimeException notADate) {
                return Optional.empty();
            }
        }
    }

    @Override
    public String toString() {
        return "AzureRedisControlPlane";
    }
}
