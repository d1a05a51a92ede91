/**
 * The database-connection signal for the trigger engine: a
 * {@link dev.rollback.postgres.signal.ConnectionProbe} opens and checks a connection on a schedule
 * and reports each attempt to a {@link dev.rollback.postgres.signal.ConnectionAttemptListener},
 * which the application wires to the engine's connection-failure rule (the runbook's "database
 * connection failures above 50% for 2 minutes").
 */
package dev.rollback.postgres.signal;
