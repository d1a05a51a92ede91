/**
 * Rollback steps and verifiers for a Redis cache: {@link dev.rollback.redis.CacheHealthCheck},
 * {@link dev.rollback.redis.CacheFlushStep}, {@link dev.rollback.redis.SelectiveInvalidationStep},
 * {@link dev.rollback.redis.ForceRebootStep} (Azure Cache for Redis) and
 * {@link dev.rollback.redis.CacheVerifier}; start at {@link dev.rollback.redis.RedisRollback}.
 */
package dev.rollback.redis;
