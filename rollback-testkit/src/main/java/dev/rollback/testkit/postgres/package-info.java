/**
 * A real PostgreSQL server for tests, from the machine's binaries, with WAL archiving on: see
 * {@link dev.rollback.testkit.postgres.PostgresServer}.
 */
package dev.rollback.testkit.postgres;
