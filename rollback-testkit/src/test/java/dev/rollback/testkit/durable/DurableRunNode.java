package dev.rollback.testkit.durable;

import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackEvent;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.lock.FileRunLock;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.fault.ChildJvm;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One node of the durable-run crash tests, run in a child JVM by {@link ChildJvm}: it runs (or
 * resumes) a {@link DurablePlan} with a {@link FileJournal} and a {@link FileRunLock}, as an
 * application embedding the library would, and its steps record every execution in a
 * {@link SideEffectLedger}.
 *
 * <p>Arguments: {@code <journal-dir> <lock-dir> <ledger-file> <node-name> run|resume <run-id|->
 * <plan> <report-file> [hold=<step>] [linger]}, where {@code <plan>} is a {@link DurablePlan}
 * name and the JSON report of a finished run goes to {@code <report-file>}; {@code hold} makes
 * that step block after its STARTED ledger line until the process is killed; {@code linger}
 * keeps the process alive after the run until it is killed (so a test can read its command line).
 *
 * <p>Output lines, each flushed at once, for the test to synchronize on:
 * <ul>
 *   <li>{@code lease <token>}: it took the run lock with that fencing token;</li>
 *   <li>{@code run <run-id>}: the run started (or resumed), before any step;</li>
 *   <li>{@code event <type>}: every event of the run, as it happens ({@code event StepStarted});</li>
 *   <li>{@code holding <step>}: the held step has recorded STARTED and blocks;</li>
 *   <li>{@code outcome <RunOutcome>}: the run finished (exit status 0);</li>
 *   <li>{@code refused <ErrorCode> <message>}: the executor refused to start or resume (exit status 2).</li>
 * </ul>
 * A password for {@link DurablePlan#LEAKY_LOGIN} comes from the environment variable
 * {@value DurablePlan#PASSWORD_VARIABLE}, never from the command line.
 */
public final class DurableRunNode {
    static final String LEASE = "lease ";
    static final String RUN = "run ";
    static final String EVENT = "event ";
    static final String HOLDING = "holding ";
    static final String OUTCOME = "outcome ";
    static final String REFUSED = "refused ";
    static final String LINGERING = "lingering";
    /** The exit status when the executor refuses to start or resume. */
    static final int REFUSED_STATUS = 2;

    private static final PrintStream OUT = System.out;

    private DurableRunNode() {}

    public static void main(String[] args) throws Exception {
        Path journalDir = Path.of(args[0]);
        Path lockDir = Path.of(args[1]);
        SideEffectLedger ledger = SideEffectLedger.at(Path.of(args[2]));
        String node = args[3];
        boolean resume = args[4].equals("resume");
        String runId = args[5];
        DurablePlan variant = DurablePlan.valueOf(args[6]);
        Path reportFile = Path.of(args[7]);
        boolean linger = option(args, "linger").isPresent();
        RollbackPlan plan = variant.plan(ledger, node, option(args, "hold="), OUT);

        try (FileJournal journal = FileJournal.of(journalDir);
                RollbackExecutor executor = RollbackExecutor.builder()
                        .journal(journal)
                        .runLock(announcingLeases(FileRunLock.of(lockDir)))
                        .listener(new Slf4jRollbackListener())
                        .listener(new RollbackListener() {
                            @Override
                            public void onRunStarted(RunStarted event) {
                                OUT.println(RUN + event.runId());
                                onEvent(event);
                            }

                            @Override
                            public void onEvent(RollbackEvent event) {
                                OUT.println(EVENT + event.getClass().getSimpleName());
                            }
                        })
                        .build()) {
            RollbackRun run = resume ? executor.resume(plan, runId) : executor.start(plan, RunRequest.manual(node));
            RollbackReport report = run.await();
            Files.writeString(reportFile, JsonReportRenderer.render(report));
            OUT.println(OUTCOME + report.outcome());
        } catch (RollbackException e) {
            OUT.println(REFUSED + e.code() + " " + e.getMessage());
            System.exit(REFUSED_STATUS);
        }
        if (linger) {
            OUT.println(LINGERING);
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** The value after {@code prefix} of the first optional argument (from the ninth) that starts with it. */
    private static Optional<String> option(String[] args, String prefix) {
        for (int i = 8; i < args.length; i++) {
            if (args[i].startsWith(prefix)) {
                return Optional.of(args[i].substring(prefix.length()));
            }
        }
        return Optional.empty();
    }

    /** {@code lock}, printing the fencing token of every lease it hands out. */
    private static RunLock announcingLeases(RunLock lock) {
        return (key, wait) -> {
            Optional<RunLease> lease = lock.tryAcquire(key, wait);
            lease.ifPresent(l -> OUT.println(LEASE + l.fencingToken()));
            return lease;
        };
    }
}
