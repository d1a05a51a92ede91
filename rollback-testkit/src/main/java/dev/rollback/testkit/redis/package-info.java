/**
 * A real Redis server for tests, from the PATH or the binary shipped in embedded-redis: see
 * {@link dev.rollback.testkit.redis.RedisServer}.
 */
package dev.rollback.testkit.redis;
