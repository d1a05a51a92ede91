package dev.rollback.redis;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.Connections;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.RedisClient;

/**
 * The entry point of provider-redis: one Redis cache (its data plane, and optionally its Azure
 * control plane), and the builders of the steps and verifiers that act on it.
 *
 * <pre>{@code
 * RedisRollback redis = RedisRollback.of(RedisEndpoint.builder().host("cache.example").port(6380).ssl(true)
 *         .password(Secret.fromEnvironment("REDIS_PASSWORD")).build())
 *     .withAzureCache(AzureRedisControlPlane.ofRedisManager(azure.redisCaches().manager()), "prod-rg", "prod-redis");
 * RollbackPlan plan = redis.runbookPlan(RedisRollback.Recovery.FORCE_REBOOT);   // health -> reboot -> verify
 * }</pre>
 *
 * <p>Register what you use explicitly in a {@link RollbackPlan}; nothing here is discovered from
 * the class path. Immutable and thread-safe. It never opens a connection until a step or verifier
 * runs, and never logs or reports the password.
 */
public final class RedisRollback {
    /** The component name the runbook fragment uses. */
    public static final String COMPONENT = "redis";
    /** The runbook's objectives for the Redis cache rollback: RTO 1 minute, RPO 5 minutes. */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES =
            RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5));
    /** The reason the runbook fragment gives for running a destructive cache step without a backup. */
    public static final String NO_SAFEGUARD_REASON = "a cache holds no data of record";

    /** How the runbook fragment brings the cache back. Immutable and thread-safe. */
    public enum Recovery {
        /** Azure force reboot of all nodes, then wait until the cache answers again. */
        FORCE_REBOOT,
        /** Empty the cache with {@code FLUSHALL ASYNC}. */
        FLUSH
    }

    private final Connections connections;
    private final AzureCache azure;

    record AzureCache(AzureRedisControlPlane controlPlane, String resourceGroup, String name) {}

    private RedisRollback(Connections connections, AzureCache azure) {
        this.connections = connections;
        this.azure = azure;
    }

    /** A cache reached at {@code endpoint}; each step opens its own connection and closes it. */
    public static RedisRollback of(RedisEndpoint endpoint) {
        Objects.requireNonNull(endpoint, "endpoint");
        return new RedisRollback(
                Connections.direct(
                        endpoint.host(),
                        endpoint.port(),
                        endpoint.user().orElse(null),
                        () -> endpoint.password().map(p -> p.reveal()).orElse(null),
                        endpoint.database(),
                        endpoint.ssl(),
                        endpoint.rootCertificate(),
                        endpoint.connectTimeout(),
                        endpoint.socketTimeout()),
                null);
    }

    /**
     * A cache reached through a pre-built Jedis {@link RedisClient} (Jedis 7's pooled client); the
     * only factory that takes a Jedis type. The client's own timeouts and database apply
     * (health-check timeouts are then checked on the measured latency), and the client stays the
     * caller's to close.
     */
    public static RedisRollback fromJedis(RedisClient client) {
        return new RedisRollback(Connections.client(client), null);
    }

    /**
     * This cache, also known to Azure as {@code resourceGroup/cacheName} behind {@code controlPlane}:
     * needed by {@link ForceRebootStep}.
     */
    public RedisRollback withAzureCache(AzureRedisControlPlane controlPlane, String resourceGroup, String cacheName) {
        Objects.requireNonNull(controlPlane, "controlPlane");
        return new RedisRollback(
                connections,
                new AzureCache(
                        controlPlane,
                        Arguments.requireText(resourceGroup, "resourceGroup"),
                        Arguments.requireText(cacheName, "cacheName")));
    }

    /** A builder of a {@link CacheHealthCheck} on this cache. */
    public CacheHealthCheck.Builder healthCheck() {
        return CacheHealthCheck.builder(this);
    }

    /** A builder of a {@link CacheFlushStep} on this cache. */
    public CacheFlushStep.Builder flush() {
        return CacheFlushStep.builder(this);
    }

    /** A builder of a {@link SelectiveInvalidationStep} on this cache. */
    public SelectiveInvalidationStep.Builder selectiveInvalidation() {
        return SelectiveInvalidationStep.builder(this);
    }

    /** A builder of a {@link ForceRebootStep}; {@link #withAzureCache} must have been called. */
    public ForceRebootStep.Builder forceReboot() {
        return ForceRebootStep.builder(this);
    }

    /** A builder of a {@link CacheVerifier} on this cache. */
    public CacheVerifier.Builder verifier() {
        return CacheVerifier.builder(this);
    }

    /**
     * Adds the runbook's "Redis Cache Rollback" to {@code plan}: component {@value #COMPONENT} with
     * {@link #RUNBOOK_OBJECTIVES}; step {@code redis-health} (records PING latency and role; for
     * {@link Recovery#FLUSH} an unreachable cache fails it, for {@link Recovery#FORCE_REBOOT} it only
     * records, since an unhealthy cache is why one reboots); then {@code redis-force-reboot} (all
     * nodes) or {@code redis-flush}, declared {@code withoutSafeguard("a cache holds no data of
     * record")} and verified by {@code redis-verify} (PING and a canary write-read-delete).
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRunbookFragment(RollbackPlan.Builder plan, Recovery recovery) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(recovery, "recovery");
        RollbackStep health = healthCheck().build().asStep("redis-health", COMPONENT, recovery == Recovery.FLUSH);
        RollbackStep action = recovery == Recovery.FLUSH
                ? flush().build()
                : forceReboot().type(RebootType.ALL_NODES).build();
        CacheVerifier verify = verifier().canaryKey("rollback:canary").build();
        return plan.component(COMPONENT, RUNBOOK_OBJECTIVES)
                .step(health)
                .step(
                        action,
                        s -> s.dependsOn(health.id())
                                .withoutSafeguard(NO_SAFEGUARD_REASON)
                                .verifier(verify));
    }

    /** A plan {@code redis-cache-rollback} holding only {@link #addRunbookFragment the runbook fragment}. */
    public RollbackPlan runbookPlan(Recovery recovery) {
        return addRunbookFragment(RollbackPlan.builder("redis-cache-rollback", RUNBOOK_OBJECTIVES), recovery)
                .build();
    }

    /**
     * What the steps act on: the Azure cache ({@code resourceGroup/name}) and the address reached
     * ({@code host:port/database}), whichever are known; empty for a caller's client without an Azure cache.
     */
    Optional<String> target() {
        Optional<String> address = connections.target();
        if (azure == null) {
            return address;
        }
        String cache = azure.resourceGroup() + "/" + azure.name();
        return Optional.of(address.map(a -> cache + " (" + a + ")").orElse(cache));
    }

    Connections connections() {
        return connections;
    }

    Optional<AzureCache> azure() {
        return Optional.ofNullable(azure);
    }

    /** Where the cache is; never the password. */
    @Override
    public String toString() {
        return "RedisRollback[" + connections.describe()
                + (azure == null ? "" : ", azure " + azure.resourceGroup() + "/" + azure.name()) + "]";
    }
}
