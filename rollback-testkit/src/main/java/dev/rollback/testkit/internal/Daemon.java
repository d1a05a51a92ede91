package dev.rollback.testkit.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A long-running server process started by the testkit (redis-server, Azurite): output to a log
 * file, ready when its TCP port accepts connections, stopped with its descendants. Not thread-safe;
 * its owner serializes calls.
 */
public final class Daemon {
    private final String name;
    private final Path log;
    private Process process;

    /** A daemon called {@code name} (for messages) that logs to {@code log}. */
    public Daemon(String name, Path log) {
        this.name = name;
        this.log = log;
    }

    /**
     * Starts {@code command} in {@code directory} and waits until 127.0.0.1:{@code port} accepts
     * connections.
     *
     * @throws IllegalStateException if it exits or is not ready within {@code timeout}; the message
     *     holds the end of its log
     */
    public void start(List<String> command, Path directory, int port, Duration timeout) {
        start(command, Map.of(), directory, port, timeout);
    }

    /**
     * As {@link #start(List, Path, int, Duration)}, with {@code environment} added to the process's
     * environment (where a secret goes rather than on its command line).
     */
    public void start(
            List<String> command, Map<String, String> environment, Path directory, int port, Duration timeout) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (" + command.get(0) + ")", e);
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!accepts(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with status " + process.exitValue()
                        + " before listening on 127.0.0.1:" + port + "; log " + log + ":\n" + Commands.tailOf(log));
            }
            if (System.nanoTime() - deadline > 0) {
                stop(Duration.ofSeconds(5));
                throw new IllegalStateException(name + " did not listen on 127.0.0.1:" + port + " within " + timeout
                        + "; log " + log + ":\n" + Commands.tailOf(log));
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(Duration.ofSeconds(5));
                throw new IllegalStateException("interrupted while starting " + name, e);
            }
        }
    }

    /** Whether the process runs. */
    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The process id while it runs. */
    public Optional<Long> pid() {
        return isRunning() ? Optional.of(process.pid()) : Optional.empty();
    }

    /** SIGTERM to the process and its descendants, SIGKILL after {@code grace}; waits until all are gone. */
    public void stop(Duration grace) {
        if (process != null) {
            Commands.stopTree(process.toHandle(), grace);
            process = null;
        }
    }

    /** SIGKILL to the process and its descendants, as a crash; waits until all are gone. */
    public void kill() {
        stop(Duration.ZERO);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
