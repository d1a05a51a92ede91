package dev.rollback.integrations.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs one command as a child process, never through a shell: the argument list as given, the
 * environment exactly as given (nothing inherited), stdin from {@code /dev/null}, stdout and stderr
 * merged into a private temporary file (0600 in a 0700 folder, deleted afterwards; a file, not a
 * pipe, so a daemon that inherits it cannot block the caller). At the timeout, or when the calling
 * thread is interrupted, the process and every descendant it has are killed with SIGKILL.
 * Stateless and thread-safe.
 */
public final class ChildProcess {
    /** How often the caller's {@code whileRunning} is called. */
    private static final Duration WATCH = Duration.ofMillis(250);

    private ChildProcess() {}

    /**
     * How a run ended.
     *
     * @param exitCode the exit status, if it exited by itself
     * @param killed how many processes were killed at the timeout (the command and its descendants); 0 if none
     * @param pid the command's process id
     * @param tail the end of its output (at most the requested characters), redacted
     */
    public record Outcome(Optional<Integer> exitCode, int killed, long pid, String tail) {}

    /**
     * Runs {@code command} (its first element an absolute path) with {@code environment} in
     * {@code directory} for at most {@code timeout}.
     *
     * @param whileRunning called about every 250 ms while it runs, with the elapsed time
     * @throws RollbackException {@code EXTERNAL_FAILURE} if it cannot start, naming the program
     * @throws StepInterruptedException if the calling thread is interrupted (the tree is killed
     *     first and the interrupt flag stays set)
     */
    public static Outcome run(
            List<String> command,
            Map<String, String> environment,
            Path directory,
            Duration timeout,
            int tailChars,
            Consumer<Duration> whileRunning) {
        Path work = null;
        Process process = null;
        try {
            work = Files.createTempDirectory(
                    "rollback-command-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path output = Files.createFile(
                    work.resolve("output"),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().clear();
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE, "cannot start " + command.get(0) + ": " + Redaction.describe(e), e);
            }
            long deadline = started + timeout.toNanos();
            boolean finished = false;
            while (!finished) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                finished = process.waitFor(Math.min(left, WATCH.toNanos()), TimeUnit.NANOSECONDS);
                if (!finished) {
                    whileRunning.accept(Duration.ofNanos(System.nanoTime() - started));
                }
            }
            if (!finished) {
                int killed = killTree(process);
                return new Outcome(Optional.empty(), killed, process.pid(), tail(output, tailChars));
            }
            return new Outcome(Optional.of(process.exitValue()), 0, process.pid(), tail(output, tailChars));
        } catch (InterruptedException e) {
            if (process != null) {
                killTree(process);
            }
            Thread.currentThread().interrupt();
            throw new StepInterruptedException("running " + command.get(0)
                    + " was interrupted (deadline or abort); it and its descendants were killed");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare or read the output file of " + command.get(0), e);
        } finally {
            if (process != null && process.isAlive()) {
                killTree(process);
            }
            if (work != null) {
                deleteQuietly(work.resolve("output"));
                deleteQuietly(work);
            }
        }
    }

    /**
     * Kills {@code process} and every descendant with SIGKILL and waits (at most 5 s each) for them
     * to go; returns how many there were. The descendants are listed before anything is killed, so
     * that none is orphaned unseen; a process that detached itself (a new session) before that is
     * out of reach.
     */
    public static int killTree(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // gone, or unkillable (a zombie, a process of another user): nothing more to do
            }
        }
        return all.size();
    }

    private static String tail(Path file, int chars) throws IOException {
        long size = Files.size(file);
        long maxBytes = (long) chars * 4;
        byte[] bytes;
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long from = Math.max(0, size - maxBytes);
            raf.seek(from);
            bytes = new byte[(int) (size - from)];
            raf.readFully(bytes);
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (text.length() > chars) {
            text = "..." + text.substring(text.length() - chars);
        }
        StringBuilder clean = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            clean.append(c == '\n' || c == '\t' || !Character.isISOControl(c) ? c : '?');
        }
        return Redaction.redact(clean.toString());
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temporary file of ours in a private folder; the OS cleans the temp folder
        }
    }
}
