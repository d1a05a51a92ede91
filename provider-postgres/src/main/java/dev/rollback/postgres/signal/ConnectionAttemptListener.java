package dev.rollback.postgres.signal;

/**
 * Receives the outcome of each connection attempt a {@link ConnectionProbe} makes. The application
 * wires it to the trigger engine's database-connection signal, for example
 * {@code engine::recordConnectionAttempt} with the core's {@code TriggerEngine}, which evaluates the
 * runbook's "database connection failures above 50% for 2 minutes".
 *
 * <p>Called from the probe's thread; implementations must be thread-safe and quick.
 */
@FunctionalInterface
public interface ConnectionAttemptListener {
    /** One attempt: whether a valid connection was obtained. */
    void connectionAttempt(boolean succeeded);
}
