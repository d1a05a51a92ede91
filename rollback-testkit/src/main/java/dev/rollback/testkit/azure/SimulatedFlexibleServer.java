package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * An Azure Database for PostgreSQL flexible server ({@code Microsoft.DBforPostgreSQL/flexibleServers})
 * in the {@link AzureControlPlaneSimulator}: its state, its earliest restore point, and, for a server
 * made by a point-in-time restore, where and when it was restored from.
 *
 * <p>A restore creates a new server in state {@code Updating} when the request is accepted and
 * makes it {@code Ready} when its long-running operation completes; the source server is never
 * touched.
 *
 * <p>Setters seed the simulator; getters inspect what the SDK did. Thread-safe: every access holds
 * the simulator's lock.
 */
public final class SimulatedFlexibleServer {

    /** The state of a server that serves connections. */
    static final String READY = "Ready";
    /** The state of a server being restored. */
    static final String UPDATING = "Updating";

    private final Object lock;
    private final String resourceGroup;
    private final String name;
    private String location = AzureControlPlaneSimulator.DEFAULT_LOCATION;
    private String state = READY;
    private String version = "16";
    private Instant earliestRestoreDate;
    private String sourceServerResourceId;
    private Instant pointInTime;

    SimulatedFlexibleServer(Object lock, String resourceGroup, String name, Instant earliestRestoreDate) {
        this.lock = lock;
        this.resourceGroup = resourceGroup;
        this.name = name;
        this.earliestRestoreDate = earliestRestoreDate;
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
     * The server's name.
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
     * @return this server
     */
    public SimulatedFlexibleServer location(String location) {
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
     * Seeds the state.
     *
     * @param state e.g. {@code Ready} (the default), {@code Stopped}, {@code Updating}
     * @return this server
     */
    public SimulatedFlexibleServer state(String state) {
        Objects.requireNonNull(state, "state");
        synchronized (lock) {
            this.state = state;
        }
        return this;
    }

    /**
     * The state.
     *
     * @return e.g. {@code Ready}
     */
    public String state() {
        synchronized (lock) {
            return state;
        }
    }

    /**
     * Seeds the PostgreSQL major version.
     *
     * @param version e.g. {@code 16} (the default)
     * @return this server
     */
    public SimulatedFlexibleServer version(String version) {
        Objects.requireNonNull(version, "version");
        synchronized (lock) {
            this.version = version;
        }
        return this;
    }

    /**
     * The PostgreSQL major version.
     *
     * @return e.g. {@code 16}
     */
    public String version() {
        synchronized (lock) {
            return version;
        }
    }

    /**
     * Seeds the earliest point a restore may target ({@code properties.backup.earliestRestoreDate}).
     *
     * @param earliestRestoreDate the instant; by default seven days before the server was seeded
     * @return this server
     */
    public SimulatedFlexibleServer earliestRestoreDate(Instant earliestRestoreDate) {
        Objects.requireNonNull(earliestRestoreDate, "earliestRestoreDate");
        synchronized (lock) {
            this.earliestRestoreDate = earliestRestoreDate;
        }
        return this;
    }

    /**
     * The earliest point a restore may target.
     *
     * @return the instant
     */
    public Instant earliestRestoreDate() {
        synchronized (lock) {
            return earliestRestoreDate;
        }
    }

    /**
     * The resource id of the server this one was restored from.
     *
     * @return the source's id; empty for a seeded server
     */
    public Optional<String> restoredFrom() {
        synchronized (lock) {
            return Optional.ofNullable(sourceServerResourceId);
        }
    }

    /**
     * The point in time this server was restored to ({@code pointInTimeUTC} of the request).
     *
     * @return the instant; empty for a seeded server
     */
    public Optional<Instant> restorePointInTime() {
        synchronized (lock) {
            return Optional.ofNullable(pointInTime);
        }
    }

    /** Marks this new server as restored from a source; must hold the lock. */
    void restoring(String sourceServerResourceId, Instant pointInTime) {
        this.sourceServerResourceId = sourceServerResourceId;
        this.pointInTime = pointInTime;
        this.state = UPDATING;
    }

    /** Sets the state from a completed operation; must hold the lock. */
    void ready() {
        this.state = READY;
    }
}
