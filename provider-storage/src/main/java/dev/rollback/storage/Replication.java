package dev.rollback.storage;

import dev.rollback.api.StepContext;
import dev.rollback.storage.internal.Accounts.AccountState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The RPO gate over an account's geo-replication stats, shared by {@link ReplicationStatusCheck} and
 * {@link AccountFailoverStep}, and the evidence both record. Stateless.
 */
final class Replication {
    /** Evidence key: {@code Live}, {@code Bootstrap}, {@code Unavailable}, or {@code none}. */
    static final String STATUS = "replication.status";
    /** Evidence key: the last sync time (ISO-8601), or {@code never}. */
    static final String LAST_SYNC_TIME = "replication.lastSyncTime";
    /** Evidence key: what a customer-managed failover would lose now (ISO-8601 duration), or {@code unknown}. */
    static final String LAG = "replication.lag";
    /** Evidence key: the most data loss the gate allows (ISO-8601 duration). */
    static final String MAX_DATA_LOSS = "replication.maxDataLoss";
    /** Evidence key: whether Azure allows a customer-managed failover now. */
    static final String CAN_FAILOVER = "replication.canFailover";
    /** Evidence key: whether Azure allows a planned failover now. */
    static final String CAN_PLANNED_FAILOVER = "replication.canPlannedFailover";
    /** Evidence key: the primary region. */
    static final String PRIMARY = "replication.primaryLocation";
    /** Evidence key: the secondary region, or {@code none}. */
    static final String SECONDARY = "replication.secondaryLocation";
    /** Evidence key: whether a failover is in progress. */
    static final String IN_PROGRESS = "replication.failoverInProgress";
    /** Evidence key: why the gate refuses a failover, or {@code none}. */
    static final String REFUSALS = "replication.refusals";

    private Replication() {}

    /**
     * What the gate says about a failover of {@code type} now.
     *
     * @param lag the time since the last sync: what a customer-managed failover would lose now (a
     *     planned one loses nothing); empty when the account never synced
     * @param refusals why a failover must not be sent (empty: it may)
     */
    record Verdict(Optional<Duration> lag, List<String> refusals) {
        boolean allowed() {
            return refusals.isEmpty();
        }
    }

    static Verdict evaluate(AccountState s, Instant now, Duration maxDataLoss, FailoverType type) {
        List<String> refusals = new ArrayList<>();
        String account = s.name();
        Optional<Duration> lag = s.lastSyncTime().map(t -> t.isAfter(now) ? Duration.ZERO : Duration.between(t, now));
        if (s.secondaryLocation().isEmpty() || s.replicationStatus().isEmpty()) {
            refusals.add("storage account " + account + " is not geo-replicated (SKU " + s.sku()
                    + ", no secondary region or no geo-replication stats): there is nothing to fail over to");
            return new Verdict(lag, List.copyOf(refusals));
        }
        String status = s.replicationStatus().get();
        if (s.lastSyncTime().isEmpty() || "Bootstrap".equalsIgnoreCase(status)) {
            refusals.add("storage account " + account + " has never synced to "
                    + s.secondaryLocation().get()
                    + " (replication status " + status + ", last sync time "
                    + s.lastSyncTime().map(Instant::toString).orElse("none") + ")");
        }
        if (type == FailoverType.PLANNED) {
            if (!s.canPlannedFailover()) {
                refusals.add("Azure reports that a planned failover of storage account " + account
                        + " is not possible now (canPlannedFailover false, replication status " + status + ")");
            }
            return new Verdict(lag, List.copyOf(refusals));
        }
        if (!s.canFailover()) {
            refusals.add("Azure reports that a failover of storage account " + account
                    + " is not possible now (canFailover false, replication status " + status + ")");
        }
        if (lag.isPresent() && lag.get().compareTo(maxDataLoss) > 0) {
            refusals.add("a failover of storage account " + account + " now would lose the writes of the last "
                    + lag.get() + " (last sync " + s.lastSyncTime().get() + "), more than the RPO of " + maxDataLoss);
        }
        return new Verdict(lag, List.copyOf(refusals));
    }

    /** The evidence of a read and its verdict, in a stable order. */
    static Map<String, String> evidence(AccountState s, Verdict verdict, Duration maxDataLoss) {
        Map<String, String> e = new LinkedHashMap<>();
        e.put(STATUS, s.replicationStatus().orElse("none"));
        e.put(LAST_SYNC_TIME, s.lastSyncTime().map(Instant::toString).orElse("never"));
        e.put(LAG, verdict.lag().map(Duration::toString).orElse("unknown"));
        e.put(MAX_DATA_LOSS, maxDataLoss.toString());
        e.put(CAN_FAILOVER, Boolean.toString(s.canFailover()));
        e.put(CAN_PLANNED_FAILOVER, Boolean.toString(s.canPlannedFailover()));
        e.put(PRIMARY, s.primaryLocation());
        e.put(SECONDARY, s.secondaryLocation().orElse("none"));
        e.put(IN_PROGRESS, Boolean.toString(s.failoverInProgress()));
        e.put(REFUSALS, verdict.refusals().isEmpty() ? "none" : String.join("; ", verdict.refusals()));
        return e;
    }

    static void record(StepContext context, Map<String, String> evidence) {
        evidence.forEach(context::evidence);
    }
}
