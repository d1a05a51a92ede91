package dev.rollback.redis;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.Commands;
import dev.rollback.redis.internal.RedisFailures;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's "clear cache if corrupted": {@code az redis force-reboot --reboot-type AllNodes}
 * through the Azure SDK ({@code POST .../Microsoft.Cache/redis/{name}/forceReboot}), then waits
 * until the cache answers {@code PING} again, within the step's deadline. Azure accepts the reboot
 * at once and reports no progress on its control plane, so the wait watches the data plane: with
 * {@link Builder#confirmRestart(boolean) confirmRestart} (the default for all nodes and the
 * primary) it also waits until the server's {@code run_id} differs from the one seen before the
 * reboot, so a cache that has not yet gone down is not mistaken for one that came back.
 *
 * <p>Failures: 429 and 503 answers (refusals: nothing was rebooted) are transient (with Azure's
 * wait in any of its forms) and retried by the executor, within the deadline; 401/403 fail at once
 * with {@code CREDENTIAL_PROBLEM} ("credential problem", never the credential); other 4xx fail.
 *
 * <p><b>Never sent twice.</b> The reboot goes through the manager's deadline-aware pipeline, which
 * never re-sends it. When its answer is lost (the connection reset after it was sent, no answer in
 * time, a 500/502/504) the outcome is unknown, and the step settles it by watching the cache: with
 * {@code confirmRestart} and the run id read before, a restart seen before the deadline means the
 * reboot took effect (evidence {@value #RECONCILED}), and the step goes on as if answered; none seen
 * ends the step {@code HUMAN_DECISION_REQUIRED} (Azure may still reboot it), never a second reboot.
 * Without a run id to compare (a secondary-node reboot, INFO unreadable) the step cannot tell and says
 * so to the executor ({@link #tookEffect(StepContext)} compares run ids; empty means a human decides).
 * Within one run, a reboot Azure answered is never sent again by a later attempt
 * ({@value #ACCEPTED}).
 *
 * <p>Evidence: {@code azure.provisioningState} (preflight), {@value #RUN_ID_BEFORE},
 * {@code reboot.runIdUnreadable} (when it could not be read), {@code reboot.type}, {@code reboot.message},
 * {@value #ACCEPTED}, {@value #RECONCILED},
 * {@code reboot.restartObserved}, {@code reboot.servingAfterMs}.
 *
 * <p><b>Not idempotent</b> (a second run reboots again) and <b>destructive</b> (a reboot drops
 * what the rebooted nodes held in memory): a plan declares
 * {@code withoutSafeguard("a cache holds no data of record")}. Immutable and thread-safe. It never
 * creates, scales or deletes a cache, never reports a credential or the cache's password, and never
 * sends a reboot twice in a run.
 */
public final class ForceRebootStep implements RollbackStep {
    /** Evidence key: the cache's provisioning state, read by the preflight. */
    public static final String PROVISIONING_STATE = "azure.provisioningState";
    /** Evidence key: the reboot type sent. */
    public static final String TYPE = "reboot.type";
    /** Evidence key: Azure's answer. */
    public static final String MESSAGE = "reboot.message";
    /** Evidence key: whether a new server run id was seen after the reboot. */
    public static final String RESTART_OBSERVED = "reboot.restartObserved";
    /** Evidence key: milliseconds from the reboot request to the first good PING. */
    public static final String SERVING_AFTER_MS = "reboot.servingAfterMs";
    /** Evidence key: the server's run id before the reboot (what a restart is told by). */
    public static final String RUN_ID_BEFORE = "reboot.runIdBefore";
    /** Evidence key: {@code true} once Azure answered the reboot: no later attempt of the run sends it again. */
    public static final String ACCEPTED = "reboot.accepted";
    /** Evidence key: how a reboot whose answer was lost was settled by watching the cache. */
    public static final String RECONCILED = "reboot.reconciled";

    private final RedisRollback redis;
    private final RedisRollback.AzureCache azure;
    private final String id;
    private final String component;
    private final RebootType type;
    private final boolean confirmRestart;
    private final Duration pollInterval;

    private ForceRebootStep(Builder b, RedisRollback.AzureCache azure, boolean confirmRestart) {
        this.redis = b.redis;
        this.azure = azure;
        this.id = b.id;
        this.component = b.component;
        this.type = b.type;
        this.confirmRestart = confirmRestart;
        this.pollInterval = b.pollInterval;
    }

    /** A builder for a force reboot of {@code redis}, which must know its Azure cache. */
    public static Builder builder(RedisRollback redis) {
        return new Builder(redis);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The Azure cache rebooted: {@code resourceGroup/name}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(azure.resourceGroup() + "/" + azure.name());
    }

    /** Which nodes it reboots. */
    public RebootType type() {
        return type;
    }

    /** Whether it waits for a new server run id before the PING counts. */
    public boolean confirmRestart() {
        return confirmRestart;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return RedisFailures.isTransient(failure);
    }

    /** Reads the cache's provisioning state (the runbook's "check cache health"); changes nothing. */
    @Override
    public void preflight(StepContext context) {
        context.evidence(
                PROVISIONING_STATE,
                azure.controlPlane().provisioningState(context, azure.resourceGroup(), azure.name()));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.checkpoint();
        long sent = context.clock().monotonicNanos();
        context.evidence(TYPE, type.azureName());
        if (context.evidenceOf(id, ACCEPTED).isPresent()) {
            // An earlier attempt of this run got Azure's answer: wait for the cache, never reboot again.
            awaitServing(context, context.evidenceOf(id, RUN_ID_BEFORE).orElse(""), sent, Optional.empty());
            return;
        }
        String runIdBefore = confirmRestart ? runId(context) : "";
        if (!runIdBefore.isEmpty()) {
            context.evidence(RUN_ID_BEFORE, runIdBefore);
        }
        String message;
        try {
            message = azure.controlPlane().forceReboot(context, azure.resourceGroup(), azure.name(), type);
        } catch (IndeterminateOutcomeException e) {
            if (runIdBefore.isEmpty()) {
                throw e; // nothing to tell a restart by: the executor asks tookEffect, which cannot tell either
            }
            context.evidence(RECONCILED, "the answer was lost; watching the cache for a restart");
            awaitServing(context, runIdBefore, sent, Optional.of(e));
            context.evidence(
                    RECONCILED,
                    Redaction.redact("the answer was lost (" + e.getMessage()
                            + "); the cache restarted (a new run id), so the reboot took effect"));
            return;
        }
        context.evidence(ACCEPTED, "true");
        context.evidence(MESSAGE, Redaction.redact(message));
        awaitServing(context, runIdBefore, sent, Optional.empty());
    }

    /**
     * Waits until the cache answers PING (after a restart, when {@code runIdBefore} is known). When
     * {@code unknownOutcome} is present the reboot's answer was lost: the wait stops a little before
     * the deadline and ends for a human if no restart was seen.
     */
    private void awaitServing(
            StepContext context, String runIdBefore, long sent, Optional<IndeterminateOutcomeException> unknownOutcome)
            throws InterruptedException {
        String lastProblem = "no PING tried yet";
        while (true) {
            context.checkpoint();
            try (Commands jedis = redis.connections().open(shortest(context.remaining(), Duration.ofSeconds(2)))) {
                if (!"PONG".equalsIgnoreCase(jedis.ping())) {
                    lastProblem = "PING did not answer PONG";
                } else if (!runIdBefore.isEmpty()
                        && runIdBefore.equals(RedisFailures.infoField(jedis.info("server"), "run_id"))) {
                    lastProblem = "the server has not restarted yet (same run id)";
                } else {
                    context.evidence(RESTART_OBSERVED, Boolean.toString(!runIdBefore.isEmpty()));
                    context.evidence(
                            SERVING_AFTER_MS,
                            Long.toString(Duration.ofNanos(context.clock().monotonicNanos() - sent)
                                    .toMillis()));
                    return;
                }
            } catch (RuntimeException e) {
                if (RedisFailures.isCredentialProblem(e)) {
                    throw new RollbackException(
                            ErrorCode.CREDENTIAL_PROBLEM,
                            "waiting for " + redis.connections().describe()
                                    + " after the force reboot: credential problem (the server refused the password or user)");
                }
                if (e instanceof RollbackException r) {
                    throw r;
                }
                lastProblem = Redaction.describe(e);
            }
            context.evidence("reboot.waiting", lastProblem);
            context.progress("waiting for the cache after the force reboot: " + lastProblem);
            if (unknownOutcome.isPresent()
                    && context.remaining().compareTo(pollInterval.plus(Duration.ofSeconds(1))) < 0) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        "step '" + id + "': the force reboot (" + type.azureName() + ") of Azure Cache for Redis "
                                + azure.resourceGroup() + "/" + azure.name() + " may have been accepted ("
                                + unknownOutcome.get().getMessage() + "), and no restart of "
                                + redis.connections().describe() + " was seen before the deadline (" + lastProblem
                                + "); it was not sent again, and Azure may still reboot the cache: look at the"
                                + " cache before rebooting it again");
            }
            context.clock().sleep(shortest(pollInterval, context.remaining()));
        }
    }

    /**
     * Whether the cache restarted since the run id this run recorded before sending the reboot: true
     * when its run id differs now; empty ("cannot tell") when none was recorded, the cache cannot be
     * read, or it has not restarted yet (Azure may still reboot it).
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Optional<String> before = context.evidenceOf(id, RUN_ID_BEFORE).filter(r -> !r.isEmpty());
        if (before.isEmpty()) {
            return Optional.empty();
        }
        try (Commands jedis = redis.connections().open(shortest(context.remaining(), Duration.ofSeconds(2)))) {
            String now = RedisFailures.infoField(jedis.info("server"), "run_id");
            return !now.isEmpty() && !now.equals(before.get()) ? Optional.of(true) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The server's run id before the reboot, or "" when it cannot be read (down, INFO disabled). */
    private String runId(StepContext context) {
        try (Commands jedis = redis.connections().open(shortest(context.remaining(), Duration.ofSeconds(1)))) {
            return RedisFailures.infoField(jedis.info("server"), "run_id");
        } catch (RuntimeException e) {
            context.evidence("reboot.runIdUnreadable", Redaction.describe(e));
            return "";
        }
    }

    private static Duration shortest(Duration a, Duration b) {
        Duration d = a.compareTo(b) < 0 ? a : b;
        return d.isZero() || d.isNegative() ? Duration.ofMillis(1) : d;
    }

    @Override
    public String toString() {
        return "ForceRebootStep[" + id + ", " + type.azureName() + ", " + azure.resourceGroup() + "/" + azure.name()
                + "]";
    }

    /** Builds a {@link ForceRebootStep}. Not thread-safe; reusable, each step built keeps its values. */
    public static final class Builder {
        private final RedisRollback redis;
        private String id = "redis-force-reboot";
        private String component = RedisRollback.COMPONENT;
        private RebootType type = RebootType.ALL_NODES;
        private Boolean confirmRestart;
        private Duration pollInterval = Duration.ofMillis(500);

        private Builder(RedisRollback redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The step id: letters, digits, '.', '-', '_'. Default {@code redis-force-reboot}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code redis}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** Which nodes to reboot. Default {@link RebootType#ALL_NODES}, as the runbook does. */
        public Builder type(RebootType type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /**
         * Whether the wait needs a new server run id (a restart seen) before a PING counts. Default:
         * yes for {@link RebootType#ALL_NODES} and {@link RebootType#PRIMARY_NODE}, no for
         * {@link RebootType#SECONDARY_NODE} (the primary keeps its run id).
         */
        public Builder confirmRestart(boolean confirmRestart) {
            this.confirmRestart = confirmRestart;
            return this;
        }

        /** How long to wait between two PINGs after the reboot; 10 ms to 30 s. Default 500 ms. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofSeconds(30));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * Builds the step.
         *
         * @throws IllegalArgumentException if the cache has no Azure control plane
         *     ({@link RedisRollback#withAzureCache} was not called)
         */
        public ForceRebootStep build() {
            RedisRollback.AzureCache azure = redis.azure()
                    .orElseThrow(
                            () -> new IllegalArgumentException(
                                    "azureCache is required for a force reboot, but was not set on " + redis
                                            + "; call RedisRollback.withAzureCache(AzureRedisControlPlane.ofRedisManager(..), resourceGroup, name)"));
            boolean confirm = confirmRestart != null ? confirmRestart : type != RebootType.SECONDARY_NODE;
            return new ForceRebootStep(this, azure, confirm);
        }
    }
}
