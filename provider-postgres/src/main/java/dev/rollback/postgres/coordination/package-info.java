/**
 * Coordination of many nodes through one PostgreSQL database: a durable, hash-chained
 * {@link dev.rollback.api.spi.Journal} ({@link dev.rollback.postgres.coordination.PostgresJournal})
 * and a {@link dev.rollback.api.spi.RunLock} on a session advisory lock with fencing tokens that
 * only grow ({@link dev.rollback.postgres.coordination.PostgresRunLock}), over tables the provider
 * creates and upgrades itself under a versioned schema. An unreachable store fails closed.
 */
package dev.rollback.postgres.coordination;
