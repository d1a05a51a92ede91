package dev.rollback.redis;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.RedisFailures;
import java.util.Objects;
import java.util.Optional;

/**
 * Empties the cache: {@code FLUSHALL ASYNC} (every database, the default) or {@code FLUSHDB ASYNC}
 * (the endpoint's database). The keys are gone when the command returns; the server frees their
 * memory in the background. Evidence: {@code flush.scope}, {@code keys.before}, {@code keys.after}.
 *
 * <p><b>Destructive</b>: a plan runs it after a safeguard step or declares
 * {@code withoutSafeguard("a cache holds no data of record")}. <b>Idempotent</b>: flushing an
 * empty cache changes nothing, so a re-run after a crash (no end record) is safe and
 * {@link CacheVerifier} decides. Connection failures and {@code LOADING}/{@code BUSY} answers are
 * transient; the executor retries them within the step's deadline with its bounded attempts. A
 * refused password is a {@code CREDENTIAL_PROBLEM}, never retried.
 *
 * <p>Immutable and thread-safe. It never uses {@code KEYS}, never deletes anything but by the
 * flush itself, and never reports the password.
 */
public final class CacheFlushStep implements RollbackStep {
    /** Evidence key: what was flushed (ALL_DATABASES or DATABASE). */
    public static final String SCOPE = "flush.scope";
    /** Evidence key: keys in scope before the flush. */
    public static final String KEYS_BEFORE = "keys.before";
    /** Evidence key: keys in scope after the flush. */
    public static final String KEYS_AFTER = "keys.after";

    private final RedisRollback redis;
    private final String id;
    private final String component;
    private final FlushScope scope;

    private CacheFlushStep(Builder b) {
        this.redis = b.redis;
        this.id = b.id;
        this.component = b.component;
        this.scope = b.scope;
    }

    /** A builder for a flush of {@code redis}. */
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

    /** The cache flushed (see {@link RedisRollback}): {@code resourceGroup/name} and/or {@code host:port/database}; empty for a caller's client without an Azure cache. */
    @Override
    public Optional<String> actsOn() {
        return redis.target();
    }

    /** What it flushes. */
    public FlushScope scope() {
        return scope;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public boolean destructive() {
        return true;
    }

    @Override
    public boolean isTransient(Throwable failure) {
        return RedisFailures.isTransient(failure);
    }

    /** Checks the cache answers PING (with the password); changes nothing. */
    @Override
    public void preflight(StepContext context) {
        Calls.call(redis, context, "PING before the flush", jedis -> jedis.ping());
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        context.evidence(SCOPE, scope.name());
        long[] counts = Calls.call(
                redis, context, scope == FlushScope.ALL_DATABASES ? "FLUSHALL ASYNC" : "FLUSHDB ASYNC", jedis -> {
                    long before = scope == FlushScope.ALL_DATABASES ? Calls.keysInAllDatabases(jedis) : jedis.dbSize();
                    if (scope == FlushScope.ALL_DATABASES) {
                        jedis.flushAllAsync();
                    } else {
                        jedis.flushDbAsync();
                    }
                    long after = scope == FlushScope.ALL_DATABASES ? Calls.keysInAllDatabases(jedis) : jedis.dbSize();
                    return new long[] {before, after};
                });
        context.evidence(KEYS_BEFORE, Long.toString(counts[0]));
        context.evidence(KEYS_AFTER, Long.toString(counts[1]));
    }

    /** After a crash: the flush took effect if the scope holds no keys now. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        long keys = Calls.call(
                redis,
                context,
                "counting keys after a crash",
                jedis -> scope == FlushScope.ALL_DATABASES ? Calls.keysInAllDatabases(jedis) : jedis.dbSize());
        return Optional.of(keys == 0);
    }

    @Override
    public String toString() {
        return "CacheFlushStep[" + id + ", " + scope + ", " + redis + "]";
    }

    /** Builds a {@link CacheFlushStep}. Not thread-safe; reusable, each step built keeps its values. */
    public static final class Builder {
        private final RedisRollback redis;
        private String id = "redis-flush";
        private String component = RedisRollback.COMPONENT;
        private FlushScope scope = FlushScope.ALL_DATABASES;

        private Builder(RedisRollback redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The step id: letters, digits, '.', '-', '_'. Default {@code redis-flush}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code redis}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** What to flush. Default {@link FlushScope#ALL_DATABASES}. */
        public Builder scope(FlushScope scope) {
            this.scope = Objects.requireNonNull(scope, "scope");
            return this;
        }

        /** Builds the step. */
        public CacheFlushStep build() {
            return new CacheFlushStep(this);
        }
    }
}
