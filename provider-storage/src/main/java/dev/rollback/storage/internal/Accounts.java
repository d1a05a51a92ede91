package dev.rollback.storage.internal;

import com.azure.core.http.HttpPipeline;
import com.azure.core.management.polling.PollResult;
import com.azure.core.management.profile.AzureProfile;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.storage.StorageManager;
import com.azure.resourcemanager.storage.fluent.StorageAccountsClient;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.Endpoints;
import com.azure.resourcemanager.storage.models.FailoverType;
import com.azure.resourcemanager.storage.models.GeoReplicationStats;
import com.azure.resourcemanager.storage.models.StorageAccountExpand;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Storage accounts on Azure Resource Manager as this provider uses them, over the SDK's inner
 * {@link StorageAccountsClient} (the fluent {@code StorageAccount} exposes neither the
 * geo-replication stats nor failover): read an account with {@code $expand=geoReplicationStats},
 * start a failover and wait for its long-running operation. The pipeline is the caller's manager's
 * with its retry policy kept away from the failover POST ({@link SendOnce}). Every call carries a
 * response timeout no longer than the time it is given. Thread-safe (the SDK client is). It never
 * creates, updates or deletes an account.
 */
public final class Accounts {
    /** The context key azure-core-http-netty reads a per-request response timeout from. */
    private static final String RESPONSE_TIMEOUT = "azure-response-timeout";

    private final StorageAccountsClient client;
    private final int guardedRetryPolicies;

    private Accounts(StorageAccountsClient client, int guardedRetryPolicies) {
        this.client = client;
        this.guardedRetryPolicies = guardedRetryPolicies;
    }

    /**
     * Over a pre-built manager: a new manager on the same profile and HTTP client whose pipeline sends
     * the failover POST once ({@link SendOnce#guard}).
     */
    public static Accounts of(StorageManager manager) {
        Objects.requireNonNull(manager, "manager");
        HttpPipeline guarded = SendOnce.guard(manager.httpPipeline(), SendOnce.STORAGE_ACCOUNT_FAILOVER);
        StorageManager safe = StorageManager.authenticate(
                guarded, new AzureProfile(null, manager.subscriptionId(), manager.environment()));
        return new Accounts(safe.serviceClient().getStorageAccounts(), SendOnce.guarded(guarded));
    }

    /** How many retry policies of the caller's pipeline were kept away from the failover POST. */
    public int guardedRetryPolicies() {
        return guardedRetryPolicies;
    }

    /** What the steps read of an account. */
    public record AccountState(
            String id,
            String name,
            String primaryLocation,
            Optional<String> secondaryLocation,
            String sku,
            boolean failoverInProgress,
            Optional<Instant> lastGeoFailoverTime,
            Optional<String> replicationStatus,
            Optional<Instant> lastSyncTime,
            boolean canFailover,
            boolean canPlannedFailover,
            Map<String, String> primaryEndpoints) {}

