package dev.rollback.testkit.azure;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An Azure Cache for Redis ({@code Microsoft.Cache/redis}) in the {@link AzureControlPlaneSimulator}:
 * its provisioning state, and the force reboots the SDK asked for.
 *
 * <p>Setters seed the simulator; getters inspect what the SDK did. Thread-safe: every access holds
 * the simulator's lock.
 */
public final class SimulatedRedisCache {

    private final Object lock;
    private final String resourceGroup;
    private final String name;
    private final List<String> reboots = new ArrayList<>();
    private String location = AzureControlPlaneSimulator.DEFAULT_LOCATION;
    private String provisioningState = "Succeeded";

    SimulatedRedisCache(Object lock, String resourceGroup, String name) {
        this.lock = lock;
        this.resourceGroup = resourceGroup;
        this.name = name;
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
     * The cache's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Seeds the region.
     *
     * @param location e.g. {@code westeurope} (the default)
     * @return this cache
     */
    public SimulatedRedisCache location(String location) {
        Objects.requireNonNull(location, "location");
        synchronized (lock) {
            this.location = location;
        }
        return this;
    }

    /**
     * The region.
     *
     * @return e.g. {@code westeurope}
     */
    public String location() {
        synchronized (lock) {
            return location;
        }
    }

    /**
     * Seeds {@code properties.provisioningState}.
     *
     * @param provisioningState e.g. {@code Succeeded} (the default), {@code Updating},
     *     {@code Failed}; Azure's values are open-ended, so any is accepted
     * @return this cache
     */
    public SimulatedRedisCache provisioningState(String provisioningState) {
        Objects.requireNonNull(provisioningState, "provisioningState");
        synchronized (lock) {
            this.provisioningState = provisioningState;
        }
        return this;
    }

    /**
     * The provisioning state.
     *
     * @return e.g. {@code Succeeded}
     */
    public String provisioningState() {
        synchronized (lock) {
            return provisioningState;
        }
    }

    /**
     * The force reboots accepted so far, oldest first.
     *
     * @return the reboot types, each {@code AllNodes}, {@code PrimaryNode} or {@code SecondaryNode}
     */
    public List<String> reboots() {
        synchronized (lock) {
            return List.copyOf(reboots);
        }
    }

    /** Records an accepted reboot; must hold the lock. */
    void reboot(String rebootType) {
        reboots.add(rebootType);
    }
}
