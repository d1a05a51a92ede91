package dev.rollback.postgres.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.ChildEnvironment;
import dev.rollback.postgres.PostgresEndpoint;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one PostgreSQL client or server program (pg_dump, pg_restore, pg_basebackup, pg_ctl) as a
 * child process: never through a shell, the argument list passed as is; the password only in a
 * temporary {@code PGPASSFILE} of mode 0600 in a private 0700 folder, deleted when the program
 * ends; every inherited {@code PG*} variable removed (so no {@code PGPASSWORD} leaks in), and the
 * login endpoint's TLS settings set instead ({@code PGSSLMODE}, {@code PGSSLROOTCERT}: the
 * endpoint's root certificate, or the JVM's trusted roots in a PEM file of the work folder), so that
 * the tool checks the server as the JDBC driver does; stdout
 * and stderr into temporary files (never pipes, so a daemon that inherits them cannot block us);
 * the process and its descendants killed when the caller is interrupted or the timeout passes.
 */
public final class PgTool {
    private static final int TAIL_CHARS = 8000;
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?");

    private PgTool() {}

    /**
     * What a finished program left.
     *
     * @param exitCode its exit status
     * @param stdout what it wrote to stdout
     * @param stderr the end of what it wrote to stderr, redacted
     * @param took how long it ran
     */
    public record Result(int exitCode, String stdout, String stderr, Duration took) {
        /** Whether it exited 0. */
        public boolean succeeded() {
            return exitCode == 0;
        }
    }

    /** How often {@code whileRunning} is called while a program runs. */
    public static final Duration WATCH_INTERVAL = Duration.ofMillis(500);

    /**
     * Runs {@code command}, logging in as {@code login} through a temporary password file when
     * present.
     *
     * @param what what the program does, for messages ("pg_dump of db1")
     * @param command the program and its arguments
     * @param login whose password goes into the password file
     * @param extraEnvironment further variables for the child (no secrets)
     * @param timeout how long it may run; it is killed after that
     * @throws RollbackException {@code EXTERNAL_FAILURE} if it cannot start (the message names the
     *     program), {@code STEP_TIMED_OUT} after the timeout
     * @throws StepInterruptedException if the calling thread is interrupted (the program is killed
     *     first and the interrupt flag stays set)
     */
    public static Result run(
            String what,
            List<String> command,
            Optional<PostgresEndpoint> login,
            Map<String, String> extraEnvironment,
            Duration timeout) {
        return run(what, command, login, extraEnvironment, timeout, () -> {});
    }

