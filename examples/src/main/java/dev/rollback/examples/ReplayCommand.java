package dev.rollback.examples;

import dev.rollback.api.Decision;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.Replay;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What-if: replays a recorded trace through the runbook's decision matrix and prints the
 * decisions it would have taken, and when.
 *
 * <pre>
 * ./mvnw -B -q -pl examples -am package -DskipTests exec:java -Dexec.mainClass=dev.rollback.examples.ReplayCommand [-Dexec.args=trace.csv]
 * </pre>
 *
 * Without an argument it replays the bundled {@code sample-trace.csv}. The trace format is in
 * docs/triggers.md. Exit status: 0 when the trace was replayed, 2 when it could not be read.
 */
public final class ReplayCommand {
    private ReplayCommand() {}

    public static void main(String[] args) throws IOException {
        DecisionMatrix matrix = DecisionMatrix.ofDefaults();
        List<Decision> decisions;
        try (Reader trace = open(args)) {
            decisions = Replay.csv(matrix, trace);
        } catch (IllegalArgumentException e) {
            System.err.println("replay: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.printf(
                "%d decision(s) by matrix '%s' on %s%n",
                decisions.size(), matrix.name(), args.length > 0 ? args[0] : "sample-trace.csv");
        for (Decision d : decisions) {
            System.out.printf(
                    "%s  %-13s %-22s %s  rule %s: %s (breach began %s, detected in %ss)%n",
                    d.decidedAt(),
                    d.kind(),
                    d.action(),
                    d.severity(),
                    d.rule(),
                    d.description(),
                    d.breachBegan(),
                    d.timeToDetect().toSeconds());
        }
    }

    private static Reader open(String[] args) throws IOException {
        if (args.length > 0) {
            return Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8);
        }
        InputStream sample = ReplayCommand.class.getResourceAsStream("/sample-trace.csv");
        if (sample == null) {
            throw new IllegalStateException("sample-trace.csv is missing from the examples jar");
        }
        return new InputStreamReader(sample, StandardCharsets.UTF_8);
    }
}
