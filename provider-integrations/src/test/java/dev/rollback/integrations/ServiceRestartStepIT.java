package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ServiceRestartStep with real child processes: scripts that restart, fail, hang, and a command that does not exist. */
class ServiceRestartStepIT {
    @TempDir
    Path dir;

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static TestStepContext ctx(Duration budget) {
        return TestStepContext.of("restart-audit-logger", Duration.ofSeconds(budget.toSeconds()));
    }

    @Test
    void aRestartThatSucceedsRecordsItsExitCodeAndTheEndOfItsOutput() throws Exception {
        Path systemctl = script("systemctl", "echo \"restarting $2\"\necho 'audit-logger.service: active (running)'\n");
        ServiceRestartStep step = ServiceRestartStep.builder()
                .id("restart-audit-logger")
                .command(systemctl.toString(), "restart", "audit-logger")
                .build();
        TestStepContext ctx = ctx(Duration.ofSeconds(10));

        step.preflight(ctx);
        step.execute(ctx);

        assertThat(ctx.evidence())
                .containsEntry(ServiceRestartStep.EXIT_CODE, "0")
                .containsEntry(ServiceRestartStep.KILLED, "0")
                .containsEntry(ServiceRestartStep.COMMAND, systemctl + " restart audit-logger")
                .containsEntry(
                        ServiceRestartStep.OUTPUT, "restarting audit-logger\naudit-logger.service: active (running)");
        assertThat(step.tookEffect(ctx)).contains(false);
    }

    @Test
    void aNonZeroExitFailsTheStepNamingTheCommandAndTheStatus() throws Exception {
        Path systemctl = script(
                "systemctl",
                "echo 'Job for security-monitor.service failed because the control process exited with error code.'"
                        + " >&2\nexit 3\n");
        ServiceRestartStep step = ServiceRestartStep.builder()
                .command(systemctl.toString(), "restart", "security-monitor")
                .build();
        TestStepContext ctx = ctx(Duration.ofSeconds(10));

        assertThatThrownBy(() -> step.execute(ctx))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("'" + systemctl + " restart security-monitor' exited with status 3")
                .hasMessageContaining("Job for security-monitor.service failed");
        assertThat(ctx.evidence()).containsEntry(ServiceRestartStep.EXIT_CODE, "3");
        assertThat(step.isTransient(new RollbackException(ErrorCode.EXTERNAL_FAILURE, "x")))
                .isFalse();
    }

    @Test
    void aCommandThatDoesNotExistIsAClearErrorAndNothingStarts() {
        ServiceRestartStep step = ServiceRestartStep.builder()
                .command("systemctl-that-is-not-installed", "restart", "audit-logger")
                .build();
        for (Runnable call : new Runnable[] {
            () -> step.preflight(ctx(Duration.ofSeconds(5))), () -> step.execute(ctx(Duration.ofSeconds(5)))
        }) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(
                            RollbackException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("'systemctl-that-is-not-installed' is not on the child's PATH")
                    .hasMessageContaining("nothing was started");
        }
        ServiceRestartStep absolute = ServiceRestartStep.builder()
                .command("/nonexistent/bin/systemctl")
                .build();
        assertThatThrownBy(() -> absolute.execute(ctx(Duration.ofSeconds(5))))
                .hasMessageContaining("/nonexistent/bin/systemctl does not exist or is not an executable file");
    }

    @Test
    void aHangingCommandIsKilledWithItsChildrenAtItsTimeout() throws Exception {
        Path pids = dir.resolve("pids");
        Path hang = script(
                "hang", "sleep 300 &\necho $! > " + pids + "\necho $$ >> " + pids + "\necho started\nsleep 300\n");
        ServiceRestartStep step = ServiceRestartStep.builder()
                .command(hang.toString())
                .timeout(Duration.ofSeconds(1))
                .build();
        TestStepContext ctx = ctx(Duration.ofSeconds(10));

        assertThatThrownBy(() -> step.execute(ctx))
                .isInstanceOfSatisfying(
                        RollbackException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STEP_TIMED_OUT))
                .hasMessageContaining("did not finish within PT1S")
                .hasMessageContaining("were killed")
                .hasMessageContaining("started");

