package dev.rollback.redis;

/**
 * Which nodes of an Azure Cache for Redis {@link ForceRebootStep} reboots, as Azure names them
 * ({@code az redis force-reboot --reboot-type}). Immutable and thread-safe; it only names the nodes and
 * never calls Azure itself.
 */
public enum RebootType {
    /** Every node: the cache is unavailable and empty (unless persisted) until it comes back. */
    ALL_NODES("AllNodes"),
    /** The primary: the replica takes over; the rebooted node comes back as replica. */
    PRIMARY_NODE("PrimaryNode"),
    /** The replica only; the primary keeps serving. */
    SECONDARY_NODE("SecondaryNode");

    private final String azureName;

    RebootType(String azureName) {
        this.azureName = azureName;
    }

    /** The name Azure uses ("AllNodes", "PrimaryNode", "SecondaryNode"). */
    public String azureName() {
        return azureName;
    }
}
