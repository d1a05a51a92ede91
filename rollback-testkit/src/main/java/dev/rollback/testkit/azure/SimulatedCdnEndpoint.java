package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An Azure CDN endpoint ({@code Microsoft.Cdn/profiles/endpoints}) or Azure Front Door Standard/Premium
 * endpoint ({@code Microsoft.Cdn/profiles/afdEndpoints}) in the {@link AzureControlPlaneSimulator}:
 * its host name and the purges that completed.
 *
 * <p>Getters inspect what the SDK did. Thread-safe: every access holds the simulator's lock.
 */
public final class SimulatedCdnEndpoint {

    /** A completed purge: the paths and (Front Door) domains purged, when it completed. */
    public record Purge(List<String> contentPaths, List<String> domains, Instant completedAt) {
        /** Copies. */
        public Purge {
            contentPaths = List.copyOf(contentPaths);
            domains = List.copyOf(domains);
            Objects.requireNonNull(completedAt, "completedAt");
        }
    }

    private final Object lock;
    private final String resourceGroup;
    private final String profile;
    private final String name;
    private final boolean frontDoor;
    private final List<Purge> purges = new ArrayList<>();
    private String location = "Global";

    SimulatedCdnEndpoint(Object lock, String resourceGroup, String profile, String name, boolean frontDoor) {
        this.lock = lock;
        this.resourceGroup = resourceGroup;
        this.profile = profile;
        this.name = name;
        this.frontDoor = frontDoor;
    }

    /**
     * The resource group.
     *
     * @return its name
     */
    public String resourceGroup() {
        return resourceGroup;
    }

    /**
     * The CDN or Front Door profile.
     *
     * @return its name
     */
    public String profile() {
        return profile;
    }

    /**
     * The endpoint's name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Whether it is a Front Door (Standard/Premium) endpoint rather than a classic CDN endpoint.
     *
     * @return true for {@code afdEndpoints}
     */
    public boolean frontDoor() {
        return frontDoor;
    }

    /**
     * The host name it serves: {@code <name>.azureedge.net} (CDN) or {@code <name>.z01.azurefd.net}
     * (Front Door).
     *
     * @return the host name
     */
    public String hostName() {
        return frontDoor ? name + ".z01.azurefd.net" : name + ".azureedge.net";
    }

    /**
     * The region its ARM resource reports.
     *
     * @return {@code Global} by default
     */
    public String location() {
        synchronized (lock) {
            return location;
        }
    }

    /**
     * The purges that completed, oldest first. A purge counts when its long-running operation
     * succeeds, not when it is accepted.
     *
     * @return a snapshot
     */
    public List<Purge> purges() {
        synchronized (lock) {
            return List.copyOf(purges);
        }
    }

    /** Records a completed purge; must hold the lock. */
    void purged(List<String> contentPaths, List<String> domains, Instant at) {
        purges.add(new Purge(contentPaths, domains, at));
    }
}
