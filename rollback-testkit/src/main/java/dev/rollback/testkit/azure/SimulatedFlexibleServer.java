package dev.rollback.testkit.azure;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An Azure Database for PostgreSQL flexible server ({@code Microsoft.DBforPostgreSQL/flexibleServers})
 * in the {@link AzureControlPlaneSimulator}: its state, its earliest restore point, for a server
 * made by a point-in-time restore where and when it was restored from, and its high availability
 * (mode, state, the primary's and the standby's availability zones).
 *
 * <p>A restore creates a new server in state {@code Updating} when the request is accepted and
 * makes it {@code Ready} when its long-running operation completes; the source server is never
 * touched.
 *
 * <p>A restart with failover ({@code POST .../restart} with {@code restartWithFailover: true}) is
 * counted in {@link #failovers()} when it is accepted; the server is then {@code Updating} with high
 * availability {@code FailingOver} until its long-running operation completes, when the primary and
 * the standby exchange their availability zones and the server is {@code Ready} and
 * {@code Healthy} again. A failover is a toggle: a second one fails back.
 *
 * <p>Setters seed the simulator; getters inspect what the SDK did. Thread-safe: every access holds
 * the simulator's lock.
 */
public final class SimulatedFlexibleServer {

    /** The state of a server that serves connections. */
    static final String READY = "Ready";
    /** The state of a server being restored, restarted or failed over. */
    static final String UPDATING = "Updating";
    /** The high-availability mode of a server without a standby. */
    static final String HA_DISABLED = "Disabled";
    /** The high-availability state of a server without a standby. */
    static final String HA_NOT_ENABLED = "NotEnabled";
    /** The high-availability state of a server whose standby is in sync and ready to take over. */
    static final String HA_HEALTHY = "Healthy";
    /** The high-availability state while the standby takes over. */
    static final String HA_FAILING_OVER = "FailingOver";

    private final Object lock;
    private final String resourceGroup;
    private final String name;
    private String location = AzureControlPlaneSimulator.DEFAULT_LOCATION;
    private String state = READY;
    private String version = "16";
    private Instant earliestRestoreDate;
    private String sourceServerResourceId;
    private Instant pointInTime;
    private Map<String, String> tags = Map.of();
    private String availabilityZone = "1";
    private String highAvailabilityMode = HA_DISABLED;
    private String highAvailabilityState = HA_NOT_ENABLED;
    private String standbyAvailabilityZone;
    private String lastFailoverMode;
    private int failovers;
    private int restarts;

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

    /**
     * Seeds the availability zone of the primary ({@code properties.availabilityZone}).
     *
     * @param zone e.g. {@code 1} (the default)
     * @return this server
     */
    public SimulatedFlexibleServer availabilityZone(String zone) {
        Objects.requireNonNull(zone, "zone");
        synchronized (lock) {
            this.availabilityZone = zone;
        }
        return this;
    }

    /**
     * The availability zone of the primary; after a failover, the former standby's.
     *
     * @return e.g. {@code 1}
     */
    public String availabilityZone() {
        synchronized (lock) {
            return availabilityZone;
        }
    }

    /**
     * Seeds high availability: a standby in {@code standbyZone}, in state {@code Healthy}; or, with
     * mode {@code Disabled}, none (state {@code NotEnabled}, no standby zone), the default.
     *
     * @param mode {@code ZoneRedundant}, {@code SameZone} or {@code Disabled}
     * @param standbyZone the standby's availability zone; ignored for {@code Disabled}
     * @return this server
     */
    public SimulatedFlexibleServer highAvailability(String mode, String standbyZone) {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(standbyZone, "standbyZone");
        synchronized (lock) {
            boolean disabled = HA_DISABLED.equals(mode);
            this.highAvailabilityMode = mode;
            this.highAvailabilityState = disabled ? HA_NOT_ENABLED : HA_HEALTHY;
            this.standbyAvailabilityZone = disabled ? null : standbyZone;
        }
        return this;
    }

    /**
     * Seeds the high-availability state, e.g. {@code ReplicatingData} or {@code CreatingStandby} for
     * a standby that cannot take over yet.
     *
     * @param state {@code NotEnabled}, {@code CreatingStandby}, {@code ReplicatingData},
     *     {@code FailingOver}, {@code Healthy} or {@code RemovingStandby}
     * @return this server
     */
    public SimulatedFlexibleServer highAvailabilityState(String state) {
        Objects.requireNonNull(state, "state");
        synchronized (lock) {
            this.highAvailabilityState = state;
        }
        return this;
    }

    /**
     * The high-availability mode.
     *
     * @return {@code Disabled} (the default), {@code ZoneRedundant} or {@code SameZone}
     */
    public String highAvailabilityMode() {
        synchronized (lock) {
            return highAvailabilityMode;
        }
    }

    /**
     * The high-availability state.
     *
     * @return e.g. {@code Healthy}, {@code FailingOver}, {@code NotEnabled}
     */
    public String highAvailabilityState() {
        synchronized (lock) {
            return highAvailabilityState;
        }
    }

    /**
     * The standby's availability zone.
     *
     * @return the zone; empty without high availability
     */
    public Optional<String> standbyAvailabilityZone() {
        synchronized (lock) {
            return Optional.ofNullable(standbyAvailabilityZone);
        }
    }

    /**
     * How many restarts with failover were accepted (each counts when accepted, before its
     * long-running operation completes, and also when its answer was lost).
     *
     * @return the count
     */
    public int failovers() {
        synchronized (lock) {
            return failovers;
        }
    }

    /**
     * The {@code failoverMode} of the last accepted failover.
     *
     * @return {@code ForcedFailover} or {@code PlannedFailover}; empty before any
     */
    public Optional<String> lastFailoverMode() {
        synchronized (lock) {
            return Optional.ofNullable(lastFailoverMode);
        }
    }

    /**
     * How many restarts without failover were accepted.
     *
     * @return the count
     */
    public int restarts() {
        synchronized (lock) {
            return restarts;
        }
    }

    /**
     * Seeds the server's tags ({@code tags} of the ARM resource), as a restore request sets them.
     *
     * @param tags the tags; replaces any there were
     * @return this server
     */
    public SimulatedFlexibleServer tags(Map<String, String> tags) {
        Objects.requireNonNull(tags, "tags");
        synchronized (lock) {
            this.tags = Map.copyOf(tags);
        }
        return this;
    }

    /**
     * The server's tags.
     *
     * @return the tags, as the restore request (or the seed) set them
     */
    public Map<String, String> tags() {
        synchronized (lock) {
            return tags;
        }
    }

    /**
     * Seeds this server as one restored from {@code sourceServerResourceId} to {@code pointInTime},
     * in state {@code Ready}: a server that exists before a step runs, to test whether it is adopted.
     *
     * @param sourceServerResourceId the resource id of the server it was restored from
     * @param pointInTime the point in time it was restored to
     * @return this server
     */
    public SimulatedFlexibleServer restoredFrom(String sourceServerResourceId, Instant pointInTime) {
        Objects.requireNonNull(sourceServerResourceId, "sourceServerResourceId");
        Objects.requireNonNull(pointInTime, "pointInTime");
        synchronized (lock) {
            this.sourceServerResourceId = sourceServerResourceId;
            this.pointInTime = pointInTime;
        }
        return this;
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

    /** Accepts a failover: Updating and FailingOver until it completes; must hold the lock. */
    void failingOver(String mode) {
        this.failovers++;
        this.lastFailoverMode = mode;
        this.state = UPDATING;
        this.highAvailabilityState = HA_FAILING_OVER;
    }

    /** Completes a failover: the standby's zone becomes the primary's and back; must hold the lock. */
    void failedOver() {
        String formerPrimary = availabilityZone;
        this.availabilityZone = standbyAvailabilityZone;
        this.standbyAvailabilityZone = formerPrimary;
        this.state = READY;
        this.highAvailabilityState = HA_HEALTHY;
    }

    /** Ends a failed failover with nothing changed; must hold the lock. */
    void failoverUndone() {
        this.state = READY;
        this.highAvailabilityState = HA_HEALTHY;
    }

    /** Accepts a restart without failover: Updating until it completes; must hold the lock. */
    void restarting() {
        this.restarts++;
        this.state = UPDATING;
    }
}
