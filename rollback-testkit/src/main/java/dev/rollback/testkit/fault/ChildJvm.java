package dev.rollback.testkit.fault;

import dev.rollback.api.internal.CrashPoints;
import dev.rollback.testkit.internal.Cleanup;
import dev.rollback.testkit.internal.Commands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A node of a fault test: a {@code main} class run in a child JVM from the test's own classpath,
 * with system properties (a {@linkplain Builder#crashPoint(String) crash point} among them) and
 * arguments, that the test can kill with SIGKILL, pause with SIGSTOP, resume with SIGCONT, and
 * whose output lines it reads.
 *
 * <p>The classpath is passed in the {@code CLASSPATH} environment variable, so the command line
 * stays short and holds only what the builder was given: never put a secret in a system property
 * or an argument (pass it in a file or {@linkplain Builder#environment(String, String) the
 * environment}). stdout and stderr are merged and collected line by line by a daemon thread.
 * A child still running at JVM exit is killed. Thread-safe.
 */
public final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final List<String> command;
    private final List<String> lines = new ArrayList<>();
    private boolean readerDone;

    private ChildJvm(Process process, List<String> command) {
        this.process = process;
        this.command = List.copyOf(command);
        Thread reader = new Thread(this::readOutput, "child-jvm-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        Cleanup.register(this);
    }

    /** A builder for a child JVM that runs {@code mainClass}. */
    public static Builder builder(Class<?> mainClass) {
        return new Builder(Objects.requireNonNull(mainClass, "mainClass").getName());
    }

    /** The child's process id. */
    public long pid() {
        return process.pid();
    }

    /** The command that started it (without the classpath, which is in the environment). */
    public List<String> commandLine() {
        return command;
    }

    /** Every line the child wrote so far (stdout and stderr). */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Waits until the child writes a line that matches {@code test}, and returns it.
     *
     * @throws IllegalStateException if the child exits or {@code timeout} passes first; the message
     *     holds what it wrote
     */
    public String awaitLine(Predicate<String> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (test.test(lines.get(seen))) {
                        return lines.get(seen);
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && readerDone)) {
                    throw new IllegalStateException("child JVM " + pid()
                            + (process.isAlive()
                                    ? " wrote no matching line within " + timeout
                                    : " exited (" + process.exitValue() + ") without a matching line")
                            + "; it wrote:\n"
                            + String.join("\n", lines));
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 50_000_000L))));
            }
        }
    }

    /** Kills the child with SIGKILL and waits for it; its exit status is then 137. */
    public int kill() throws InterruptedException {
        process.destroyForcibly();
        return process.waitFor();
    }

    /**
     * Pauses the child with SIGSTOP; it holds its locks and sockets but runs no code. Returns once
     * the kernel shows it stopped (a signal is delivered asynchronously), at most 5 seconds.
     *
     * @throws IllegalStateException if it does not show stopped within 5 seconds
     */
    public void pause() {
        Commands.signal(pid(), "STOP");
        awaitStopped(true, "SIGSTOP");
    }

    /**
     * Resumes a paused child with SIGCONT. Returns once the kernel no longer shows it stopped, at
     * most 5 seconds.
     *
     * @throws IllegalStateException if it still shows stopped after 5 seconds
     */
    public void resume() {
        Commands.signal(pid(), "CONT");
        awaitStopped(false, "SIGCONT");
    }

    private void awaitStopped(boolean stopped, String signal) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Path stat = Path.of("/proc/" + pid() + "/stat");
        while (true) {
            try {
                String line = Files.readString(stat);
                if ((line.charAt(line.lastIndexOf(')') + 2) == 'T') == stopped) {
                    return;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + stat + " of the child", e);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "child " + pid() + (stopped ? " did not stop" : " is still stopped") + " 5 s after " + signal);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for child " + pid() + " after " + signal, e);
            }
        }
    }

    /** Whether the child runs (a paused child runs). */
    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for the child to exit and returns its status (137 when a crash point halted it or it was
     * killed).
     *
     * @throws IllegalStateException if it still runs after {@code timeout}
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("child JVM " + pid() + " still runs after " + timeout + "; it wrote:\n"
                    + String.join("\n", lines()));
        }
        return process.exitValue();
    }

    /** The exit status if the child has exited. */
    public Optional<Integer> exitStatus() {
        return process.isAlive() ? Optional.empty() : Optional.of(process.exitValue());
    }

    /** Kills the child if it still runs (a paused one too). */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Cleanup.unregister(this);
    }

    @Override
    public String toString() {
        return "ChildJvm[pid " + pid() + ", " + command.get(command.size() - 1) + "]";
    }

    private void readOutput() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the child died; what it wrote before is kept
        } finally {
            synchronized (lines) {
                readerDone = true;
                lines.notifyAll();
            }
        }
    }

    /**
     * Builds and starts a {@link ChildJvm}. Not thread-safe; reusable: each {@link #start()} starts
     * a new child.
     */
    public static final class Builder {
        private final String mainClass;
        private final Map<String, String> properties = new LinkedHashMap<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final List<String> jvmOptions =
                new ArrayList<>(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx128m"));
        private final List<String> args = new ArrayList<>();
        private List<String> prefix = List.of();
        private Path directory = Path.of(System.getProperty("user.dir"));

        private Builder(String mainClass) {
            this.mainClass = mainClass;
        }

        /** One system property ({@code -Dname=value}); visible on the command line, so never a secret. */
        public Builder systemProperty(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (name.isEmpty() || name.contains("=")) {
                throw new IllegalArgumentException("name must be a property name, but was '" + name + "'");
            }
            properties.put(name, value);
            return this;
        }

        /**
         * Arms a crash point in the child (see {@link CrashPoints}): {@code "journal.after-fsync"}, or
         * {@code "journal.after-fsync@3"} for its third time. Several calls arm several points.
         */
        public Builder crashPoint(String point) {
            Objects.requireNonNull(point, "point");
            String current = properties.get(CrashPoints.PROPERTY);
            properties.put(CrashPoints.PROPERTY, current == null ? point : current + "," + point);
            return this;
        }

        /** One environment variable of the child (the place for a secret a test must pass). */
        public Builder environment(String name, String value) {
            environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** One more JVM option ({@code -Xmx64m}). Default options: a small heap and fast start-up. */
        public Builder jvmOption(String option) {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /** Arguments for {@code main}. */
        public Builder args(String... arguments) {
            for (String a : arguments) {
                args.add(Objects.requireNonNull(a, "argument"));
            }
            return this;
        }

        /** The child's working directory. Default: this JVM's. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * A command that runs the java command given after it as arguments, such as
         * {@link DiskFull#commandPrefix()}. Default: none.
         */
        public Builder commandPrefix(List<String> prefix) {
            this.prefix = List.copyOf(prefix);
            return this;
        }

        /** Starts the child. */
        public ChildJvm start() {
            List<String> java = new ArrayList<>();
            java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            java.addAll(jvmOptions);
            properties.forEach((k, v) -> java.add("-D" + k + "=" + v));
            java.add(mainClass);
            java.addAll(args);
            List<String> command = new ArrayList<>(prefix);
            command.addAll(java);
            ProcessBuilder pb =
                    new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
            pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            pb.environment().putAll(environment);
            try {
                return new ChildJvm(pb.start(), command);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start a child JVM for " + mainClass, e);
            }
        }
    }
}
