package dev.rollback.storage.internal;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.storage.StorageManager;
import com.azure.resourcemanager.storage.fluent.StorageAccountsClient;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.Endpoints;
import com.azure.resourcemanager.storage.models.FailoverType;
import com.azure.resourcemanager.storage.models.GeoReplicationStats;
import com.azure.resourcemanager.storage.models.StorageAccountExpand;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.azure.AzureCall;
import dev.rollback.azure.AzureFailures;
import dev.rollback.azure.AzureOperations;
import dev.rollback.azure.AzurePipelines;
import dev.rollback.azure.OperationStillRunningException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Storage accounts on Azure Resource Manager as this provider uses them, over the SDK's inner
 * {@link StorageAccountsClient} (the fluent {@code StorageAccount} exposes neither the
 * geo-replication stats nor failover): read an account with {@code $expand=geoReplicationStats},
 * start a failover and wait for its long-running operation. The pipeline is the caller's manager's,
 * which must retry with rollback-azure's {@code DeadlineAwareRetryPolicy}; every call is an
 * {@link AzureCall} of the step that makes it, so the failover POST is never re-sent once it may have
 * reached Azure, no try or wait outlives the step's deadline, and failures are mapped by
 * {@link AzureFailures}. Thread-safe (the SDK client is). It never creates, updates or deletes an
 * account.
 */
public final class Accounts {
    /** The longest one read (or poll) waits for its answer. */
    private static final Duration LONGEST_TRY = Duration.ofSeconds(30);

    private final StorageAccountsClient client;

    private Accounts(StorageAccountsClient client) {
        this.client = client;
    }

    /**
     * Over a pre-built manager, whose pipeline must retry with exactly one {@code DeadlineAwareRetryPolicy}.
     *
     * @throws IllegalArgumentException naming what the pipeline holds and how to build it
     */
    public static Accounts of(StorageManager manager) {
        Objects.requireNonNull(manager, "manager");
        AzurePipelines.requireDeadlineAware(manager.httpPipeline(), "the StorageManager");
        return new Accounts(manager.serviceClient().getStorageAccounts());
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
    public AccountState read(StepContext ctx, String resourceGroup, String account) {
        AzureCall call = AzureCall.read(ctx, "reading storage account " + resourceGroup + "/" + account)
                .tryTimeout(LONGEST_TRY);
        try {
            StorageAccountInner inner = client.getByResourceGroupWithResponse(
                            resourceGroup, account, StorageAccountExpand.GEO_REPLICATION_STATS, call.context())
                    .getValue();
            if (inner == null) {
                throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, call.what() + " returned no account");
            }
            return state(inner);
        } catch (RuntimeException e) {
            if (AzureFailures.status(e) == 404) {
                String code = AzureFailures.armCode(e);
                throw new RollbackException(
                        ErrorCode.INVALID_CONFIGURATION,
                        "storage account " + resourceGroup + "/" + account + " not found (HTTP 404"
                                + (code.isEmpty() ? "" : " " + code) + ")");
            }
            throw call.failure(e);
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
     * Sends the failover POST once (the pipeline never re-sends it once it may have reached Azure) and
     * polls its long-running operation with {@link AzureOperations} until it ends or the step's deadline
     * less {@code reserve} comes.
     *
     * @param pollInterval the wait between polls when Azure sends no Retry-After
     * @return how it ended, when it did not fail with an answer from Azure
     * @throws RollbackException the mapped Azure error when Azure refused the request (a 409
     *     {@code FailoverNotAllowed}; a 429 or 503 the pipeline could not wait out, at once when the server
     *     asks for a wait longer than the step has left), or the operation failed
     */
    public FailoverAnswer failover(
            StepContext ctx,
            String resourceGroup,
            String account,
            boolean planned,
            Duration pollInterval,
            Duration reserve) {
        AzureCall call = AzureCall.change(
                        ctx,
                        (planned ? "planned " : "") + "failover of storage account " + resourceGroup + "/" + account)
                .tryTimeout(LONGEST_TRY);
        SyncPoller<PollResult<Void>, Void> poller;
        try {
            poller =
                    client.beginFailover(resourceGroup, account, planned ? FailoverType.PLANNED : null, call.context());
        } catch (RuntimeException e) {
            RollbackException mapped = call.failure(e);
            if (mapped instanceof IndeterminateOutcomeException) {
                return FailoverAnswer.ANSWER_LOST;
            }
            throw mapped;
        }
        try {
            AzureOperations.await(poller, call, pollInterval, reserve);
            return FailoverAnswer.COMPLETED;
        } catch (OperationStillRunningException | IndeterminateOutcomeException e) {
            // accepted (we hold a poller); the wait stopped or a poll lost its answer: it goes on in Azure
            return FailoverAnswer.STILL_RUNNING;
        }
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
}
