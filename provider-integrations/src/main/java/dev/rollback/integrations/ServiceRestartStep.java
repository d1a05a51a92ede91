package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.ChildProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Restarts a service with a configured command: the runbook's {@code systemctl restart
 * security-monitor}, {@code systemctl restart audit-logger}, {@code systemctl restart
 * applicationinsights-agent}. The command is an argument list run without a shell (no word
 * splitting, globbing or {@code ;} to inject through), its program looked up on the child's own
 * {@code PATH} before anything starts.
 *
 * <p>The child's environment holds only what the builder names: variables
 * {@linkplain Builder#passEnvironment(String...) passed through} from the runner's environment
 * (default {@code PATH}; a standard {@code PATH} when the runner has none), and variables
 * {@linkplain Builder#environment(String, Secret) set} here (a secret belongs there, never in an
 * argument: an argument that looks like a secret is refused). Nothing else of the runner's
 * environment (its cloud credentials, its database password) reaches the child.
 *
 * <p>The command may run for {@link Builder#timeout(Duration) timeout} (default 60 s), cut to the
 * step's remaining budget; then it and every process it started are killed (SIGKILL) and the step
 * fails saying so. It fails too when the command exits with a status other than 0 (naming the
 * command and the status) or does not exist. The step's verifier (a {@code HealthCheckVerifier}
 * of the restarted service) decides whether the service came back.
 *
 * <p><b>Idempotent</b>: restarting a service again restarts it again, which is what a repeat asks;
 * so {@link #tookEffect} answers {@code false} (run it again) and no failure is transient (a restart
 * that failed or hung is not retried blindly). Not destructive. {@link #preflight} (read-only)
 * checks the program exists and is executable and the working folder exists.
 *
 * <p>Evidence: {@value #COMMAND}, {@value #EXIT_CODE} ({@code killed} after a timeout),
 * {@value #OUTPUT} (the end of stdout and stderr, redacted), {@value #KILLED}. Immutable and
 * thread-safe; it never logs or records a secret of the environment.
 */
public final class ServiceRestartStep implements RollbackStep {
    /** Evidence key: the command as run (redacted). */
    public static final String COMMAND = "restart.command";
    /** Evidence key: the exit status, or {@code killed}. */
    public static final String EXIT_CODE = "restart.exitCode";
    /** Evidence key: the end of what the command wrote (redacted). */
    public static final String OUTPUT = "restart.output";
    /** Evidence key: how many processes were killed at the timeout (0 when it ended by itself). */
    public static final String KILLED = "restart.killed";

    /** The {@code PATH} a child gets when the runner has none to pass. */
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    private final String id;
    private final String component;
    private final List<String> command;
    private final Set<String> passed;
    private final Map<String, String> plain;
    private final Map<String, Secret> secrets;
    private final Optional<Path> directory;
    private final Duration timeout;
    private final int tailChars;

    private ServiceRestartStep(Builder b) {
        this.id = b.id;
        this.component = b.component;
        this.command = List.copyOf(b.command);
        this.passed = Set.copyOf(b.passed);
        this.plain = Map.copyOf(b.plain);
        this.secrets = Map.copyOf(b.secrets);
        this.directory = Optional.ofNullable(b.directory);
        this.timeout = b.timeout;
        this.tailChars = b.tailChars;
    }

    /** A builder; the command is required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The command that restarts the service, as described (redacted). */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(describe());
    }

    /** The command: the program and its arguments. */
    public List<String> command() {
        return command;
    }

    /** {@code systemctl restart audit-logger}: the command as one line, redacted. */
    public String describe() {
        return Redaction.redact(String.join(" ", command));
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** Always {@code false}: a restart has no lasting state to read, and repeating it is safe. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(false);
    }

    @Override
    public void preflight(StepContext context) {
        resolveProgram(environment());
        Path dir = workingDirectory();
        if (!Files.isDirectory(dir)) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "step '" + id + "': working folder " + dir + " of '" + describe() + "' does not exist");
        }
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        context.evidence(COMMAND, describe());
        Map<String, String> env = environment();
        List<String> argv = new ArrayList<>(command);
        argv.set(0, resolveProgram(env).toString());
        Duration left = context.remaining();
        if (left.isZero()) {
            throw new StepInterruptedException("step '" + id + "' has no time left to run '" + describe() + "'");
        }
        Duration limit = left.compareTo(timeout) < 0 ? left : timeout;
        ChildProcess.Outcome outcome = ChildProcess.run(
                argv,
                env,
                workingDirectory(),
                limit,
                tailChars,
                elapsed -> context.progress("'" + describe() + "' running for " + elapsed.toSeconds() + " s"));
        context.evidence(OUTPUT, outcome.tail());
        context.evidence(KILLED, Integer.toString(outcome.killed()));
        if (outcome.exitCode().isEmpty()) {
            context.evidence(EXIT_CODE, "killed");
            throw new RollbackException(
                    ErrorCode.STEP_TIMED_OUT,
                    "step '" + id + "': '" + describe() + "' did not finish within " + limit + " (pid "
                            + outcome.pid() + "); it and its descendants (" + outcome.killed()
                            + " processes) were killed" + lastOutput(outcome));
        }
        int code = outcome.exitCode().get();
        context.evidence(EXIT_CODE, Integer.toString(code));
        if (code != 0) {
            throw new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    "step '" + id + "': '" + describe() + "' exited with status " + code + lastOutput(outcome));
        }
    }

    private static String lastOutput(ChildProcess.Outcome outcome) {
        if (outcome.tail().isEmpty()) {
            return "; it wrote nothing";
        }
        String t = outcome.tail();
        int cut = Math.max(0, t.length() - 300);
        return "; its output ends: " + (cut > 0 ? "..." : "") + t.substring(cut).replace('\n', ' ');
    }

    /** Only false: a restart that failed, hung or cannot start is not retried blindly. */
    @Override
    public boolean isTransient(Throwable failure) {
        return false;
    }

    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : passed) {
            String value = System.getenv(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        env.putIfAbsent("PATH", DEFAULT_PATH);
        env.putAll(plain);
        secrets.forEach((k, v) -> env.put(k, v.reveal()));
        return env;
    }

    private Path workingDirectory() {
        return directory.orElse(Path.of("/"));
    }

    private Path resolveProgram(Map<String, String> env) {
        String program = command.get(0);
        if (program.indexOf('/') >= 0) {
            Path p = Path.of(program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toAbsolutePath();
            }
            throw notFound(program + " does not exist or is not an executable file");
        }
        String path = env.getOrDefault("PATH", DEFAULT_PATH);
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        throw notFound("'" + program + "' is not on the child's PATH (" + path + ")");
    }

    private RollbackException notFound(String what) {
        return new RollbackException(
                ErrorCode.INVALID_CONFIGURATION,
                "step '" + id + "': cannot run '" + describe() + "': " + what + "; nothing was started");
    }

    @Override
    public String toString() {
        return "ServiceRestartStep[" + id + ", " + describe() + "]";
    }

    /**
     * Builds a {@link ServiceRestartStep}: the command is required. Setters check their argument at
     * once; not thread-safe; reusable, each step built keeps its values.
     */
    public static final class Builder {
        private String id = "service-restart";
        private String component = "application";
        private List<String> command = List.of();
        private final Set<String> passed = new LinkedHashSet<>(Set.of("PATH"));
        private final Map<String, String> plain = new LinkedHashMap<>();
        private final Map<String, Secret> secrets = new LinkedHashMap<>();
        private Path directory;
        private Duration timeout = Duration.ofSeconds(60);
        private int tailChars = 2000;

        private Builder() {}

        /** The step id. Default {@code service-restart}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /**
         * The program and its arguments ({@code "systemctl", "restart", "audit-logger"}): a program
         * name looked up on the child's PATH, or a path. Each element one line, not empty; the
         * program does not start with {@code -}; no element may look like a secret (a
         * {@code password=...}, a bearer token, a registered {@link Secret}). Required.
         */
        public Builder command(String... command) {
            Objects.requireNonNull(command, "command");
            if (command.length == 0) {
                throw new IllegalArgumentException("command must hold at least the program, but was empty");
            }
            List<String> checked = new ArrayList<>();
            for (int i = 0; i < command.length; i++) {
                String field = i == 0 ? "command program" : "command argument " + i;
                String a = Objects.requireNonNull(command[i], field);
                if (a.isEmpty() || a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0 || a.indexOf('\0') >= 0) {
                    throw new IllegalArgumentException(
                            field + " must be one non-empty line, but was '" + Arguments.printable(a) + "'");
                }
                if (!Redaction.redact(a).equals(a)) {
                    throw new IllegalArgumentException(field + " looks like a secret ('" + Redaction.redact(a)
                            + "'); a command line is visible to every user of the machine: pass it through"
                            + " environment(name, Secret)");
                }
                checked.add(a);
            }
            if (checked.get(0).startsWith("-")) {
                throw new IllegalArgumentException("command program must not start with '-', but was '"
                        + Arguments.printable(checked.get(0)) + "'");
            }
            this.command = List.copyOf(checked);
            return this;
        }

        /**
         * Variables of the runner's environment the child gets (those that are set). Default:
         * {@code PATH} only. Names are letters, digits and '_'.
         */
        public Builder passEnvironment(String... names) {
            for (String n : Objects.requireNonNull(names, "names")) {
                passed.add(variable(n));
            }
            return this;
        }

        /** A variable the child gets with this value; never a secret (see {@link #environment(String, Secret)}). */
        public Builder environment(String name, String value) {
            Objects.requireNonNull(value, "value");
            if (value.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("value of " + name + " must not hold a NUL character");
            }
            String n = variable(name);
            secrets.remove(n);
            plain.put(n, value);
            return this;
        }

        /** A variable the child gets with a secret's value; the value is never recorded or shown. */
        public Builder environment(String name, Secret value) {
            Objects.requireNonNull(value, "value");
            String n = variable(name);
            plain.remove(n);
            secrets.put(n, value);
            return this;
        }

        /** The child's working folder. Default {@code /}. */
        public Builder workingDirectory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
            return this;
        }

        /** How long the command may run, above zero and at most 30 minutes; the step's budget cuts it. Default 60 s. */
        public Builder timeout(Duration timeout) {
            this.timeout = Arguments.requirePositive(timeout, "timeout", Duration.ofMinutes(30));
            return this;
        }

        /** How many characters of the end of the output go into evidence, 0-20,000. Default 2,000. */
        public Builder outputTail(int chars) {
            this.tailChars = Arguments.requireInRange(chars, "outputTail", 0, 20_000);
            return this;
        }

        private static String variable(String name) {
            Objects.requireNonNull(name, "name");
            if (!VARIABLE.matcher(name).matches()) {
                throw new IllegalArgumentException("environment variable name must be letters, digits and '_',"
                        + " not starting with a digit, but was '" + Arguments.printable(name) + "'");
            }
            return name;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the command is missing
         */
        public ServiceRestartStep build() {
            if (command.isEmpty()) {
                throw new IllegalStateException("command is required");
            }
            return new ServiceRestartStep(this);
        }
    }
}
