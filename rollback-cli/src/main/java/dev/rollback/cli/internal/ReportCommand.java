package dev.rollback.cli.internal;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.report.HtmlReportRenderer;
import dev.rollback.core.report.JsonReportReader;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code rollback report}: render a report kept as JSON. */
@Command(
        name = "report",
        description = "Render a report kept as JSON.",
        subcommands = {ReportCommand.Render.class, CommandLine.HelpCommand.class})
public final class ReportCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: render");
    }

    /** The formats a report renders to. */
    public enum Format {
        /** Markdown, for a ticket or a chat. */
        MARKDOWN,
        /** JSON, schema version 1 (docs/report-schema.md). */
        JSON,
        /** One self-contained HTML page. */
        HTML
    }

    /** {@code rollback report render}. */
    @Command(
            name = "render",
            description = "Reads a report written as JSON (JsonReportRenderer, schema version 1) and renders it as"
                    + " Markdown, JSON or HTML.")
    public static final class Render implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "REPORT", description = "The report, a JSON file.")
        Path report;

        @Option(
                names = {"-f", "--format"},
                paramLabel = "FORMAT",
                description = "markdown (default), json or html.",
                converter = FormatConverter.class)
        Format format = Format.MARKDOWN;

        @Option(
                names = {"-o", "--output"},
                paramLabel = "FILE",
                description = "Write here instead of to the standard output.")
        Optional<Path> output;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(report)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "REPORT: '" + report + "' is not a file");
            }
            RollbackReport read = JsonReportReader.read(Files.readString(report, StandardCharsets.UTF_8));
            String rendered = switch (format) {
                case MARKDOWN -> MarkdownReportRenderer.render(read);
                case JSON -> JsonReportRenderer.render(read);
                case HTML -> HtmlReportRenderer.render(read);
            };
            if (output.isPresent()) {
                Files.writeString(output.get(), rendered, StandardCharsets.UTF_8);
            } else {
                spec.commandLine().getOut().print(rendered);
                spec.commandLine().getOut().flush();
            }
            return ExitCodes.OK;
        }
    }

    /** Reads a format in any case. */
    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            try {
                return Format.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not markdown, json or html");
            }
        }
    }
}
