package dev.rollback.storage;

import com.azure.resourcemanager.storage.StorageManager;
import dev.rollback.storage.internal.Accounts;
import java.util.Objects;

/**
 * The Azure Resource Manager side of a storage account as {@link ReplicationStatusCheck} and
 * {@link AccountFailoverStep} use it: read the account with its geo-replication stats, start a
 * failover and wait for it. The one place of this provider that takes an Azure Resource Manager SDK
 * type: build it with {@link #ofStorageManager(StorageManager)} from a manager you configured
 * (credential, {@code AzureProfile}, HTTP client) with rollback-azure's {@code DeadlineAwareRetryPolicy}
 * in its retry slot:
 * {@code StorageManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)},
 * or {@code azure.storageAccounts().manager()} of an {@code AzureResourceManager} configured the same way.
 *
 * <p>azure-core's own retry policy re-sends a request after any I/O error, whatever its method; for a
 * failover whose answer was lost after Azure accepted it, that would be a second failover (which
 * fails the account back), and it sleeps whatever {@code Retry-After} a server sends, past any
 * deadline. So a manager built any other way is refused. Every call carries the step's deadline
 * ({@code AzureCall}); the failover is a change the policy never re-sends once it may have reached
 * Azure, and a lost answer is reconciled by the step, by reading the account.
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
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy}, naming what to change: build it with
     *     {@code StorageManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())}
     */
    public static AzureStorageControlPlane ofStorageManager(StorageManager manager) {
        return new AzureStorageControlPlane(Accounts.of(Objects.requireNonNull(manager, "manager")));
    }

    Accounts accounts() {
        return accounts;
    }

    @Override
    public String toString() {
        return "AzureStorageControlPlane";
    }
}
