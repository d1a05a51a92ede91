package dev.rollback.storage;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Accounts;
import dev.rollback.storage.internal.Accounts.AccountState;
import dev.rollback.storage.internal.Accounts.FailoverAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's {@code az storage account failover}: fails a geo-redundant storage account over to
 * its secondary region ({@code POST .../storageAccounts/{name}/failover}, a long-running operation)
 * and waits for it within the step's deadline, behind the RPO gate of
 * {@link ReplicationStatusCheck}.
 *
 * <p><b>RPO gate.</b> Right before the request, the step reads the geo-replication stats and refuses,
 * before any write, when the account never synced, when Azure says a failover is not possible, or
 * when a customer-managed failover would lose more than {@link Builder#maxDataLoss maxDataLoss} (the
 * writes after the last sync time); unless {@link Builder#overrideRpo(String) an override} gives a
 * reason, which is then recorded ({@value #RPO_OVERRIDE}). The preflight runs the same gate (read
 * only), so a dry run sees the refusal.
 *
 * <p><b>Sent once, reconciled.</b> A failover is a toggle (a second one fails the account back), so
 * this step is <b>not idempotent</b>. The request goes through the manager's pipeline, whose
 * rollback-azure {@code DeadlineAwareRetryPolicy} never re-sends it once it may have reached Azure
 * ({@link AzureStorageControlPlane}), and its operation is polled within the step's deadline; a 429 or
 * 503 asking for a wait longer than the step has left fails at once, naming both. When its answer is
 * lost (a reset after Azure accepted it, a timeout) the step reads the account: a failover in progress is awaited, a changed
 * primary region is adopted, and when neither shows within {@link Builder#reconcileTimeout
 * reconcileTimeout} the step fails with {@code HUMAN_DECISION_REQUIRED} rather than send it again. A
 * retry or a resume reads the account first, the same way, and never sends a second failover for a
 * failover already in progress or done. {@link #tookEffect(StepContext)} answers from the account:
 * the expected primary region (configured, or recorded by this run) serves as primary; for a
 * customer-managed failover, the account has become locally redundant after a failover.
 *
 * <p>Evidence: the replication stats read before the request ({@code replication.*}, as
 * {@link ReplicationStatusCheck}), {@value #TYPE}, {@value #PRIMARY_BEFORE}, {@value #EXPECTED_PRIMARY},
 * {@value #PRIMARY_AFTER}, {@value #SECONDARY_AFTER}, {@value #SKU_AFTER}, {@code failover.endpoint.blob}
 * (and {@code dfs}, {@code file}, {@code queue}, {@code table}, {@code web} as Azure reports them),
 * {@value #LAST_FAILOVER_TIME}, {@value #ANSWER} (how the request ended), {@value #ADOPTED}, and
 * {@link EvidenceKey#DATA_LOSS_WINDOW}: the writes lost, {@code now - lastSyncTime} when the request
 * was sent (zero for a planned failover), which the report compares with the component's RPO.
 *
 * <p>Immutable and thread-safe. It never creates, changes the SKU of or deletes an account, never
 * sends a failover the gate refused without an override, and never sends two failovers in a run.
 */
public final class AccountFailoverStep implements RollbackStep {
    /** Evidence key: {@code CUSTOMER_MANAGED} or {@code PLANNED}. */
    public static final String TYPE = "failover.type";
    /** Evidence key: the primary region before the failover. */
    public static final String PRIMARY_BEFORE = "failover.primaryBefore";
    /** Evidence key: the region expected to be primary afterwards (the secondary before). */
    public static final String EXPECTED_PRIMARY = "failover.expectedPrimary";
    /** Evidence key: the primary region afterwards. */
    public static final String PRIMARY_AFTER = "failover.primaryAfter";
    /** Evidence key: the secondary region afterwards, or {@code none} (locally redundant). */
    public static final String SECONDARY_AFTER = "failover.secondaryAfter";
    /** Evidence key: the SKU afterwards (a customer-managed failover leaves it locally redundant). */
    public static final String SKU_AFTER = "failover.skuAfter";
    /** Evidence key: Azure's {@code lastGeoFailoverTime}. */
    public static final String LAST_FAILOVER_TIME = "failover.lastGeoFailoverTime";
    /** Evidence key: how the request ended: {@code COMPLETED}, {@code STILL_RUNNING}, {@code ANSWER_LOST}, {@code NOT_SENT}. */
    public static final String ANSWER = "failover.answer";
    /** Evidence key: {@code true} when this attempt found a failover in progress or done and did not send one. */
    public static final String ADOPTED = "failover.adopted";
    /** Evidence key: the reason given to fail over although the RPO gate refused. */
    public static final String RPO_OVERRIDE = "failover.rpoOverride";
    /** Evidence key: set to {@value #SENT} right before the request leaves, so a later attempt knows. */
    static final String REQUEST = "failover.request";

    private static final String SENT = "sent";
    /** Evidence key prefix of the endpoints after the failover. */
    static final String ENDPOINT = "failover.endpoint.";

    private final StorageRollback.Account account;
    private final String id;
    private final String component;
    private final FailoverType type;
    private final Duration maxDataLoss;
    private final Optional<String> rpoOverride;
    private final Optional<String> expectedPrimary;
    private final Duration pollInterval;
    private final Duration reconcileTimeout;

    private AccountFailoverStep(Builder b, StorageRollback.Account account) {
        this.account = account;
        this.id = b.id;
        this.component = b.component;
        this.type = b.type;
        this.maxDataLoss = b.maxDataLoss;
        this.rpoOverride = Optional.ofNullable(b.rpoOverride);
        this.expectedPrimary = Optional.ofNullable(b.expectedPrimary);
        this.pollInterval = b.pollInterval;
        this.reconcileTimeout = b.reconcileTimeout;
    }

    /** A builder on {@code storage}, which must know its account. */
    public static Builder builder(StorageRollback storage) {
        return new Builder(storage);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The storage account failed over: {@code resourceGroup/account}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(account.resourceGroup() + "/" + account.name());
    }

    /** The kind of failover it sends. */
    public FailoverType type() {
        return type;
    }

    /** The most data a customer-managed failover may lose (the RPO gate). */
    public Duration maxDataLoss() {
        return maxDataLoss;
    }

    /** The reason given to fail over although the gate refuses, if any. */
    public Optional<String> rpoOverride() {
        return rpoOverride;
    }

    private Accounts accounts() {
        return account.controlPlane().accounts();
    }

    private AccountState read(StepContext context) {
        return accounts().read(context, account.resourceGroup(), account.name());
    }

    /** Reads the stats and applies the RPO gate; changes nothing. */
    @Override
    public void preflight(StepContext context) {
        AccountState s = read(context);
        if (s.failoverInProgress() || tookEffectOn(s, context).orElse(false)) {
            return;
        }
        gate(context, s);
    }

    /** Applies the gate to {@code s}, records the evidence, and returns the verdict; throws when it refuses. */
    private Replication.Verdict gate(StepContext context, AccountState s) {
        Replication.Verdict verdict = Replication.evaluate(s, context.clock().instant(), maxDataLoss, type);
        Replication.record(context, Replication.evidence(s, verdict, maxDataLoss));
        if (!verdict.allowed()) {
            if (rpoOverride.isEmpty()) {
                throw new RollbackException(
                        ErrorCode.STEP_FAILED,
                        "RPO gate refused the failover of storage account " + account.resourceGroup() + "/"
                                + account.name() + ": " + String.join("; ", verdict.refusals())
                                + "; nothing was sent (override with a reason to fail over anyway)");
            }
            context.evidence(RPO_OVERRIDE, Redaction.redact(rpoOverride.get()));
        }
        return verdict;
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.checkpoint();
        context.evidence(TYPE, type.name());
        AccountState s = read(context);
        Optional<String> sentBefore = context.evidenceOf(id, REQUEST);
        Optional<String> primaryBefore = context.evidenceOf(id, PRIMARY_BEFORE);
        if (s.failoverInProgress()) {
            adopt(context, "a failover of the account is in progress");
            return;
        }
        if (tookEffectOn(s, context).orElse(false)) {
            context.evidence(ADOPTED, "true");
            finish(context, s, primaryBefore.orElse("unknown"), recordedLoss(context));
            return;
        }
        if (sentBefore.filter(SENT::equals).isPresent()) {
            throw new RollbackException(
                    ErrorCode.HUMAN_DECISION_REQUIRED,
                    "step '" + id + "' sent a failover of storage account " + account.resourceGroup() + "/"
                            + account.name() + " in an earlier attempt of this run whose outcome is unknown, and the"
                            + " account shows neither a failover in progress nor a new primary region ("
                            + s.primaryLocation() + "); it is not sent again");
        }
        gate(context, s);
        String expected = expectedPrimary.orElseGet(() -> s.secondaryLocation().orElse("unknown"));
        context.evidence(PRIMARY_BEFORE, s.primaryLocation());
        context.evidence(EXPECTED_PRIMARY, expected);
        Instant sentAt = context.clock().instant();
        Optional<Duration> loss = type == FailoverType.PLANNED
                ? Optional.of(Duration.ZERO)
                : s.lastSyncTime().map(t -> t.isAfter(sentAt) ? Duration.ZERO : Duration.between(t, sentAt));
        loss.ifPresent(l -> context.evidence("failover.dataLossAtRequest", l.toString()));
        context.checkpoint();
        context.evidence(REQUEST, SENT);
        FailoverAnswer answer;
        try {
            answer = accounts()
                    .failover(
                            context,
                            account.resourceGroup(),
                            account.name(),
                            type == FailoverType.PLANNED,
                            pollInterval,
                            pollInterval);
        } catch (RuntimeException e) {
            // Azure answered: it refused the request, or its operation failed; either way nothing changed
            context.evidence(REQUEST, "answered with a failure");
            throw e;
        }
        context.evidence(ANSWER, answer.name());
        context.progress("failover request answered: " + answer);
        AccountState after = switch (answer) {
            case COMPLETED -> read(context);
            case STILL_RUNNING -> await(context);
            case ANSWER_LOST -> reconcile(context, s);
        };
        context.evidence(ADOPTED, "false");
        finish(context, after, s.primaryLocation(), loss);
    }

    /** A failover this step did not send in this attempt: wait for it, then finish with what is known. */
    private void adopt(StepContext context, String why) throws InterruptedException {
        context.evidence(ADOPTED, "true");
        context.evidence(ANSWER, "NOT_SENT");
        context.progress(why);
        AccountState after = await(context);
        finish(context, after, context.evidenceOf(id, PRIMARY_BEFORE).orElse("unknown"), recordedLoss(context));
    }

    /** The data loss this run measured when it sent the request, if it did. */
    private Optional<Duration> recordedLoss(StepContext context) {
        return context.evidenceOf(id, "failover.dataLossAtRequest").flatMap(EvidenceKey.DATA_LOSS_WINDOW::read);
    }

    /** The answer was lost: read the account until it shows the failover (in progress or done), or give up. */
    private AccountState reconcile(StepContext context, AccountState before) throws InterruptedException {
        long giveUp = context.clock().monotonicNanos() + reconcileTimeout.toNanos();
        while (true) {
            context.checkpoint();
            AccountState s = read(context);
            if (s.failoverInProgress()) {
                context.progress("the failover was accepted (in progress); waiting for it");
                return await(context);
            }
            if (!s.primaryLocation().equals(before.primaryLocation())) {
                return s;
            }
            if (context.clock().monotonicNanos() >= giveUp) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        "step '" + id + "': the answer to the failover request of storage account "
                                + account.resourceGroup() + "/" + account.name() + " was lost, and for "
                                + reconcileTimeout + " the account showed neither a failover in progress nor a new"
                                + " primary region (still " + s.primaryLocation()
                                + "); the request may not have reached Azure. It is not sent again");
            }
            context.progress("reconciling a lost failover answer: no failover visible yet");
            context.clock().sleep(shortest(pollInterval, context.remaining()));
        }
    }

    /** Reads the account until no failover is in progress; ends at the step's deadline. */
    private AccountState await(StepContext context) throws InterruptedException {
        while (true) {
            context.checkpoint();
            AccountState s;
            try {
                s = read(context);
            } catch (RollbackException e) {
                // a read cut short by the deadline says no more than that the failover was still running
                if (context.remaining().compareTo(pollInterval) <= 0) {
                    StepInterruptedException atDeadline = stillInProgressAtDeadline();
                    atDeadline.initCause(e);
                    throw atDeadline;
                }
                throw e;
            }
            if (!s.failoverInProgress()) {
                return s;
            }
            context.progress("failover in progress (primary " + s.primaryLocation() + ")");
            if (context.remaining().compareTo(pollInterval) <= 0) {
                throw stillInProgressAtDeadline();
            }
            context.clock().sleep(pollInterval);
        }
    }

    private StepInterruptedException stillInProgressAtDeadline() {
        return new StepInterruptedException("the failover of storage account " + account.resourceGroup() + "/"
                + account.name() + " is still in progress at the step's deadline; it goes on in Azure and a"
                + " retry or resume adopts it");
    }

    private void finish(StepContext context, AccountState after, String primaryBefore, Optional<Duration> loss) {
        context.evidence(PRIMARY_AFTER, after.primaryLocation());
        context.evidence(SECONDARY_AFTER, after.secondaryLocation().orElse("none"));
        context.evidence(SKU_AFTER, after.sku());
        after.lastGeoFailoverTime().ifPresent(t -> context.evidence(LAST_FAILOVER_TIME, t.toString()));
        for (Map.Entry<String, String> e : after.primaryEndpoints().entrySet()) {
            context.evidence(ENDPOINT + e.getKey(), e.getValue());
        }
        if (loss.isPresent()) {
            context.evidence(EvidenceKey.DATA_LOSS_WINDOW, loss.get());
        } else {
            context.evidence("failover.dataLossWindow", "unknown (the request was not sent by this run)");
        }
        Optional<String> expected = expectedPrimary.or(() -> context.evidenceOf(id, EXPECTED_PRIMARY));
        boolean moved = expected.map(after.primaryLocation()::equals)
                .orElse(!after.primaryLocation().equals(primaryBefore));
        if (!moved) {
            throw new RollbackException(
                    ErrorCode.STEP_FAILED,
                    "the failover of storage account " + account.resourceGroup() + "/" + account.name()
                            + " finished, but the primary region is " + after.primaryLocation() + ", not "
                            + expected.orElse("a new one than " + primaryBefore));
        }
    }

    /**
     * Whether the failover is in place: the expected primary region (configured, or recorded by this
     * run) is primary; without one, for a customer-managed failover, whether the account was failed
     * over and is locally redundant since. A failover in progress answers {@code false}, so a resumed
     * step waits for it (it never sends a second one). Empty for a planned failover with no expected
     * region known.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        AccountState s = read(context);
        if (s.failoverInProgress()) {
            return Optional.of(false);
        }
        return tookEffectOn(s, context);
    }

    private Optional<Boolean> tookEffectOn(AccountState s, StepContext context) {
        Optional<String> expected = expectedPrimary.or(() -> context.evidenceOf(id, EXPECTED_PRIMARY));
        if (expected.isPresent()) {
            return Optional.of(s.primaryLocation().equals(expected.get()));
        }
        Optional<String> before = context.evidenceOf(id, PRIMARY_BEFORE);
        if (before.isPresent()) {
            return Optional.of(!s.primaryLocation().equals(before.get()));
        }
        if (type == FailoverType.CUSTOMER_MANAGED) {
            // a customer-managed failover always leaves the account locally redundant, with no secondary
            return Optional.of(
                    s.secondaryLocation().isEmpty() && s.lastGeoFailoverTime().isPresent());
        }
        return Optional.empty();
    }

    private static Duration shortest(Duration a, Duration b) {
        Duration d = a.compareTo(b) < 0 ? a : b;
        return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
    }

    @Override
    public String toString() {
        return "AccountFailoverStep[" + id + ", " + account.resourceGroup() + "/" + account.name() + ", " + type
                + ", max data loss " + maxDataLoss + (rpoOverride.isPresent() ? ", RPO overridden" : "") + "]";
    }

    /**
     * Builds an {@link AccountFailoverStep}. Setters check their argument at once
     * (IllegalArgumentException naming the field and value); not thread-safe; {@link #build()} may be
     * called again.
     */
    public static final class Builder {
        private final StorageRollback storage;
        private String id = "storage-account-failover";
        private String component = StorageRollback.ACCOUNT_COMPONENT;
        private FailoverType type = FailoverType.CUSTOMER_MANAGED;
        private Duration maxDataLoss = StorageRollback.ACCOUNT_OBJECTIVES.rpo();
        private String rpoOverride;
        private String expectedPrimary;
        private Duration pollInterval = Duration.ofSeconds(5);
        private Duration reconcileTimeout = Duration.ofSeconds(30);

        private Builder(StorageRollback storage) {
            this.storage = Objects.requireNonNull(storage, "storage");
        }

        /** The step id. Default: {@code storage-account-failover}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value StorageRollback#ACCOUNT_COMPONENT}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The failover to send. Default: {@link FailoverType#CUSTOMER_MANAGED}, as the runbook. */
        public Builder type(FailoverType type) {
            this.type = Objects.requireNonNull(type, "type");
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

        /**
         * Fail over even when the RPO gate refuses, for this reason, recorded as {@value #RPO_OVERRIDE}
         * (one line, no secret). Azure still refuses a failover it cannot do. Default: no override.
         */
        public Builder overrideRpo(String reason) {
            this.rpoOverride = Arguments.requireText(reason, "rpoOverride");
            return this;
        }

        /**
         * The region that must be primary afterwards; it also lets {@link #tookEffect} answer for a
         * planned failover. Default: the secondary region read right before the request.
         */
        public Builder expectedPrimary(String region) {
            this.expectedPrimary = Arguments.requireText(region, "expectedPrimary");
            return this;
        }

        /** How often the account is read while a failover is in progress; 10 ms to 1 min. Default: 5 s. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofMinutes(1));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * How long, after a lost answer, the account is read for a sign of the failover before the step
         * asks a human; positive, at most 10 minutes, and always cut at the step's deadline. Default: 30 s.
         */
        public Builder reconcileTimeout(Duration reconcileTimeout) {
            this.reconcileTimeout =
                    Arguments.requirePositive(reconcileTimeout, "reconcileTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalArgumentException if the {@link StorageRollback} has no account
         */
        public AccountFailoverStep build() {
            return new AccountFailoverStep(this, storage.requireAccount("an account failover"));
        }
    }
}
