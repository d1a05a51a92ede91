package dev.rollback.cli.internal;

import dev.rollback.core.drill.DrillSchedule;
import dev.rollback.core.drill.ScheduledDrill;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code rollback drill}: the runbook's monthly drills. */
@Command(
        name = "drill",
        description = "The runbook's monthly rollback drills.",
        subcommands = {DrillCommand.Schedule.class, CommandLine.HelpCommand.class})
public final class DrillCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: schedule");
    }

    /** {@code rollback drill schedule}. */
    @Command(
            name = "schedule",
            description = {
                "Prints the drill calendar: first Monday of the month application rollback, second database"
                        + " recovery, third infrastructure failover, fourth full system disaster recovery.",
                "Default: the next four drills from now."
            })
    public static final class Schedule implements Callable<Integer> {
        private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEE yyyy-MM-dd HH:mm z", Locale.ROOT);

        @Spec
        CommandSpec spec;

        @Option(
                names = {"-m", "--month"},
                paramLabel = "YYYY-MM",
                description = "The drills of this month, instead of the next ones.")
        Optional<String> month;

        @Option(
                names = "--after",
                paramLabel = "INSTANT",
                description = "List the drills after this ISO-8601 instant (2026-12-01T00:00:00Z). Default: now.")
        Optional<String> after;

        @Option(
                names = {"-n", "--count"},
                paramLabel = "N",
                description = "How many of the next drills, 1 to 1000. Default: 4.")
        int count = 4;

        @Option(
                names = {"-z", "--zone"},
                paramLabel = "ZONE",
                description = "The time zone whose Mondays the drills fall on (Europe/Berlin). Default: UTC.")
        String zone = "UTC";

        @Option(names = "--at", paramLabel = "HH:MM", description = "The time of day drills start. Default: 10:00.")
        String at = "10:00";

        @Override
        public Integer call() {
            CommandLine cli = spec.commandLine();
            DrillSchedule.Builder schedule = DrillSchedule.custom();
            try {
                schedule.zone(ZoneId.of(zone));
            } catch (DateTimeException e) {
                throw new CommandLine.ParameterException(
                        cli, "--zone: '" + zone + "' is not a time zone (UTC," + " Europe/Berlin, America/New_York)");
            }
            try {
                schedule.at(LocalTime.parse(at));
            } catch (DateTimeParseException e) {
                throw new CommandLine.ParameterException(cli, "--at: '" + at + "' is not a time of day (10:00)");
            }
            if (count < 1 || count > 1000) {
                throw new CommandLine.ParameterException(cli, "--count: " + count + " is not from 1 to 1000");
            }
            if (month.isPresent() && after.isPresent()) {
                throw new CommandLine.ParameterException(cli, "--month and --after: give one or the other");
            }
            DrillSchedule drills = schedule.build();
            List<ScheduledDrill> listed;
            if (month.isPresent()) {
                try {
                    listed = drills.month(YearMonth.parse(month.get()));
                } catch (DateTimeParseException e) {
                    throw new CommandLine.ParameterException(
                            cli, "--month: '" + month.get() + "' is not a month like 2026-12");
                }
            } else {
                Instant from;
                try {
                    from = after.map(Instant::parse).orElseGet(Instant::now);
                } catch (DateTimeParseException e) {
                    throw new CommandLine.ParameterException(
                            cli, "--after: '" + after.get() + "' is not an instant like 2026-12-01T00:00:00Z");
                }
                listed = drills.next(from, count);
            }
            PrintWriter out = cli.getOut();
            for (ScheduledDrill d : listed) {
                out.printf("%-26s %s%n", DAY.format(d.startsAt()), d.kind().title());
            }
            return ExitCodes.OK;
        }
    }
}
