package dev.rollback.redis;

import dev.rollback.api.Redaction;
import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.redis.internal.Commands;
import dev.rollback.redis.internal.RedisFailures;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Post-rollback verification of a cache (the runbook's {@code redis-cli ping}): {@code PING}
 * answers {@code PONG} and, when a {@link Builder#canaryKey(String) canary key} is set, a
 * write-read-delete round trip works: {@code SET <canary>:<random> <random> PX 60000}, {@code GET}
 * returns the value, {@code DEL} removes it. Fails (never throws) with evidence when the cache is
 * down, refuses the password, or the round trip goes wrong.
 *
 * <p>Safe to call more than once; with a canary it writes one short-lived key of its own (so it
 * is not {@link #readOnly()} and dry runs skip it), and removes it. Immutable and thread-safe. It
 * never touches other keys and never reports the password.
 */
public final class CacheVerifier implements Verifier {
    private final RedisRollback redis;
    private final String name;
    private final String canaryKey;
    private final Duration timeout;

    private CacheVerifier(Builder b) {
        this.redis = b.redis;
        this.name = b.name;
        this.canaryKey = b.canaryKey;
        this.timeout = b.timeout;
    }

    /** A builder for a verifier of {@code redis}. */
    public static Builder builder(RedisRollback redis) {
        return new Builder(redis);
    }

    @Override
    public String name() {
        return name;
    }

    /** The canary key prefix, if the round trip is checked. */
    public Optional<String> canaryKey() {
        return Optional.ofNullable(canaryKey);
    }

    @Override
    public boolean readOnly() {
        return canaryKey == null;
    }

    @Override
    public Verification verify(StepContext context) {
        String checked =
                "PING answers PONG" + (canaryKey == null ? "" : " and a canary key can be written, read and deleted");
        long start = System.nanoTime();
        try (Commands jedis = redis.connections().open(timeout)) {
            String pong = jedis.ping();
            long pingMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
            if (!"PONG".equalsIgnoreCase(pong)) {
                return Verification.failed(name, checked, "PING answered '" + Redaction.redact(pong) + "'");
            }
            Verification ok = Verification.passed(name, checked, "PONG in " + pingMs + " ms")
                    .withDetail(CacheHealthCheck.LATENCY_MS, Long.toString(pingMs));
            if (canaryKey == null) {
                return ok;
            }
            String key = canaryKey + ":" + UUID.randomUUID();
            String value = UUID.randomUUID().toString();
            jedis.setWithExpiry(key, value, 60_000);
            String read = jedis.get(key);
            long deleted = jedis.del(key);
            if (!value.equals(read)) {
                return Verification.failed(
                                name, checked, "the canary read back " + (read == null ? "nothing" : "another value"))
                        .withDetail("canary.key", key);
            }
            if (deleted != 1) {
                return Verification.failed(name, checked, "the canary was not deleted (DEL returned " + deleted + ")")
                        .withDetail("canary.key", key);
            }
            return Verification.passed(name, checked, "PONG in " + pingMs + " ms; canary written, read and deleted")
                    .withDetail(CacheHealthCheck.LATENCY_MS, Long.toString(pingMs))
                    .withDetail("canary.key", key);
        } catch (RuntimeException e) {
            String why = RedisFailures.isCredentialProblem(e)
                    ? "credential problem (the server refused the password or user)"
                    : Redaction.describe(e);
            return Verification.failed(
                            name, checked, "failed on " + redis.connections().describe() + ": " + why)
                    .withDetail(CacheHealthCheck.ERROR, why);
        }
    }

    @Override
    public String toString() {
        return "CacheVerifier[" + name + ", " + redis + (canaryKey == null ? "" : ", canary " + canaryKey) + "]";
    }

    /** Builds a {@link CacheVerifier}. Not thread-safe; reusable, each verifier built keeps its values. */
    public static final class Builder {
        private final RedisRollback redis;
        private String name = "redis-verify";
        private String canaryKey;
        private Duration timeout = Duration.ofSeconds(2);

        private Builder(RedisRollback redis) {
            this.redis = Objects.requireNonNull(redis, "redis");
        }

        /** The verifier's name in the report. Default {@code redis-verify}. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /**
         * The prefix of the canary key for the write-read-delete round trip (a random suffix is
         * added): no whitespace, no glob characters. Default: none (PING only).
         */
        public Builder canaryKey(String canaryKey) {
            Arguments.requireText(canaryKey, "canaryKey");
            if (canaryKey.chars().anyMatch(c -> Character.isWhitespace(c) || c == '*' || c == '?' || c == '[')) {
                throw new IllegalArgumentException(
                        "canaryKey must have no whitespace or glob characters, but was '" + canaryKey + "'");
            }
            this.canaryKey = canaryKey;
            return this;
        }

        /** How long each command may wait; above zero, at most 1 minute. Default 2 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Arguments.requirePositive(timeout, "timeout", Duration.ofMinutes(1));
            return this;
        }

        /** Builds the verifier. */
        public CacheVerifier build() {
            return new CacheVerifier(this);
        }
    }
}
