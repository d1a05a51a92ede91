package dev.rollback.storage;

/**
 * The two kinds of storage account failover Azure offers ({@code az storage account failover
 * [--failover-type Planned]}).
 */
public enum FailoverType {
    /**
     * The runbook's failover (customer-managed, "unplanned"): the secondary region becomes primary
     * at once and the account is left locally redundant there. Writes the secondary had not received
     * (everything after the last sync time) are lost.
     */
    CUSTOMER_MANAGED,
    /**
     * A planned failover: Azure waits until the secondary has every write, then swaps the regions;
     * the account stays geo-redundant and loses nothing. Only possible while both regions are up.
     */
    PLANNED
}
