package dev.rollback.cli.internal;

import dev.rollback.api.spi.JournalVerification;
import dev.rollback.core.journal.FileJournal;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollback journal}: work with a run journal. */
@Command(
        name = "journal",
        description = "Work with a run journal.",
        subcommands = {JournalCommand.Verify.class, CommandLine.HelpCommand.class})
public final class JournalCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: verify");
    }

    /** {@code rollback journal verify}: every run's hash chain, or the runs named. */
    @Command(
            name = "verify",
            description = {
                "Verifies the hash chain of every run in the journal (or of the runs named): every checksum,"
                        + " hash, link, MAC (with --hmac-key-file) and anchor.",
                "Exits 1 and names the first bad record of each broken run when a chain is broken."
            })
    public static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        JournalOptions journal;

        @Option(
                names = "--run",
                paramLabel = "RUN",
                description = "Verify only this run (repeatable). Default: every run in the journal.")
        List<String> runs = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try (FileJournal files = journal.open()) {
                List<String> ids = runs.isEmpty() ? files.runs() : runs;
                if (ids.isEmpty()) {
                    out.println("no run in journal " + journal.directory);
                    return ExitCodes.OK;
                }
                int broken = 0;
                long records = 0;
                for (String runId : ids) {
                    JournalVerification v = files.verify(runId).orElseThrow();
                    out.println((v.verified() ? "ok      " : "BROKEN  ") + v.describe());
                    if (v.verified()) {
                        records += v.recordCount();
                    } else {
                        broken++;
                    }
                }
                out.println(ids.size() + " run(s), " + (ids.size() - broken) + " verified (" + records + " records), "
                        + broken + " broken");
                return broken == 0 ? ExitCodes.OK : ExitCodes.FOUND;
            }
        }
    }
}
