package dev.rollback.redis;

import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.Commands;
import dev.rollback.redis.internal.Connections;
import dev.rollback.redis.internal.RedisFailures;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Is the cache serving? Sends {@code PING} with a timeout and, unless switched off, reads
 * {@code INFO} for the role, connected clients and version. Passes when the answer is
 * {@code PONG} within the timeout; a down, refusing, slow or password-refusing server fails with
 * evidence ({@code redis.latencyMs}, {@code redis.role}, {@code redis.error}). Usable as a
 * {@link Verifier}, as a preflight (it only reads) and, through {@link #asStep}, as the runbook's
 * "check cache health" step.
 *
 * <p>Idempotent and read-only. Immutable and thread-safe; each check opens its own connection (or
 * uses the caller's client). It never writes to the cache and never reports the password.
 */
public final class CacheHealthCheck implements Verifier {
    /** Evidence key: PING round trip in milliseconds. */
    public static final String LATENCY_MS = "redis.latencyMs";
    /** Evidence key: the server's replication role (master, slave). */
    public static final String ROLE = "redis.role";
    /** Evidence key: connected clients. */
    public static final String CONNECTED_CLIENTS = "redis.connectedClients";
    /** Evidence key: the server's version. */
    public static final String VERSION = "redis.version";
    /** Evidence key: why the check failed. */
    public static final String ERROR = "redis.error";

    private final RedisRollback redis;
    private final String name;
    private final Duration timeout;
    private final boolean info;

    private CacheHealthCheck(Builder b) {
        this.redis = b.redis;
        this.name = b.name;
        this.timeout = b.timeout;
        this.info = b.info;
    }

    /** A builder for a health check of {@code redis}. */
    public static Builder builder(RedisRollback redis) {
        return new Builder(redis);
    }

    @Override
    public String name() {
        return name;
    }

    /** The longest PING round trip that passes. */
    public Duration timeout() {
        return timeout;
    }

    @Override
    public Verification verify(StepContext context) {
        Connections connections = redis.connections();
        String checked = "PING on " + connections.describe() + " answers PONG within " + timeout.toMillis() + " ms";
        Duration budget = timeout;
        if (context != null
                && !context.remaining().isZero()
                && context.remaining().compareTo(budget) < 0) {
            budget = context.remaining();
        }
        long start = System.nanoTime();
        try (Commands jedis = connections.open(budget)) {
            String pong = jedis.ping();
            long latencyMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            Verification v;
            if (!"PONG".equalsIgnoreCase(pong)) {
                v = Verification.failed(name, checked, "PING answered '" + Redaction.redact(pong) + "'");
            } else if (latencyMs > timeout.toMillis()) {
                v = Verification.failed(
                        name, checked, "PONG after " + latencyMs + " ms: slower than " + timeout.toMillis() + " ms");
            } else {
                v = Verification.passed(name, checked, "PONG in " + latencyMs + " ms");
            }
            v = v.withDetail(LATENCY_MS, Long.toString(latencyMs));
            if (info) {
                try {
                    String replication = jedis.info("replication");
                    String clients = jedis.info("clients");
                    String server = jedis.info("server");
                    v = v.withDetail(ROLE, RedisFailures.infoField(replication, "role"))
                            .withDetail(CONNECTED_CLIENTS, RedisFailures.infoField(clients, "connected_clients"))
                            .withDetail(VERSION, RedisFailures.infoField(server, "redis_version"));
                } catch (RuntimeException e) {
                    // INFO may be renamed or disabled on managed caches; PING decided already.
                    v = v.withDetail("redis.info", "unavailable: " + Redaction.describe(e));
                }
            }
            return v;
        } catch (RuntimeException e) {
            long ms = Duration.ofNanos(System.nanoTime() - start).toMillis();
            String why = RedisFailures.isCredentialProblem(e)
                    ? "credential problem (the server refused the password or user)"
                    : Redaction.describe(e);
            return Verification.failed(name, checked, "no PONG after " + ms + " ms: " + why)
                    .withDetail(LATENCY_MS, Long.toString(ms))
                    .withDetail(ERROR, why);
        }
    }

    /**
     * This check as a step: it records the check's evidence under the step and, when
     * {@code failWhenUnhealthy}, fails (transiently, so the executor retries within the deadline)
     * if the cache is not healthy. Idempotent, read-only, not destructive.
     */
    public RollbackStep asStep(String id, String component, boolean failWhenUnhealthy) {
        Arguments.requireId(id, "id");
        Arguments.requireId(component, "component");
        RollbackStep.Builder step = RollbackStep.builder(id, component).idempotent(true);
        redis.target().ifPresent(step::actsOn);
        return step.action(context -> {
                    Verification v = verify(context);
                    context.evidence("health.passed", Boolean.toString(v.passed()));
                    context.evidence("health.observed", v.observed());
                    for (Map.Entry<String, String> e : v.details().entrySet()) {
                        context.evidence(e.getKey(), e.getValue());
                    }
                    if (failWhenUnhealthy && !v.passed()) {
                        throw new TransientFailureException("the cache is not healthy: " + v.observed(), null);
                    }
                })
                .build();
    }

    @Override
    public String toString() {
        return "CacheHealthCheck[" + name + ", " + redis + ", timeout " + timeout + "]";
    }

    /**
     * Builds a {@link CacheHealthCheck}. Not thread-safe; reusable, each check built keeps its values.
     */
    public static final class Builder {
        private final RedisRollback redis;
        private String name = "redis-health";
        private Duration timeout = Duration.ofSeconds(2);
        private boolean info = true;

        private Builder(RedisRollback redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The check's name in the report. Default {@code redis-health}. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /** The longest PING round trip (connect included) that passes; above zero, at most 1 minute. Default 2 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Arguments.requirePositive(timeout, "timeout", Duration.ofMinutes(1));
            return this;
        }

        /** Whether to read INFO (role, connected clients, version) as evidence. Default: yes. */
        public Builder info(boolean info) {
            this.info = info;
            return this;
        }

        /** Builds the check. */
        public CacheHealthCheck build() {
            return new CacheHealthCheck(this);
        }
    }
}
