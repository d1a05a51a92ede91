package dev.rollback.storage;

import com.azure.resourcemanager.storage.StorageManager;
import dev.rollback.storage.internal.Accounts;
import java.util.Objects;

/**
 * The Azure Resource Manager side of a storage account as {@link ReplicationStatusCheck} and
 * {@link AccountFailoverStep} use it: read the account with its geo-replication stats, start a
 * failover and wait for it. The one place of this provider that takes an Azure Resource Manager SDK
 * type: build it with {@link #ofStorageManager(StorageManager)} from a manager you configured
 * (credential, {@code AzureProfile}, HTTP client, retry options), for example
 * {@code StorageManager.authenticate(new DefaultAzureCredentialBuilder().build(), profile)} or
 * {@code azure.storageAccounts().manager()} of an {@code AzureResourceManager}.
 *
 * <p>The SDK's retry policy re-sends a request after any I/O error, whatever its method; for a
 * failover whose answer was lost after Azure accepted it, that would be a second failover (which
 * fails the account back). So the control plane does not use the manager's pipeline as it is: it
 * builds a copy (same HTTP client, same policies in the same order, same profile) in which every
 * {@code com.azure.core.http.policy.RetryPolicy} lets the failover {@code POST} through exactly once
 * and retries everything else as configured. A lost answer is then reconciled by the step, by reading
 * the account. A retry policy of another class in your pipeline is not recognized: do not add one.
 *
 * <p>Immutable and thread-safe (the SDK client is). It never creates, updates or deletes an account.
 */
public final class AzureStorageControlPlane {
    private final Accounts accounts;

    private AzureStorageControlPlane(Accounts accounts) {
        this.accounts = accounts;
    }

    /**
     * A control plane over a pre-built {@link StorageManager}; the only factory that takes an Azure
     * Resource Manager SDK type. The manager itself is left as it is.
     *
     * @param manager the manager, with its credential, profile and pipeline configured
     * @return the control plane
     */
    public static AzureStorageControlPlane ofStorageManager(StorageManager manager) {
        return new AzureStorageControlPlane(Accounts.of(Objects.requireNonNull(manager, "manager")));
    }

    Accounts accounts() {
        return accounts;
    }

    /**
     * How many retry policies of the manager's pipeline are kept away from the failover request
     * (normally 1).
     *
     * @return the count
     */
    public int guardedRetryPolicies() {
        return accounts.guardedRetryPolicies();
    }

    @Override
    public String toString() {
        return "AzureStorageControlPlane";
    }
}
