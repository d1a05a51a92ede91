package dev.rollback.cli.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.RunHistory;
import dev.rollback.core.journal.StepHistory;
import dev.rollback.core.lock.FileRunLock;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.core.response.PlanCatalog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rollback runs}: list, show and resume the runs of a journal. */
@Command(
        name = "runs",
        description = "List, show and resume the runs of a journal.",
        subcommands = {
            RunsCommand.ListRuns.class,
            RunsCommand.Show.class,
            RunsCommand.Resume.class,
            CommandLine.HelpCommand.class
        })
public final class RunsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: list, show or resume");
    }

    /** Which runs {@code runs list} shows. */
    public enum Filter {
        /** Every run. */
        ALL,
        /** Runs with a finish record. */
        FINISHED,
        /** Runs started and not finished (in doubt or not). */
        UNFINISHED,
        /** Unfinished runs with a step that started and did not end. */
        IN_DOUBT,
        /** Runs refused before they started. */
        REFUSED,
        /** Runs whose journal cannot be read back. */
        CORRUPT
    }

    /** {@code rollback runs list}. */
    @Command(
            name = "list",
            description = "Lists the runs of a journal: finished (with their outcome), unfinished, in doubt (a step"
                    + " started and has no end: what resume must settle), refused, corrupt.")
    public static final class ListRuns implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JournalOptions journal;

        @Option(
                names = "--status",
                paramLabel = "STATUS",
                converter = FilterConverter.class,
                description = "Only runs that are: all (default), finished, unfinished, in-doubt, refused, corrupt.")
        Filter filter = Filter.ALL;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FileJournal files = journal.open()) {
                int shown = 0;
                String format = "%-42s %-28s %-22s %s%n";
                for (String runId : files.runs()) {
                    Summary s = Summary.of(files, runId);
                    if (s.matches(filter)) {
                        if (shown++ == 0) {
                            out.printf(format, "RUN", "PLAN", "STARTED", "STATUS");
                        }
                        out.printf(format, runId, s.plan, s.started, s.status);
                    }
                }
                if (shown == 0) {
                    out.println("no " + (filter == Filter.ALL ? "" : name(filter) + " ") + "run in journal "
                            + journal.directory);
                }
                return ExitCodes.OK;
            }
        }
    }

    /** {@code rollback runs show}. */
    @Command(
            name = "show",
            description = "Shows one run: its plan, who started it, each step's state, and for a step in doubt what a"
                    + " resume would do with it.")
    public static final class Show implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JournalOptions journal;

        @Parameters(paramLabel = "RUN", description = "The run's id (see runs list).")
        String runId;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FileJournal files = journal.open()) {
                RunHistory history = history(spec, files, runId);
                Summary s = Summary.of(files, runId);
                out.println("run       " + runId);
                out.println("plan      " + s.plan);
                out.println("started   " + s.started
                        + history.startData().entrySet().stream()
                                .filter(e -> e.getKey().equals("initiator"))
                                .map(e -> " by " + e.getValue())
                                .findFirst()
                                .orElse(""));
                out.println("status    " + s.status);
                out.println("records   " + history.records().size() + ", journal "
                        + files.verify(runId)
                                .map(v -> v.verified() ? "verified" : "BROKEN: " + v.describe())
                                .orElse("not verifiable"));
                history.abort()
                        .ifPresent(a -> out.println("aborted   by " + a.data().get("who") + ": "
                                + a.data().get("reason")));
                out.println();
                printSteps(out, history);
                return ExitCodes.OK;
            }
        }
    }

    /** {@code rollback runs resume}. */
    @Command(
            name = "resume",
            description = {
                "Resumes an unfinished run from the journal with the application's plan of the same name: steps"
                        + " that ended are not run again; a step in doubt runs again only if it is idempotent and"
                        + " not destructive, or its own check says it did not take effect.",
                "It changes production: without --yes it only says what it would do. Exits 0 when the resumed run"
                        + " succeeded, 1 when it did not."
            })
    public static final class Resume implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JournalOptions journal;

        @Parameters(paramLabel = "RUN", description = "The run's id (see runs list --status unfinished).")
        String runId;

        @Option(
                names = "--catalog",
                required = true,
                paramLabel = "CLASS",
                description = "The application's PlanCatalogProvider class (on the class path; never scanned for).")
        String catalogClass;

        @Option(
                names = "--lock-dir",
                required = true,
                paramLabel = "DIR",
                description = "The FileRunLock directory the application's runs take their lock in, so that this"
                        + " resume excludes a node resuming the same run, and carries a higher fencing token.")
        Path lockDirectory;

        @Option(names = "--yes", description = "Resume for real (it runs steps against production).")
        boolean yes;

        @Option(
                names = "--format",
                paramLabel = "FORMAT",
                description = "The report printed at the end: markdown (default) or json.")
        String format = "markdown";

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            if (!format.equals("markdown") && !format.equals("json")) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--format: '" + format + "' is not markdown or json");
            }
            try (FileJournal files = journal.open()) {
                RunHistory history = history(spec, files, runId);
                if (history.finished()) {
                    throw new RollbackException(
                            ErrorCode.JOURNAL_FAILURE,
                            "run '" + runId + "' finished " + history.outcome().orElse("") + "; nothing to resume");
                }
                String planName = history.planName()
                        .orElseThrow(() -> new RollbackException(
                                ErrorCode.JOURNAL_FAILURE,
                                "run '" + runId + "' has no start record naming its plan; it cannot be resumed"));
                PlanCatalog catalog = CatalogLoader.load(catalogClass);
                RollbackPlan plan = CatalogLoader.plan(catalog, planName, catalogClass);
                if (!yes) {
                    out.println("run " + runId + " of plan '" + planName + "' would be resumed:");
                    printSteps(out, history);
                    throw new CommandLine.ParameterException(
                            spec.commandLine(),
                            "resuming runs steps against production: repeat with --yes to resume run '" + runId + "'");
                }
                try (RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(files)
                        .runLock(FileRunLock.of(lockDirectory))
                        .listener(new Slf4jRollbackListener())
                        .build()) {
                    RollbackRun run = executor.resume(plan, runId);
                    RollbackReport report = run.await();
                    out.println(
                            format.equals("json")
                                    ? JsonReportRenderer.render(report)
                                    : MarkdownReportRenderer.render(report));
                    return report.outcome() == RunOutcome.SUCCEEDED ? ExitCodes.OK : ExitCodes.FOUND;
                }
            }
        }
    }

    private static RunHistory history(CommandSpec spec, FileJournal files, String runId) {
        if (!files.runs().contains(runId)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "RUN: journal " + files.directory() + " holds no run '" + runId + "' (see runs list)");
        }
        return RunHistory.replay(files, runId);
    }

    private static void printSteps(PrintWriter out, RunHistory history) {
        if (history.steps().isEmpty()) {
            out.println("no step started");
            return;
        }
        String format = "%-32s %-9s %s%n";
        out.printf(format, "STEP", "ATTEMPTS", "STATE");
        for (StepHistory step : history.steps().values()) {
            String state = step.ended()
                    ? step.outcome().orElse("ENDED")
                            + step.end()
                                    .flatMap(e -> Optional.ofNullable(e.data().get("reason")))
                                    .map(r -> ": " + r)
                                    .orElse("")
                    : "IN DOUBT: "
                            + (step.idempotent() && !step.destructive()
                                    ? "a resume runs it again (idempotent, not destructive)"
                                    : "a resume asks the step whether it took effect; if it cannot tell, a person"
                                            + " decides (HUMAN_DECISION_REQUIRED)");
            out.printf(format, step.stepId(), step.attemptsStarted(), state);
        }
    }

    private static String name(Filter filter) {
        return filter.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** One line of {@code runs list}. */
    private record Summary(String plan, String started, String status, Filter kind, boolean inDoubt) {

        static Summary of(FileJournal files, String runId) {
            RunHistory history;
            try {
                history = RunHistory.replay(files, runId);
            } catch (RollbackException e) {
                return new Summary("?", "?", "CORRUPT: " + e.getMessage(), Filter.CORRUPT, false);
            }
            String plan = history.planName().orElse("?");
            String started = history.startedAt().map(Object::toString).orElse("-");
            if (!history.started()) {
                Optional<JournalRecord> refused = history.records().stream()
                        .filter(r -> r.type() == JournalRecord.Type.RUN_REFUSED)
                        .findFirst();
                return refused.map(r -> new Summary(
                                r.data().getOrDefault("plan", "?"),
                                r.at().toString(),
                                "REFUSED: " + r.data().getOrDefault("reason", ""),
                                Filter.REFUSED,
                                false))
                        .orElse(new Summary(plan, started, "NO START RECORD", Filter.CORRUPT, false));
            }
            if (history.finished()) {
                return new Summary(plan, started, history.outcome().orElse("FINISHED"), Filter.FINISHED, false);
            }
            List<StepHistory> inDoubt = history.inDoubt();
            if (!inDoubt.isEmpty()) {
                return new Summary(
                        plan,
                        started,
                        "IN DOUBT: "
                                + String.join(
                                        ", ",
                                        inDoubt.stream()
                                                .map(StepHistory::stepId)
                                                .toList()),
                        Filter.UNFINISHED,
                        true);
            }
            return new Summary(plan, started, "UNFINISHED", Filter.UNFINISHED, false);
        }

        boolean matches(Filter filter) {
            return filter == Filter.ALL || filter == kind || filter == Filter.IN_DOUBT && inDoubt;
        }
    }

    /** Reads {@code in-doubt} as well as {@code IN_DOUBT}. */
    static final class FilterConverter implements CommandLine.ITypeConverter<Filter> {
        @Override
        public Filter convert(String value) {
            for (Filter f : Filter.values()) {
                if (name(f).equalsIgnoreCase(value) || f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not one of all, finished, unfinished, in-doubt, refused, corrupt");
        }
    }
}
