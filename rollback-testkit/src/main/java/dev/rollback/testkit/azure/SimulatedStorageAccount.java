package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A geo-redundant storage account ({@code Microsoft.Storage/storageAccounts}) in the
 * {@link AzureControlPlaneSimulator}: its primary and secondary regions, the geo-replication stats
 * that {@code $expand=geoReplicationStats} reports, and account failover.
 *
 * <p>Failover behaves as Azure documents it. A planned failover ({@code failoverType=Planned})
 * exchanges the primary and secondary regions and keeps the account geo-redundant. A
 * customer-managed (unplanned) failover makes the secondary region primary and leaves the account
 * locally redundant in it: no secondary region, the SKU {@code *_GRS}/{@code *_RAGRS} becomes
 * {@code *_LRS} ({@code *_GZRS}/{@code *_RAGZRS} becomes {@code *_ZRS}), no geo-replication stats.
 * Either takes effect when its long-running operation completes; until then
 * {@code properties.failoverInProgress} is true.
 *
 * <p>Setters seed the simulator; getters inspect what the SDK did. Thread-safe: every access holds
 * the simulator's lock.
 */
public final class SimulatedStorageAccount {

    private final Object lock;
    private final String resourceGroup;
    private final String name;
    private String primaryLocation = AzureControlPlaneSimulator.DEFAULT_LOCATION;
    private String secondaryLocation = "northeurope";
    private String sku = "Standard_RAGRS";
    private String geoReplicationStatus = "Live";
    private Instant lastSyncTime;
    private boolean canFailover = true;
    private boolean canPlannedFailover = true;
    private boolean failoverInProgress;
    private Instant lastFailoverTime;

    SimulatedStorageAccount(Object lock, String resourceGroup, String name, Instant now) {
        this.lock = lock;
        this.resourceGroup = resourceGroup;
        this.name = name;
        this.lastSyncTime = now;
    }

    /**
     * The resource group.
     *
     * @return the resource group's name
     */
    public String resourceGroup() {
        return resourceGroup;
    }

    /**
     * The account's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Seeds the primary and secondary regions.
     *
     * @param primary the primary region, {@code westeurope} by default
     * @param secondary the secondary region, {@code northeurope} by default
     * @return this account
     */
    public SimulatedStorageAccount locations(String primary, String secondary) {
        Objects.requireNonNull(primary, "primary");
        Objects.requireNonNull(secondary, "secondary");
        synchronized (lock) {
            this.primaryLocation = primary;
            this.secondaryLocation = secondary;
        }
        return this;
    }

    /**
     * Seeds the SKU.
     *
     * @param sku a geo-redundant SKU, e.g. {@code Standard_RAGRS} (the default) or
     *     {@code Standard_GZRS}
     * @return this account
     */
    public SimulatedStorageAccount sku(String sku) {
        Objects.requireNonNull(sku, "sku");
        synchronized (lock) {
            this.sku = sku;
        }
        return this;
    }

    /**
     * Seeds the geo-replication stats.
     *
     * @param status {@code Live} (the default), {@code Bootstrap} or {@code Unavailable}
     * @param lastSyncTime writes before it are on the secondary; the simulator's clock at seeding
     *     by default
     * @param canFailover whether a customer-managed failover is allowed (default true)
     * @return this account
     */
    public SimulatedStorageAccount geoReplication(String status, Instant lastSyncTime, boolean canFailover) {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(lastSyncTime, "lastSyncTime");
        synchronized (lock) {
            this.geoReplicationStatus = status;
            this.lastSyncTime = lastSyncTime;
            this.canFailover = canFailover;
        }
        return this;
    }

    /**
     * Seeds whether a planned failover is allowed (default true).
     *
     * @param canPlannedFailover whether it is allowed
     * @return this account
     */
    public SimulatedStorageAccount canPlannedFailover(boolean canPlannedFailover) {
        synchronized (lock) {
            this.canPlannedFailover = canPlannedFailover;
        }
        return this;
    }

    /**
     * The primary region.
     *
     * @return e.g. {@code westeurope}
     */
    public String primaryLocation() {
        synchronized (lock) {
            return primaryLocation;
        }
    }

    /**
     * The secondary region.
     *
     * @return the region; empty once an unplanned failover left the account locally redundant
     */
    public Optional<String> secondaryLocation() {
        synchronized (lock) {
            return Optional.ofNullable(secondaryLocation);
        }
    }

    /**
     * The SKU.
     *
     * @return e.g. {@code Standard_RAGRS}
     */
    public String sku() {
        synchronized (lock) {
            return sku;
        }
    }

    /**
     * Whether a failover was accepted and has not completed yet.
     *
     * @return true while failing over
     */
    public boolean failoverInProgress() {
        synchronized (lock) {
            return failoverInProgress;
        }
    }

    /**
     * When the last failover completed.
     *
     * @return the time; empty if the account never failed over
     */
    public Optional<Instant> lastFailoverTime() {
        synchronized (lock) {
            return Optional.ofNullable(lastFailoverTime);
        }
    }

    // The accessors below serve the REST representation and the failover; they must hold the lock.

    String geoReplicationStatus() {
        return geoReplicationStatus;
    }

    Instant lastSyncTime() {
        return lastSyncTime;
    }

    boolean canFailover() {
        return canFailover && secondaryLocation != null && !failoverInProgress;
    }

    boolean canPlannedFailover() {
        return canPlannedFailover && secondaryLocation != null && !failoverInProgress;
    }

    void failoverInProgress(boolean inProgress) {
        failoverInProgress = inProgress;
    }

    /** Completes a failover at {@code now}. */
    void failOver(boolean planned, Instant now) {
        String formerPrimary = primaryLocation;
        primaryLocation = secondaryLocation;
        if (planned) {
            secondaryLocation = formerPrimary;
            lastSyncTime = now;
        } else {
            secondaryLocation = null;
            sku = sku.replaceFirst("_RA", "_").replaceFirst("_GRS$", "_LRS").replaceFirst("_GZRS$", "_ZRS");
        }
        failoverInProgress = false;
        lastFailoverTime = now;
    }
}
