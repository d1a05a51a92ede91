package dev.rollback.cli.internal;

import dev.rollback.api.Decision;
import dev.rollback.config.RollbackConfiguration;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Replay;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rollback replay}: what-if, a recorded trace through a decision matrix. */
@Command(
        name = "replay",
        description = {
            "Plays a recorded trace (CSV: timestamp, latency_ms, success, connection_ok, health_check_ok,"
                    + " memory_percent, disk_percent; see docs/triggers.md) through a decision matrix on a virtual"
                    + " clock and lists the decisions it would have taken, and when.",
            "The matrix is the runbook's, or the one of a configuration file (--config)."
        })
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TRACE", description = "The trace, a CSV file.")
    Path trace;

    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "A configuration file (.yaml, .yml, .properties) whose matrix to replay against."
                    + " Default: the runbook's matrix.")
    Optional<Path> config;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isRegularFile(trace)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "TRACE: '" + trace + "' is not a file");
        }
        DecisionMatrix matrix = config.map(RollbackConfiguration::load)
                .map(RollbackConfiguration::matrix)
                .orElse(DecisionMatrix.ofDefaults());
        List<Decision> decisions;
        try (Reader in = Files.newBufferedReader(trace, StandardCharsets.UTF_8)) {
            decisions = Replay.csv(matrix, in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(trace + ": " + e.getMessage(), e);
        }
        out.println("matrix " + matrix.name() + " (" + matrix.rules().size() + " rules), trace " + trace + ": "
                + decisions.size() + " decision(s)");
        String format = "%-25s %-30s %-24s %-14s %-5s %s%n";
        if (!decisions.isEmpty()) {
            out.printf(format, "DECIDED AT", "RULE", "ACTION", "KIND", "SEV", "WHY");
        }
        for (Decision d : decisions) {
            out.printf(format, d.decidedAt(), d.rule(), d.action(), d.kind(), d.severity(), d.description());
        }
        return ExitCodes.OK;
    }
}
