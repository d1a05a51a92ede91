package dev.rollback.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.report.JsonReportRenderer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RollbackCliTest {
    @TempDir
    Path dir;

    private RollbackReport runInto(Path journal, String plan, boolean fail) {
        RollbackPlan p = RollbackPlan.builder(plan, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .step(RollbackStep.builder("stop-traffic", "app").build())
                .step(
                        RollbackStep.builder("swap-slots", "app")
                                .action(ctx -> {
                                    if (fail) {
                                        throw new IllegalStateException("swap returned 409");
                                    }
                                })
                                .build(),
                        s -> s.dependsOn("stop-traffic"))
                .build();
        try (FileJournal files = FileJournal.of(journal);
                RollbackExecutor executor =
                        RollbackExecutor.builder().journal(files).build()) {
            return executor.run(p, RunRequest.drill("test"));
        }
    }

    private static Path journalFileOf(Path journal, String runId) throws Exception {
        try (Stream<Path> files = Files.list(journal)) {
            return files.filter(f -> f.getFileName().toString().startsWith(runId.replace("-", "-")))
                    .filter(f -> f.toString().endsWith(".journal"))
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void journalVerifyPassesAnIntactJournalAndNamesTheFirstBadRecordOfABrokenOne() throws Exception {
        Path journal = dir.resolve("journal");
        RollbackReport good = runInto(journal, "app-rollback", false);
        RollbackReport tampered = runInto(journal, "db-recovery", false);

        Cli intact = Cli.run("journal", "verify", "--journal", journal.toString());
        assertThat(intact.exitCode()).isZero();
        assertThat(intact.out())
                .contains("ok      journal")
                .contains("2 run(s), 2 verified")
                .contains("0 broken");

        Path file = journalFileOf(journal, tampered.runId());
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        lines.set(2, lines.get(2).replace("stop-traffic", "stop-traffix"));
        Files.write(file, lines, StandardCharsets.UTF_8);

        Cli broken = Cli.run("journal", "verify", "-j", journal.toString());
        assertThat(broken.exitCode()).isEqualTo(1);
        assertThat(broken.out())
                .contains("BROKEN  journal")
                .contains("of run '" + tampered.runId() + "': ALTERED at record 2")
                .contains("1 broken");
        Cli one = Cli.run("journal", "verify", "-j", journal.toString(), "--run", good.runId());
        assertThat(one.exitCode()).isZero();
        Cli missing = Cli.run("journal", "verify", "-j", journal.toString(), "--run", "run-nobody");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.out()).contains("NO_SUCH_RUN");
    }

    @Test
    void runsListShowsEachRunsStatusAndFiltersByIt() throws Exception {
        Path journal = dir.resolve("journal");
        RollbackReport succeeded = runInto(journal, "app-rollback", false);
        RollbackReport failed = runInto(journal, "db-recovery", true);
        RollbackReport corrupt = runInto(journal, "storage-failover", false);
        Path file = journalFileOf(journal, corrupt.runId());
        Files.writeString(file, Files.readString(file).replace("storage-failover", "storage-failovex"));

        Cli all = Cli.run("runs", "list", "-j", journal.toString());
        assertThat(all.exitCode()).isZero();
        assertThat(all.out()).startsWith("RUN ");
        assertThat(all.out().lines().filter(l -> l.startsWith(succeeded.runId())))
                .singleElement()
                .asString()
                .contains("app-rollback")
                .endsWith("SUCCEEDED");
        assertThat(all.out().lines().filter(l -> l.startsWith(failed.runId())))
                .singleElement()
                .asString()
                .endsWith("PARTIAL");
        assertThat(all.out().lines().filter(l -> l.startsWith(corrupt.runId())))
                .singleElement()
                .asString()
                .contains("CORRUPT: ");
        assertThat(Cli.run("runs", "list", "-j", journal.toString(), "--status", "finished")
                        .out())
                .contains(succeeded.runId())
                .doesNotContain(corrupt.runId());
        assertThat(Cli.run("runs", "list", "-j", journal.toString(), "--status", "in-doubt")
                        .out())
                .startsWith("no in-doubt run in journal");

        Cli show = Cli.run("runs", "show", failed.runId(), "-j", journal.toString());
        assertThat(show.exitCode()).isZero();
        assertThat(show.out())
                .contains("plan      db-recovery")
                .contains("status    PARTIAL")
                .contains("journal verified")
                .contains("swap-slots")
                .contains("FAILED: IllegalStateException: swap returned 409");
    }

    @Test
    void badArgumentsAreNamedAndExitWithTwo() {
        Cli noDirectory = Cli.run("runs", "list", "-j", dir.resolve("missing").toString());
        assertThat(noDirectory.exitCode()).isEqualTo(2);
        assertThat(noDirectory.err()).startsWith("--journal: '" + dir.resolve("missing") + "' is not a directory");
        assertThat(Files.exists(dir.resolve("missing"))).as("never created").isFalse();

        Cli badStatus = Cli.run("runs", "list", "-j", dir.toString(), "--status", "sideways");
        assertThat(badStatus.exitCode()).isEqualTo(2);
        assertThat(badStatus.err()).contains("'sideways' is not one of all, finished, unfinished, in-doubt");

        Cli noRun = Cli.run("runs", "show", "run-x", "-j", dir.toString());
        assertThat(noRun.exitCode()).isEqualTo(2);
        assertThat(noRun.err()).contains("holds no run 'run-x'");

        Cli unknown = Cli.run("journal", "check");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unmatched argument at index 1: 'check'");

        assertThat(Cli.run().exitCode()).isEqualTo(2);
        assertThat(Cli.run().err()).contains("a command is required");
    }

    @Test
    void resumeWithACatalogClassThatCannotBeLoadedSaysWhy() throws Exception {
        Path journal = dir.resolve("journal");
        RollbackReport done = runInto(journal, "app-rollback", false);

        Cli finished = Cli.run(
                "runs",
                "resume",
                done.runId(),
                "-j",
                journal.toString(),
                "--catalog",
                "x.Y",
                "--lock-dir",
                dir.resolve("locks").toString());
        assertThat(finished.exitCode()).isEqualTo(3);
        assertThat(finished.err()).contains("finished SUCCEEDED; nothing to resume");
    }

    @Test
    void reportRenderReadsAReportsJsonAndRendersItInEachFormat() throws Exception {
        RollbackReport report = runInto(dir.resolve("journal"), "app-rollback", true);
        Path json = Files.writeString(dir.resolve("report.json"), JsonReportRenderer.render(report));

        Cli markdown = Cli.run("report", "render", json.toString());
        assertThat(markdown.exitCode()).isZero();
        assertThat(markdown.out())
                .contains("app-rollback")
                .contains("swap-slots")
                .contains("FAILED");
        Cli again = Cli.run("report", "render", json.toString(), "--format", "json");
        assertThat(again.out()).isEqualTo(JsonReportRenderer.render(report));
        Path html = dir.resolve("report.html");
        assertThat(Cli.run("report", "render", json.toString(), "-f", "HTML", "-o", html.toString())
                        .exitCode())
                .isZero();
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>").contains("swap-slots");

        Cli badFormat = Cli.run("report", "render", json.toString(), "-f", "pdf");
        assertThat(badFormat.exitCode()).isEqualTo(2);
        assertThat(badFormat.err()).contains("'pdf' is not markdown, json or html");
        Path notAReport = Files.writeString(dir.resolve("x.json"), "{\"hello\": 1}");
        Cli refused = Cli.run("report", "render", notAReport.toString());
        assertThat(refused.exitCode()).isEqualTo(3);
        assertThat(refused.err()).contains("not a rollback report: field schemaVersion is missing");
    }

    @Test
    void drillScheduleListsTheRunbooksFourMondays() {
        Cli december = Cli.run("drill", "schedule", "--month", "2026-12", "--zone", "Europe/Berlin");
        assertThat(december.exitCode()).isZero();
        assertThat(december.out().lines())
                .containsExactly(
                        "Mon 2026-12-07 10:00 CET   Application rollback drill",
                        "Mon 2026-12-14 10:00 CET   Database recovery drill",
                        "Mon 2026-12-21 10:00 CET   Infrastructure failover drill",
                        "Mon 2026-12-28 10:00 CET   Full system disaster recovery");
        Cli next = Cli.run("drill", "schedule", "--after", "2026-12-22T00:00:00Z", "-n", "2", "--at", "09:30");
        assertThat(next.out().lines())
                .containsExactly(
                        "Mon 2026-12-28 09:30 UTC   Full system disaster recovery",
                        "Mon 2027-01-04 09:30 UTC   Application rollback drill");
        Cli badZone = Cli.run("drill", "schedule", "--zone", "Mars/Olympus");
        assertThat(badZone.exitCode()).isEqualTo(2);
        assertThat(badZone.err()).contains("--zone: 'Mars/Olympus' is not a time zone");
        assertThat(Cli.run("drill", "schedule", "-n", "0").err()).contains("--count: 0 is not from 1 to 1000");
        assertThat(Cli.run("drill", "schedule", "--month", "December").err())
                .contains("--month: 'December' is not a month like 2026-12");
    }

    @Test
    void replayListsTheDecisionsATraceWouldHaveTakenUnderTheConfiguredMatrix() throws Exception {
        Path config = Files.writeString(dir.resolve("rollback.yaml"), """
                matrix:
                  name: checkout
                  rules:
                    - { name: errors, signal: error-rate, above: 10%, window: 10s, minimum-events: 10,
                        sustain: 30s, action: application-rollback }
                """);
        StringBuilder trace = new StringBuilder("timestamp,latency_ms,success\n");
        Instant t0 = Instant.parse("2026-11-25T12:00:00Z");
        for (int ms = 0; ms < 60_000; ms += 50) { // 20 requests a second, half failing after 10 s
            trace.append(t0.plusMillis(ms))
                    .append(",12,")
                    .append(ms >= 10_000 && ms % 100 == 0 ? "false" : "true")
                    .append('\n');
        }
        Path csv = Files.writeString(dir.resolve("trace.csv"), trace);

        Cli replay = Cli.run("replay", csv.toString(), "--config", config.toString());

        assertThat(replay.exitCode()).as(replay.err()).isZero();
        assertThat(replay.out())
                .contains("matrix checkout (1 rules)")
                .contains("1 decision(s)")
                .contains("errors")
                .contains("application-rollback")
                .contains("error rate 50% > 10% for 30s");
        Cli badTrace = Cli.run(
                "replay",
                Files.writeString(dir.resolve("bad.csv"), "timestamp,colour\n").toString());
        assertThat(badTrace.exitCode()).isEqualTo(3);
        assertThat(badTrace.err()).contains("'colour' is not a known column");
        Cli badConfig = Cli.run(
                "replay",
                csv.toString(),
                "--config",
                Files.writeString(dir.resolve("bad.yaml"), "matrix: { rules: [] }")
                        .toString());
        assertThat(badConfig.exitCode()).isEqualTo(3);
        assertThat(badConfig.err()).contains("matrix.rules");
    }

    @Test
    void generatesABashCompletionScriptAndHelpForEveryCommand() {
        Cli completion = Cli.run("generate-completion");
        assertThat(completion.exitCode()).isZero();
        assertThat(completion.out()).contains("complete -F").contains("journal").contains("resume");
        Cli help = Cli.run("runs", "resume", "--help");
        assertThat(help.out())
                .contains("--catalog=CLASS")
                .contains("--lock-dir=DIR")
                .contains("--yes");
    }
}
