package dev.rollback.cli.internal;

import dev.rollback.core.journal.FileJournal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the journal is: a file journal's directory, and the file of its MAC key if it has one. */
final class JournalOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(
            names = {"-j", "--journal"},
            required = true,
            paramLabel = "DIR",
            description = "The file journal's directory (FileJournal).")
    Path directory;

    @Option(
            names = "--hmac-key-file",
            paramLabel = "FILE",
            description = "A file holding the journal's HMAC key (the bytes the application configured with"
                    + " FileJournal.Builder.hmacKey); keys are never passed as arguments.")
    Optional<Path> hmacKeyFile;

    /** Opens the journal; refuses a directory that does not exist rather than creating it. */
    FileJournal open() {
        if (!Files.isDirectory(directory)) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--journal: '" + directory + "' is not a directory");
        }
        FileJournal.Builder journal = FileJournal.custom().directory(directory);
        if (hmacKeyFile.isPresent()) {
            try {
                journal.hmacKey(Files.readAllBytes(hmacKeyFile.get()));
            } catch (IOException e) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "--hmac-key-file: cannot read '" + hmacKeyFile.get() + "': " + e);
            }
        }
        return journal.build();
    }
}
