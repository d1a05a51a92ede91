package dev.rollback.testkit;

/**
 * A real server the testkit runs on a free loopback port for a test: PostgreSQL, Redis, Azurite.
 *
 * <p>Lifecycle: built stopped; {@link #start()} starts it; {@link #stop()} and {@link #start()}
 * (or {@link #restart()}) stop and start it again mid-test, keeping its port, credentials and, where
 * the server persists anything, its data; {@link #close()} stops it and deletes every file it made.
 * A closed server cannot start again. Every server is also closed by a JVM shutdown hook, so none
 * outlives the test JVM. Implementations are thread-safe; they never bind anything but 127.0.0.1
 * and never put a password on a command line.
 */
public interface TestServer extends AutoCloseable {

    /**
     * Starts the server and waits until it accepts connections. Does nothing if it runs.
     *
     * @throws IllegalStateException if it cannot start (the message says why, with the end of the
     *     server's log) or was closed
     */
    void start();

    /** Stops the server cleanly and waits until its process is gone. Does nothing if it is stopped. */
    void stop();

    /** {@link #stop()} then {@link #start()}. */
    default void restart() {
        stop();
        start();
    }

    /** Whether the server process runs now. */
    boolean isRunning();

    /** Stops the server if it runs and deletes its files. Idempotent. */
    @Override
    void close();
}
