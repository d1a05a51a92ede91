package dev.rollback.cli;

import dev.rollback.api.RollbackException;
import dev.rollback.cli.internal.DrillCommand;
import dev.rollback.cli.internal.ExitCodes;
import dev.rollback.cli.internal.JournalCommand;
import dev.rollback.cli.internal.ReplayCommand;
import dev.rollback.cli.internal.ReportCommand;
import dev.rollback.cli.internal.RunsCommand;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code rollback} command line, for a person on call: verify a journal, list, show and resume
 * runs, replay a trace against a decision matrix, render a report, print the drill schedule, and
 * generate a shell completion script. Run {@code rollback --help} or {@code rollback help <command>}
 * for each command's options; {@code docs/cli.md} has them all with examples.
 *
 * <p>Exit codes: 0 done and nothing wrong; 1 done and something is wrong (a broken journal chain, a
 * resumed run that did not succeed); 2 bad arguments (the message names the argument); 3 the command
 * could not do its work (a journal it cannot read, a catalog class it cannot load).
 */
@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT, // -h and -V on every command
        versionProvider = RollbackCli.Version.class,
        description = "Rollback: verify journals, list, show and resume runs, replay traces, render reports,"
                + " print the drill schedule.",
        subcommands = {
            JournalCommand.class,
            RunsCommand.class,
            ReplayCommand.class,
            ReportCommand.class,
            DrillCommand.class,
            AutoComplete.GenerateCompletion.class,
            CommandLine.HelpCommand.class
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:done, nothing wrong",
            "1:done, something is wrong (a broken journal, a resumed run that did not succeed)",
            "2:bad arguments",
            "3:the command could not do its work"
        })
public final class RollbackCli implements Runnable {
    @Spec
    CommandSpec spec;

    /** Runs the command line and exits with its exit code. */
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, ready to {@link CommandLine#execute(String...) execute}: bad arguments print
     * the message and the usage and return 2; a failure of the command prints its message (no stack
     * trace) and returns 3.
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RollbackCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            String message = e instanceof RollbackException || e instanceof IllegalArgumentException
                    ? e.getMessage()
                    : e.toString();
            commandLine.getErr().println("rollback " + commandLine.getCommandName() + ": " + message);
            commandLine.getErr().flush();
            return ExitCodes.ERROR;
        });
        cli.getSubcommands()
                .get("generate-completion")
                .getCommandSpec()
                .usageMessage()
                .hidden(false);
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(
                spec.commandLine(), "a command is required: journal, runs, replay, report, drill or help");
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = RollbackCli.class.getPackage().getImplementationVersion();
            return new String[] {"rollback " + (version == null ? "(development build)" : version)};
        }
    }
}
