package dev.rollback.integrations;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The fault model (docs/fault-model.md), "a config file switch killed midway": a child JVM runs the security monitoring
 * configuration swap and halts (as SIGKILL would: no finally, no flush) at a crash point inside
 * the file replacement or right after it. The file is then the old version or the new one, whole,
 * never a mix; {@code tookEffect} says which; a resume of the run from its journal finishes the swap,
 * keeps the old version as the previous one, and leaves no temporary file.
 */
class FileConfigSwitchCrashIT {
    private static final String OLD = "{\"siem\":\"primary\",\"rules\":[" + "\"r\",".repeat(20_000) + "\"end\"]}";
    private static final String NEW = "{\"siem\":\"backup\",\"rules\":[" + "\"b\",".repeat(30_000) + "\"end\"]}";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "killed at {0}")
    @CsvSource({
        "integrations.config-file.after-temp, false",
        "integrations.config-file.after-previous, false",
        "integrations.config-file.after-rename, true",
        "step.after-effect, true"
    })
    void aSwitchKilledAnywhereLeavesAWholeFileAndAResumeFinishesIt(String crashPoint, boolean swapped)
            throws Exception {
        Path config = Files.createDirectory(dir.resolve("config"));
        Path journalDir = dir.resolve("journal");
        Files.writeString(config.resolve("monitoring.json"), OLD);
        Files.writeString(config.resolve("monitoring-backup.json"), NEW);

        String runId;
        try (ChildJvm node = ChildJvm.builder(FileConfigSwitchNode.class)
                .crashPoint(crashPoint)
                .args(journalDir.toString(), config.toString())
                .start()) {
            runId = node.awaitLine(l -> l.startsWith("run "), Duration.ofSeconds(30))
                    .substring(4)
                    .strip();
            assertThat(node.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
        }

        String after = Files.readString(config.resolve("monitoring.json"));
        assertThat(after).isEqualTo(swapped ? NEW : OLD);
        ConfigSwitchStep step = (ConfigSwitchStep)
                FileConfigSwitchNode.plan(config).steps().get(0).step();
        assertThat(step.tookEffect(TestStepContext.of("check", Duration.ofSeconds(5))))
                .contains(swapped);

        RollbackReport report;
        try (FileJournal journal = FileJournal.of(journalDir);
                RollbackExecutor executor =
                        RollbackExecutor.builder().journal(journal).build()) {
            report = executor.resume(FileConfigSwitchNode.plan(config), runId).await();
        }

        assertThat(report).succeeded();
        assertThat(Files.readString(config.resolve("monitoring.json"))).isEqualTo(NEW);
        assertThat(Files.readString(config.resolve(".monitoring.json.previous")))
                .isEqualTo(OLD);
        try (Stream<Path> files = Files.list(config)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }
}