        assertThat(ctx.evidence()).containsEntry(ServiceRestartStep.EXIT_CODE, "killed");
        assertThat(Integer.parseInt(ctx.evidence().get(ServiceRestartStep.KILLED)))
                .isGreaterThanOrEqualTo(3);
        for (String pid : Files.readAllLines(pids)) {
            assertThat(Processes.isRunning(Long.parseLong(pid.strip())))
                    .as("pid " + pid)
                    .isFalse();
        }
    }

    @Test
    void anInterruptedStepKillsItsCommandAtOnce() throws Exception {
        Path pids = dir.resolve("pids");
        Path hang = script("hang", "echo $$ > " + pids + "\nsleep 300\n");
        ServiceRestartStep step =
                ServiceRestartStep.builder().command(hang.toString()).build();
        Thread runner = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                while (!Files.exists(pids) || Files.readString(pids).isBlank()) {
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                return;
            }
            runner.interrupt();
        });
        interrupter.start();

        assertThatThrownBy(() -> step.execute(ctx(Duration.ofSeconds(30))))
                .isInstanceOf(StepInterruptedException.class)
                .hasMessageContaining("were killed");
        assertThat(Thread.interrupted()).isTrue();
        interrupter.join();
        assertThat(Processes.isRunning(Long.parseLong(Files.readString(pids).strip())))
                .isFalse();
    }

    @Test
    void theChildGetsOnlyTheAllowListedEnvironmentAndSecretsStayOutOfEvidence() throws Exception {
        SecretCanaries canaries = SecretCanaries.generate();
        Path envFile = dir.resolve("env");
        Path systemctl = script("systemctl", "env > " + envFile + "\necho \"token is $AGENT_KEY\"\n");
        ServiceRestartStep step = ServiceRestartStep.builder()
                .command(systemctl.toString(), "restart", "applicationinsights-agent")
                .passEnvironment("HOME", "ROLLBACK_NOT_SET_ANYWHERE")
                .environment("AGENT_MODE", "backup")
                .environment("AGENT_KEY", Secret.of(canaries.azureClientSecret()))
                .build();
        TestStepContext ctx = ctx(Duration.ofSeconds(10));

        step.execute(ctx);

        List<String> names = Files.readAllLines(envFile).stream()
                .map(l -> l.substring(0, l.indexOf('=')))
                .filter(n -> !n.equals("PWD") && !n.equals("SHLVL") && !n.equals("_"))
                .sorted()
                .toList();
        List<String> expected = System.getenv("HOME") == null
                ? List.of("AGENT_KEY", "AGENT_MODE", "PATH")
                : List.of("AGENT_KEY", "AGENT_MODE", "HOME", "PATH");
        assertThat(names).isEqualTo(expected);
        assertThat(Files.readString(envFile)).contains("AGENT_KEY=" + canaries.azureClientSecret());
        CanaryScanner scanner = CanaryScanner.of(canaries);
        assertThat(scanner.scan("evidence", ctx.evidence().toString())).isEmpty();
        assertThat(ctx.evidence().get(ServiceRestartStep.OUTPUT)).isEqualTo("token is ***");
        assertThat(scanner.scan("toString", step.toString())).isEmpty();
    }

    @Test
    void aCommandIsKilledAtTheStepsDeadlineThroughTheExecutor() throws Exception {
        Path pids = dir.resolve("pids");
        Path hang = script("hang", "echo $$ > " + pids + "\nsleep 300\n");
        ServiceRestartStep step = ServiceRestartStep.builder()
                .id("restart-security-monitor")
                .component("security-monitoring")
                .command(hang.toString())
                .timeout(Duration.ofMinutes(5))
                .build();
        RollbackPlan plan = RollbackPlan.builder(
                        "restart-deadline", RecoveryObjectives.stateless(Duration.ofMinutes(1)))
                .step(step, s -> s.timeout(Duration.ofSeconds(2)))
                .build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(plan, RunRequest.drill("ci"));
        }

        assertThat(report).failed();
        StepReport s = report.step("restart-security-monitor").orElseThrow();
        assertThat(s.outcome()).isIn(StepOutcome.FAILED, StepOutcome.TIMED_OUT);
        assertThat(s.attempts()).hasSize(1);
        assertThat(Processes.isRunning(Long.parseLong(Files.readString(pids).strip())))
                .isFalse();
        assertThat(JsonReportRenderer.render(report)).contains("restart-security-monitor");
    }

    @Test
    void theBuilderRefusesSecretsInArgumentsAndOtherBadInput() {
        ServiceRestartStep.Builder b = ServiceRestartStep.builder();
        assertThatThrownBy(() -> b.command("curl", "-H", "Authorization: Bearer abcdefghijklmnop"))
                .hasMessageContaining("command argument 2 looks like a secret")
                .hasMessageNotContaining("abcdefghijklmnop");
        assertThatThrownBy(() -> b.command("agent", "--password=hunter2hunter2"))
                .hasMessageContaining("command argument 1 looks like a secret")
                .hasMessageNotContaining("hunter2hunter2");
        assertThatThrownBy(() -> b.command()).hasMessageContaining("at least the program");
        assertThatThrownBy(() -> b.command("-rf")).hasMessageContaining("must not start with '-'");
        assertThatThrownBy(() -> b.command("systemctl", "restart\naudit-logger"))
                .hasMessageContaining("command argument 1 must be one non-empty line");
        assertThatThrownBy(() -> b.passEnvironment("BAD-NAME")).hasMessageContaining("'BAD-NAME'");
        assertThatThrownBy(() -> b.timeout(Duration.ofHours(1))).hasMessageContaining("timeout");
        assertThatThrownBy(b::build).hasMessageContaining("command is required");
        assertThat(Arrays.asList(b.command("systemctl", "restart", "audit-logger")
                        .build()
                        .command()
                        .toArray()))
                .containsExactly("systemctl", "restart", "audit-logger");
    }
}