    /**
     * The account with its geo-replication stats.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} if it does not exist (404), else the
     *     mapped Azure error
     */
    public AccountState read(String resourceGroup, String account, Duration timeout) {
        String what = "reading storage account " + resourceGroup + "/" + account;
        try {
            StorageAccountInner inner = client.getByResourceGroupWithResponse(
                            resourceGroup, account, StorageAccountExpand.GEO_REPLICATION_STATS, context(timeout))
                    .getValue();
            if (inner == null) {
                throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, what + " returned no account");
            }
            return state(inner);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "storage account " + resourceGroup + "/" + account + " not found (HTTP 404"
                                + AzureErrors.errorCode(e).map(c -> " " + c).orElse("") + ")");
            }
            throw AzureErrors.map(what, e);
        }
    }

    /** How a failover request ended. */
    public enum FailoverAnswer {
        /** Azure answered and the long-running operation completed successfully. */
        COMPLETED,
        /** Azure accepted it, and it was still running when the time given was up. */
        STILL_RUNNING,
        /**
         * The answer to the POST was lost (reset, closed connection, timeout): it may or may not have
         * reached Azure. Read the account to learn.
         */
        ANSWER_LOST
    }

    /**
     * Sends the failover POST once and waits at most {@code timeout} for its long-running operation.
     *
     * @return how it ended, when it did not fail with an answer from Azure
     * @throws RollbackException the mapped Azure error when Azure answered with a refusal (a 409
     *     {@code FailoverNotAllowed}, a 503) or the operation failed
     */
    public FailoverAnswer failover(String resourceGroup, String account, boolean planned, Duration timeout) {
        String what = (planned ? "planned " : "") + "failover of storage account " + resourceGroup + "/" + account;
        SyncPoller<PollResult<Void>, Void> poller;
        try {
            poller = client.beginFailover(
                    resourceGroup, account, planned ? FailoverType.PLANNED : null, context(timeout));
        } catch (RuntimeException e) {
            if (AzureErrors.answerLost(e) && !AzureErrors.neverSent(e)) {
                return FailoverAnswer.ANSWER_LOST;
            }
            throw AzureErrors.map(what, e);
        }
        try {
            PollResponse<PollResult<Void>> done = poller.waitForCompletion(positive(timeout));
            if (done.getStatus() == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                return FailoverAnswer.COMPLETED;
            }
            poller.getFinalResult(); // throws the operation's error if it has one
            PollResult.Error error =
                    done.getValue() == null ? null : done.getValue().getError();
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    what + " ended " + done.getStatus() + (error == null ? "" : ": " + describe(error)));
        } catch (RuntimeException e) {
            if (e instanceof RollbackException r) {
                throw r;
            }
            int status = AzureErrors.status(e);
            if (rootCause(e) instanceof TimeoutException || AzureErrors.answerLost(e) || status >= 400) {
                // accepted (we hold a poller); a poll that timed out, broke or was refused leaves it running
                return FailoverAnswer.STILL_RUNNING;
            }
            // the operation reported Failed (or Canceled) in a 2xx poll answer: it did not take effect
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    what + " failed in Azure"
                            + AzureErrors.errorCode(e).map(c -> " (" + c + ")").orElse("") + ": "
                            + Redaction.describe(e),
                    e);
        }
    }

    /** The ARM error code and message of a failed operation's poll answer. */
    private static String describe(PollResult.Error error) {
        String body = error.getResponseBody() == null ? "" : error.getResponseBody();
        Matcher code = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]{1,100})\"").matcher(body);
        return (code.find() ? code.group(1) + " " : "") + Redaction.redact(Objects.toString(error.getMessage(), ""));
    }

    private static AccountState state(StorageAccountInner a) {
        GeoReplicationStats geo = a.geoReplicationStats();
        Map<String, String> endpoints = new LinkedHashMap<>();
        Endpoints e = a.primaryEndpoints();
        if (e != null) {
            putIfPresent(endpoints, "blob", e.blob());
            putIfPresent(endpoints, "dfs", e.dfs());
            putIfPresent(endpoints, "file", e.file());
            putIfPresent(endpoints, "queue", e.queue());
            putIfPresent(endpoints, "table", e.table());
            putIfPresent(endpoints, "web", e.web());
        }
        return new AccountState(
                Objects.toString(a.id(), ""),
                Objects.toString(a.name(), ""),
                Objects.toString(a.primaryLocation(), Objects.toString(a.location(), "")),
                Optional.ofNullable(a.secondaryLocation()).filter(s -> !s.isBlank()),
                a.sku() == null || a.sku().name() == null ? "" : a.sku().name().toString(),
                Boolean.TRUE.equals(a.failoverInProgress()),
                Optional.ofNullable(a.lastGeoFailoverTime()).map(OffsetDateTime::toInstant),
                Optional.ofNullable(geo).map(GeoReplicationStats::status).map(Object::toString),
                Optional.ofNullable(geo).map(GeoReplicationStats::lastSyncTime).map(OffsetDateTime::toInstant),
                geo != null && Boolean.TRUE.equals(geo.canFailover()),
                geo != null && Boolean.TRUE.equals(geo.canPlannedFailover()),
                Map.copyOf(endpoints));
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null && !value.isBlank()) {
            map.put(key, value);
        }
    }

    private static Context context(Duration timeout) {
        return new Context(RESPONSE_TIMEOUT, positive(timeout));
    }

    private static Duration positive(Duration d) {
        return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
    }

    private static Throwable rootCause(Throwable t) {
        Throwable cause = t;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }
}
