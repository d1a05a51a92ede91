package dev.rollback.integrations;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.FileJournal;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A runner of the security monitoring configuration swap, run in a child JVM by
 * {@link FileConfigSwitchCrashIT} (which arms a crash point in it): it runs the plan with a
 * {@link FileJournal}, as an application would. Arguments: {@code <journal-dir> <config-dir>}. Prints
 * {@code run <id>} when the run starts and {@code outcome <outcome>} when it ends.
 */
public final class FileConfigSwitchNode {
    private FileConfigSwitchNode() {}

    /** The plan both the child and the resuming test build. */
    static RollbackPlan plan(Path configDir) {
        ConfigSwitchStep swap = ConfigSwitchStep.builder(FileConfigStore.of(configDir))
                .id(SecurityMonitoringRollback.MONITORING_CONFIG)
                .component(SecurityMonitoringRollback.COMPONENT)
                .config("monitoring.json")
                .backup("monitoring-backup.json")
                .build();
        return RollbackPlan.builder("file-config-switch", RecoveryObjectives.stateless(Duration.ofMinutes(1)))
                .step(swap)
                .build();
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        try (FileJournal journal = FileJournal.of(Path.of(args[0]));
                RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(journal)
                        .listener(new RollbackListener() {
                            @Override
                            public void onRunStarted(RunStarted event) {
                                out.println("run " + event.runId());
                                out.flush();
                            }
                        })
                        .build()) {
            RollbackReport report = executor.run(plan(Path.of(args[1])), RunRequest.manual("node"));
            out.println("outcome " + report.outcome());
        }
    }
}