    /**
     * As {@link #run(String, List, Optional, Map, Duration)}, calling {@code whileRunning} about
     * every {@link #WATCH_INTERVAL} while the program runs (on the calling thread), for example to
     * report the progress of its output.
     */
    public static Result run(
            String what,
            List<String> command,
            Optional<PostgresEndpoint> login,
            Map<String, String> extraEnvironment,
            Duration timeout,
            Runnable whileRunning) {
        Path work = null;
        Process process = null;
        long started = System.nanoTime();
        try {
            sweepStaleWorkDirectories();
            work = Files.createTempDirectory(
                    WORK_PREFIX + ProcessHandle.current().pid() + "-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path stdout = work.resolve("stdout");
            Path stderr = work.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile())
                    .redirectError(stderr.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            Map<String, String> env = builder.environment();
            ChildEnvironment.restrict(env);
            env.putAll(extraEnvironment);
            if (login.isPresent()) {
                env.put("PGPASSFILE", writePassFile(work, login.get()).toString());
                env.put(
                        "PGCONNECT_TIMEOUT",
                        Long.toString(Math.max(2, login.get().connectTimeout().toSeconds())));
                env.putAll(tlsEnvironment(login.get(), work));
            }
            try {
                process = builder.start();
            } catch (IOException e) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        what + ": cannot start " + command.get(0) + " (" + e.getMessage()
                                + "); is the PostgreSQL client installed and binDir right?",
                        e);
            }
            long deadline = started + Math.max(1, timeout.toNanos());
            boolean finished = false;
            while (!finished) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                finished = process.waitFor(Math.min(left, WATCH_INTERVAL.toNanos()), TimeUnit.NANOSECONDS);
                if (!finished) {
                    whileRunning.run();
                }
            }
            if (!finished) {
                killTree(process);
                throw new RollbackException(
                        ErrorCode.STEP_TIMED_OUT,
                        what + " did not finish within " + timeout + " and was killed; stderr: " + tail(stderr));
            }
            return new Result(
                    process.exitValue(),
                    Files.readString(stdout, StandardCharsets.UTF_8),
                    tail(stderr),
                    Duration.ofNanos(System.nanoTime() - started));
        } catch (InterruptedException e) {
            if (process != null) {
                killTree(process);
            }
            Thread.currentThread().interrupt();
            throw new StepInterruptedException(what + " was interrupted (deadline or abort); the process was killed");
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": cannot prepare or read its work files", e);
        } finally {
            if (process != null && process.isAlive()) {
                killTree(process);
            }
            if (work != null) {
                deleteRecursively(work);
            }
        }
    }

    /**
     * The major version of a client program ({@code pg_dump --version} says "pg_dump (PostgreSQL)
     * 15.18").
     */
    public static int majorVersion(Path program, Duration timeout) {
        Result r = run(
                program.getFileName() + " --version",
                List.of(program.toString(), "--version"),
                Optional.empty(),
                Map.of(),
                timeout);
        Matcher m = VERSION.matcher(r.stdout());
        if (!r.succeeded() || !m.find()) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    program + " --version did not report a PostgreSQL" + " version (exit " + r.exitCode() + "): "
                            + r.stdout().strip() + " " + r.stderr());
        }
        return Integer.parseInt(m.group(1));
    }

    /** Checks that {@code program} exists and is executable, naming it otherwise. */
    public static Path requireProgram(Path binDir, String name) {
        Path program = binDir.resolve(name);
        if (!Files.isRegularFile(program) || !Files.isExecutable(program)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    name + " not found or not executable at " + program
                            + "; install the PostgreSQL client tools or set binDir");
        }
        return program;
    }

    /** Kills {@code process} and every descendant at once, and waits for them to go. */
    public static void killTree(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException | TimeoutException e) {
                // gone or unkillable; nothing more to do
            }
        }
    }

    /** The bytes in a file or under a folder (0 if it does not exist yet); best effort, never throws. */
    public static long sizeOf(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException | UncheckedIOException e) {
            return 0; // not there yet, or a file went away while walked: no progress to report
        }
    }

    /** Deletes a file or folder tree; best effort. */
    public static void deleteRecursively(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException(
                    "cannot delete " + root, e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
    }

    /** Work directories are {@code rollback-pgtool-<pid>-<random>} under the temporary directory. */
    static final String WORK_PREFIX = "rollback-pgtool-";

    private static final AtomicBoolean SWEPT = new AtomicBoolean();

    /**
     * Once per JVM, before the first tool starts: removes the work directories (with the password
     * file in them) that a runner killed before its cleanup left behind, that is those whose
     * process no longer lives. A live runner's directories are never touched.
     */
    static void sweepStaleWorkDirectories() {
        if (SWEPT.compareAndSet(false, true)) {
            sweepStaleWorkDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        }
    }

    /** Removes the work directories under {@code temp} whose runner process no longer lives. */
    static void sweepStaleWorkDirectories(Path temp) {
        try (Stream<Path> entries = Files.list(temp)) {
            entries.filter(p -> p.getFileName().toString().startsWith(WORK_PREFIX))
                    .filter(p -> ownerGone(p.getFileName().toString()))
                    .forEach(p -> {
                        try {
                            deleteRecursively(p);
                        } catch (UncheckedIOException e) {
                            // another runner's, or already gone: leave it
                        }
                    });
        } catch (IOException | UncheckedIOException e) {
            // the sweep is best effort; the next start tries again in a new JVM
        }
    }

    private static boolean ownerGone(String name) {
        String rest = name.substring(WORK_PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(0, dash));
            return pid != ProcessHandle.current().pid()
                    && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * {@code PGSSLMODE} and, for a verifying mode, {@code PGSSLROOTCERT} for a tool that connects to
     * {@code login}: its root certificate, or the JVM's trusted roots written to {@code work}.
     */
    static Map<String, String> tlsEnvironment(PostgresEndpoint login, Path work) throws IOException {
        Map<String, String> tls = new LinkedHashMap<>();
        tls.put("PGSSLMODE", login.sslMode().libpqName());
        if (login.sslMode().verifiesCertificate()) {
            Path root;
            if (login.sslRootCertificate().isPresent()) {
                root = login.sslRootCertificate().get();
            } else {
                root = Files.writeString(
                        work.resolve("root.crt"), TrustAnchors.defaultTrustStorePem(), StandardCharsets.US_ASCII);
            }
            tls.put("PGSSLROOTCERT", root.toString());
        }
        return tls;
    }

    private static Path writePassFile(Path work, PostgresEndpoint login) throws IOException {
        Path file = Files.createFile(
                work.resolve("pgpass"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        String line = escape(login.host()) + ":" + login.port() + ":*:" + escape(login.user()) + ":"
                + escape(login.password().reveal()) + "\n";
        Files.writeString(file, line, StandardCharsets.UTF_8);
        return file;
    }

    private static String escape(String field) {
        return field.replace("\\", "\\\\").replace(":", "\\:");
    }

    private static String tail(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (text.length() > TAIL_CHARS) {
            text = "..." + text.substring(text.length() - TAIL_CHARS);
        }
        return Redaction.redact(text);
    }
}
