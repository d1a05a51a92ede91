package dev.rollback.testkit.contract;

import dev.rollback.api.spi.Journal;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.internal.FileNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileJournal} keeps the {@link Journal} contract. */
class FileJournalContractTest extends JournalContract {
    private static final Duration GAP = Duration.ofMillis(800);

    @TempDir
    Path dir;

    @Override
    protected Journal createJournal() {
        return FileJournal.custom().directory(dir).sequenceGapTimeout(GAP).build();
    }

    @Override
    protected Duration sequenceGapTimeout() {
        return GAP;
    }

    @Override
    protected Optional<Tampering> tampering() {
        return Optional.of(new Tampering() {
            @Override
            public void editRecord(String runId, long sequence) throws Exception {
                List<String> lines = lines(runId);
                String line = lines.get((int) sequence);
                lines.set((int) sequence, line.replace("\"data\":{", "\"data\":{\"edited\":\"yes\","));
                write(runId, lines);
            }

            @Override
            public void deleteRecord(String runId, long sequence) throws Exception {
                List<String> lines = lines(runId);
                lines.remove((int) sequence);
                write(runId, lines);
            }
        });
    }

    @Override
    protected Optional<Callable<Journal>> unreachableJournal() {
        return Optional.of(() -> {
            Path file = Files.writeString(dir.resolve("a-file"), "x", StandardCharsets.UTF_8);
            return FileJournal.of(file.resolve("journal"));
        });
    }

    private Path file(String runId) {
        return dir.resolve(FileNames.encode("runId", runId) + ".journal");
    }

    private List<String> lines(String runId) throws Exception {
        return new ArrayList<>(Files.readAllLines(file(runId), StandardCharsets.UTF_8));
    }

    private void write(String runId, List<String> lines) throws Exception {
        Files.writeString(file(runId), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
