package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Accounts.AccountState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's {@code az storage account show --query geoReplicationStats}, with the RPO gate: a
 * {@link Verifier} that reads the account's geo-replication stats ({@code GET
 * .../storageAccounts/{name}?$expand=geoReplicationStats}) and passes when a failover of the
 * configured {@link FailoverType} may be sent now:
 * <ul>
 *   <li>the account is geo-replicated and has synced at least once (a last sync time, status not
 *       {@code Bootstrap});</li>
 *   <li>Azure allows the failover ({@code canFailover}, or {@code canPlannedFailover});</li>
 *   <li>for a customer-managed failover, the writes it would lose, everything after the last sync
 *       time ({@code now - lastSyncTime} on the step's clock), fit in {@link Builder#maxDataLoss
 *       maxDataLoss} (the component's RPO, 5 minutes by default). A planned failover loses nothing.</li>
 * </ul>
 * A failover already in progress passes (the failover step adopts it). With
 * {@link Builder#overrideRpo(String) an override} it passes whatever the gate says and records the
 * reason. Details (and step evidence with {@link #asStep}): {@code replication.status},
 * {@code replication.lastSyncTime}, {@code replication.lag}, {@code replication.maxDataLoss},
 * {@code replication.canFailover}, {@code replication.canPlannedFailover},
 * {@code replication.primaryLocation}, {@code replication.secondaryLocation},
 * {@code replication.failoverInProgress}, {@code replication.refusals}, and
 * {@code replication.rpoOverride} when an override is set.
 *
 * <p>Read-only and idempotent; immutable and thread-safe. An Azure failure while reading is thrown
 * (mapped as {@link AzureStorageControlPlane} describes), never reported as a pass. It never writes.
 */
public final class ReplicationStatusCheck implements Verifier {
    /** Detail and evidence key: the reason given to fail over although the gate refuses. */
    public static final String RPO_OVERRIDE = "replication.rpoOverride";

    private final StorageRollback.Account account;
    private final String name;
    private final Duration maxDataLoss;
    private final FailoverType type;
    private final Optional<String> rpoOverride;

    private ReplicationStatusCheck(Builder b, StorageRollback.Account account) {
        this.account = account;
        this.name = b.name;
        this.maxDataLoss = b.maxDataLoss;
        this.type = b.type;
        this.rpoOverride = Optional.ofNullable(b.rpoOverride);
    }

    /** A builder on {@code storage}, which must know its account. */
    public static Builder builder(StorageRollback storage) {
        return new Builder(storage);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) {
        AccountState s = account.controlPlane().accounts().read(context, account.resourceGroup(), account.name());
        Replication.Verdict verdict = Replication.evaluate(s, context.clock().instant(), maxDataLoss, type);
        Map<String, String> evidence = Replication.evidence(s, verdict, maxDataLoss);
        String checked = "storage account " + account.resourceGroup() + "/" + account.name() + " may fail over ("
                + (type == FailoverType.PLANNED ? "planned" : "customer-managed, losing at most " + maxDataLoss) + ")";
        String observed;
        boolean passed;
        if (s.failoverInProgress()) {
            passed = true;
            observed = "a failover is already in progress";
        } else if (verdict.allowed()) {
            passed = true;
            observed = "replication " + evidence.get(Replication.STATUS) + ", last sync "
                    + evidence.get(Replication.LAST_SYNC_TIME) + " (" + evidence.get(Replication.LAG) + " ago)";
        } else if (rpoOverride.isPresent()) {
            passed = true;
            observed = "refused (" + String.join("; ", verdict.refusals()) + ") but overridden: "
                    + Redaction.redact(rpoOverride.get());
        } else {
            passed = false;
            observed = String.join("; ", verdict.refusals());
        }
        Verification v =
                passed ? Verification.passed(name, checked, observed) : Verification.failed(name, checked, observed);
        for (Map.Entry<String, String> e : evidence.entrySet()) {
            v = v.withDetail(e.getKey(), e.getValue());
        }
        if (rpoOverride.isPresent()) {
            v = v.withDetail(RPO_OVERRIDE, Redaction.redact(rpoOverride.get()));
        }
        return v;
    }

    /**
     * This check as a read-only, idempotent plan step: it records the details as evidence and fails
     * (not transiently: waiting does not make a lag shorter within a 2-minute RTO) when the check fails. It acts on
     * {@code resourceGroup/account}.
     */
    public RollbackStep asStep(String id, String component) {
        String checkedId = Arguments.requireId(id, "id");
        String checkedComponent = Arguments.requireId(component, "component");
        return RollbackStep.builder(checkedId, checkedComponent)
                .idempotent(true)
                .actsOn(account.resourceGroup() + "/" + account.name())
                .action(context -> {
                    Verification v = verify(context);
                    v.details().forEach(context::evidence);
                    if (!v.passed()) {
                        throw new RollbackException(
                                ErrorCode.STEP_FAILED,
                                "RPO gate: " + v.observed() + "; nothing was changed (override with a reason to fail"
                                        + " over anyway)");
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return "ReplicationStatusCheck[" + account.resourceGroup() + "/" + account.name() + ", " + type
                + ", max data loss " + maxDataLoss + (rpoOverride.isPresent() ? ", overridden" : "") + "]";
    }

    /**
     * Builds a {@link ReplicationStatusCheck}. Setters check their argument at once
     * (IllegalArgumentException naming the field and value); not thread-safe; {@link #build()} may be
     * called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String name = "storage-replication-status";
        private Duration maxDataLoss = StorageRollback.ACCOUNT_OBJECTIVES.rpo();
        private FailoverType type = FailoverType.CUSTOMER_MANAGED;
        private String rpoOverride;

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The verifier's name in reports. Default: {@code storage-replication-status}. */
        public Builder name(String name) {
            this.name = Arguments.requireId(name, "name");
            return this;
        }

        /**
         * The most data a customer-managed failover may lose: the component's RPO. Default: 5 minutes
         * ({@link StorageRollback#ACCOUNT_OBJECTIVES}); positive, at most 30 days.
         */
        public Builder maxDataLoss(Duration maxDataLoss) {
            this.maxDataLoss = Arguments.requirePositive(maxDataLoss, "maxDataLoss", Duration.ofDays(30));
            return this;
        }

        /** The failover the gate is for. Default: {@link FailoverType#CUSTOMER_MANAGED}, as the runbook. */
        public Builder type(FailoverType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Pass even when the gate refuses, for this reason (recorded as {@value #RPO_OVERRIDE}): a
         * human decided that the data at risk weighs less than the outage. Default: no override.
         */
        public Builder overrideRpo(String reason) {
            this.rpoOverride = Arguments.requireText(reason, "rpoOverride");
            return this;
        }

        /**
         * The check.
         *
         * @throws IllegalArgumentException if the {@link StorageRollback} has no account
         */
        public ReplicationStatusCheck build() {
            return new ReplicationStatusCheck(this, storage.requireAccount("a replication status check"));
        }
    }
}
