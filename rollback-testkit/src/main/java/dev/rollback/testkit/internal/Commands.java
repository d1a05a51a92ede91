package dev.rollback.testkit.internal;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs short-lived operating-system commands (initdb, pg_ctl, npm, kill) and reports their output
 * when they fail. Output goes to a file, never a pipe, so a daemon that inherits it cannot keep
 * the caller waiting.
 */
public final class Commands {
    private static final int TAIL_CHARS = 4000;

    private Commands() {}

    /** Whether this JVM runs as root (uid 0). */
    public static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * {@code command} run as the numeric user and group with no supplementary groups
     * ({@code setpriv --reuid --regid --clear-groups}).
     */
    public static List<String> asUser(int uid, int gid, List<String> command) {
        List<String> wrapped =
                new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /**
     * Runs {@code command} in {@code directory} and returns its combined output.
     *
     * @throws IllegalStateException if it cannot start, exits with a non-zero status or outlives
     *     {@code timeout}; the message names {@code what}, the status and the end of the output
     */
    public static String run(String what, List<String> command, Path directory, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("rollback-cmd-", ".out");
            Process process = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new IllegalStateException(what + " did not finish within " + timeout + ": "
                        + tail(Files.readString(output, StandardCharsets.UTF_8)));
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        what + " failed with exit status " + process.exitValue() + ": " + tail(text));
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException(what + " could not run (" + command.get(0) + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(what + " was interrupted", e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a leftover empty temp file is harmless
                }
            }
        }
    }

    /** Sends {@code signal} ("STOP", "CONT", "KILL") to the process {@code pid} with kill(1). */
    public static void signal(long pid, String signal) {
        run(
                "kill -" + signal + " " + pid,
                List.of("kill", "-" + signal, Long.toString(pid)),
                Path.of("/"),
                Duration.ofSeconds(10));
    }

    /**
     * Whether the process {@code pid} runs: it exists and is not a zombie waiting to be reaped (a
     * daemon's parent may reap it late, and {@link ProcessHandle#isAlive()} counts zombies).
     */
    public static boolean isAlive(long pid) {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat, StandardCharsets.UTF_8);
            int end = text.lastIndexOf(')');
            return end < 0 || end + 2 >= text.length() || text.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return !Files.isDirectory(Path.of("/proc"))
                    && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }

    /**
     * Waits until the process {@code pid} is gone (see {@link #isAlive(long)}).
     *
     * @throws IllegalStateException if it still runs after {@code timeout}
     */
    public static void awaitGone(long pid, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isAlive(pid)) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + " (pid " + pid + ") still runs after " + timeout);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what + " to exit", e);
            }
        }
    }

    /** The last few thousand characters of {@code text}, for error messages. */
    public static String tail(String text) {
        String trimmed = text.strip();
        return trimmed.length() <= TAIL_CHARS ? trimmed : "..." + trimmed.substring(trimmed.length() - TAIL_CHARS);
    }

    /** The last lines of the file {@code log}, or a note that it cannot be read. */
    public static String tailOf(Path log) {
        try {
            return tail(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** Where {@code program} is on the PATH, if it is there and executable. */
    public static Optional<Path> onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Stops {@code process} and its descendants: SIGTERM, then SIGKILL after {@code grace}. */
    public static void stopTree(ProcessHandle process, Duration grace) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle handle : all) {
            long left = deadline - System.nanoTime();
            try {
                handle.onExit().get(Math.max(left, 0), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                handle.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.destroyForcibly();
            }
        }
        for (ProcessHandle handle : all) {
            handle.destroyForcibly();
            handle.onExit().join();
        }
    }
}
