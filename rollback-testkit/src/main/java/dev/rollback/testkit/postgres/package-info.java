/**
 * A real PostgreSQL server for tests, from the machine's binaries, with WAL archiving on: see
 * {@link dev.rollback.testkit.postgres.PostgresServer}; and a real PgBouncer in front of it ({@link
 * dev.rollback.testkit.postgres.PgBouncer}), installed from Debian by the test when missing.
 */
package dev.rollback.testkit.postgres;
