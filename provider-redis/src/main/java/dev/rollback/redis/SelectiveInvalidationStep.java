package dev.rollback.redis;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.RedisFailures;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Deletes the keys that match configured glob patterns ({@code session:*}, {@code price:v41:*}) in
 * the endpoint's database, and no others: {@code SCAN cursor MATCH pattern COUNT batchSize}, then
 * {@code UNLINK} of each batch found, with {@link StepContext#checkpoint()} between batches so an
 * abort or the deadline stops it cleanly, and {@link StepContext#progress(String) progress} (keys
 * unlinked so far) after each batch that unlinked keys. Evidence: {@code keys.deleted} (total),
 * {@code keys.deleted.byPattern} and {@code scan.batches}.
 *
 * <p><b>Idempotent</b>: a re-run deletes whatever still matches (nothing, after a complete run).
 * <b>Destructive</b> (it deletes data): a plan runs it after a safeguard step or declares
 * {@code withoutSafeguard("a cache holds no data of record")}. Keys written while it runs may or may
 * not be deleted (SCAN's guarantee covers keys present for the whole scan). Connection failures
 * are transient and retried by the executor; a retry starts the scan again.
 *
 * <p>Immutable and thread-safe. It never uses {@code KEYS} (which blocks the server), never
 * deletes a key that does not match, and never reports the password.
 */
public final class SelectiveInvalidationStep implements RollbackStep {
    /** Evidence key: keys deleted in this attempt. */
    public static final String KEYS_DELETED = "keys.deleted";
    /** Evidence key: keys deleted per pattern, as {@code pattern=n; pattern=n}. */
    public static final String KEYS_DELETED_BY_PATTERN = "keys.deleted.byPattern";
    /** Evidence key: SCAN calls made. */
    public static final String SCAN_BATCHES = "scan.batches";

    private final RedisRollback redis;
    private final String id;
    private final String component;
    private final List<String> patterns;
    private final int batchSize;

    private SelectiveInvalidationStep(Builder b) {
        this.redis = b.redis;
        this.id = b.id;
        this.component = b.component;
        this.patterns = List.copyOf(b.patterns);
        this.batchSize = b.batchSize;
    }

    /** A builder for an invalidation on {@code redis}. */
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

    /** The cache whose keys are deleted: {@code resourceGroup/name} and/or {@code host:port/database}; empty for a caller's client without an Azure cache. */
    @Override
    public Optional<String> actsOn() {
        return redis.target();
    }

    /** The patterns, in order. */
    public List<String> patterns() {
        return patterns;
    }

    /** The SCAN COUNT hint and the most keys per UNLINK. */
    public int batchSize() {
        return batchSize;
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
        Calls.call(redis, context, "PING before the invalidation", jedis -> jedis.ping());
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        long[] batches = {0};
        long total = 0;
        StringBuilder byPattern = new StringBuilder();
        for (String pattern : patterns) {
            long deleted = Calls.call(redis, context, "SCAN and UNLINK of keys matching '" + pattern + "'", jedis -> {
                ScanParams params = new ScanParams().match(pattern).count(batchSize);
                String cursor = ScanParams.SCAN_POINTER_START;
                long n = 0;
                do {
                    context.checkpoint();
                    ScanResult<String> page = jedis.scan(cursor, params);
                    batches[0]++;
                    List<String> keys = page.getResult();
                    if (!keys.isEmpty()) {
                        n += jedis.unlink(keys.toArray(new String[0]));
                        context.progress("unlinked " + n + " keys matching '" + pattern + "' so far (" + batches[0]
                                + " SCAN batches)");
                    }
                    cursor = page.getCursor();
                } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
                return n;
            });
            total += deleted;
            if (byPattern.length() > 0) {
                byPattern.append("; ");
            }
            byPattern.append(pattern).append('=').append(deleted);
        }
        context.evidence(KEYS_DELETED, Long.toString(total));
        context.evidence(KEYS_DELETED_BY_PATTERN, byPattern.toString());
        context.evidence(SCAN_BATCHES, Long.toString(batches[0]));
    }

    @Override
    public String toString() {
        return "SelectiveInvalidationStep[" + id + ", " + patterns + ", " + redis + "]";
    }

    /**
     * Builds a {@link SelectiveInvalidationStep}; at least one pattern is required. Not thread-safe;
     * reusable, each step built keeps its values.
     */
    public static final class Builder {
        private static final int MAX_PATTERNS = 100;
        private final RedisRollback redis;
        private final List<String> patterns = new ArrayList<>();
        private String id = "redis-invalidate";
        private String component = RedisRollback.COMPONENT;
        private int batchSize = 500;

        private Builder(RedisRollback redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The step id: letters, digits, '.', '-', '_'. Default {@code redis-invalidate}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code redis}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /**
         * Adds a Redis glob pattern ({@code *}, {@code ?}, {@code [..]}, backslash escapes). A pattern
         * of only wildcards ({@code *}) is refused: that is {@link CacheFlushStep}'s job. At most 100.
         */
        public Builder addPattern(String pattern) {
            Arguments.requireText(pattern, "pattern");
            if (pattern.chars().allMatch(c -> c == '*' || c == '?')) {
                throw new IllegalArgumentException(
                        "pattern matches every key: '" + pattern + "'; use CacheFlushStep to empty the cache");
            }
            if (pattern.indexOf('\n') >= 0 || pattern.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("pattern must be one line, but was '"
                        + pattern.replace("\n", "\\n").replace("\r", "\\r") + "'");
            }
            if (patterns.size() >= MAX_PATTERNS) {
                throw new IllegalArgumentException("patterns must be at most " + MAX_PATTERNS + ", but adding '"
                        + pattern + "' makes " + (patterns.size() + 1));
            }
            patterns.add(pattern);
            return this;
        }

        /** Keys per SCAN (COUNT hint) and per UNLINK, 1-10,000. Default 500. */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.requireInRange(batchSize, "batchSize", 1, 10_000);
            return this;
        }

        /**
         * Builds the step.
         *
         * @throws IllegalArgumentException if no pattern was added
         */
        public SelectiveInvalidationStep build() {
            if (patterns.isEmpty()) {
                throw new IllegalArgumentException("patterns must hold at least one pattern, but was []");
            }
            return new SelectiveInvalidationStep(this);
        }
    }
}
