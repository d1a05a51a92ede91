package dev.rollback.core.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.journal.RunHistory;
import dev.rollback.core.journal.StepHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The continuation of a run whose process died, from its journal: which history may be resumed at
 * all, the steps that ended (they keep their outcome, evidence and timing and never run again), and
 * the steps in doubt (started, no end record), settled before anything runs: run again only if not
 * destructive and idempotent, or if the step's own check says it did not take effect; accepted as
 * done if the check says it did; otherwise a human decides. Used by one thread, before the run starts.
 */
final class Resumption {
    /** The least time a check of an in-doubt step is given, even when the plan's RTO has run out. */
    private static final Duration CHECK_BUDGET = Duration.ofMinutes(1);

    private final RunContext context;
    private final RunHistory history;
    private final List<StepState> tookEffect = new ArrayList<>();

    private Resumption(RunContext context, RunHistory history) {
        this.context = context;
        this.history = history;
    }

    /**
     * Reads run {@code runId} from {@code journal} and checks it can be resumed with {@code plan}.
     *
     * @throws RollbackException {@code JOURNAL_FAILURE} when the journal is corrupt, does not know the
     *     run, or the run finished or was aborted; {@code INVALID_CONFIGURATION} when the run is of
     *     another plan, of another version of the plan (its digest changed), or there is no journal
     */
    static RunHistory load(Journal journal, RollbackPlan plan, String runId) {
        if (journal == Journal.NONE) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "cannot resume run '" + runId
                            + "': this executor has no journal; configure one with RollbackExecutor.builder().journal(...)");
        }
        RunHistory history = RunHistory.replay(journal, runId);
        if (!history.started()) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "cannot resume run '" + runId + "': the journal has no RUN_STARTED record for it");
        }
        String journaledPlan = RunRecords.plan(history.startData());
        if (!journaledPlan.equals(plan.name())) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "cannot resume run '" + runId + "' with plan '" + plan.name() + "': it is a run of plan '"
                            + journaledPlan + "'");
        }
        Optional<String> digest = RunRecords.planDigest(history.startData());
        if (digest.isPresent() && !digest.get().equals(plan.digest())) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "cannot resume run '" + runId + "' with plan '" + plan.name()
                            + "': the plan changed since the run started (its digest was " + digest.get()
                            + " and is now " + plan.digest() + "); a run is resumed only with the plan it started"
                            + " with, nothing ran");
        }
        if (history.finished()) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "run '" + runId + "' already finished ("
                            + history.finish().orElseThrow().data().get(RunRecords.OUTCOME)
                            + "); there is nothing to resume");
        }
        if (history.abort().isPresent()) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "run '" + runId + "' was aborted by "
                            + history.abort().get().data().get(RunRecords.WHO) + "; an aborted run is not resumed");
        }
        return history;
    }

    /**
     * Restores the steps {@code history} shows ended into the run's states (outcome, evidence,
     * timing) and returns what settles the rest.
     */
    static Resumption restore(RunContext context, RunHistory history) {
        Resumption r = new Resumption(context, history);
        r.restoreEndedSteps();
        return r;
    }

    private void restoreEndedSteps() {
        for (StepHistory sh : history.endedSteps()) {
            StepState s = stateOf(sh);
            JournalRecord end = sh.end().orElseThrow();
            StepStatus status = RunRecords.outcome(end);
            RunRecords.evidence(end).forEach(s::putEvidence);
            long endNanos = nanosAt(end.at());
            if (sh.lastStart().isPresent()) {
                long startNanos = nanosAt(sh.lastStart().get().at());
                s.markStarted(startNanos, sh.lastStart().get().at(), endNanos);
                String reason = RunRecords.reason(end);
                s.finalAttempts = List.of(new Attempt(
                        Math.max(1, sh.attemptsStarted()),
                        sh.lastStart().get().at(),
                        Duration.ofNanos(Math.max(0, endNanos - startNanos)),
                        ReportAssembler.outcome(status),
                        reason.isEmpty() ? Optional.empty() : Optional.of(reason)));
            }
            s.status = status;
            s.reason = RunRecords.reason(end);
            s.finishNanos = endNanos;
        }
        for (StepState s : context.states().values()) {
            if (s.status == StepStatus.SUCCEEDED) {
                s.dependents.forEach(d -> d.unfinishedDependencies--);
            }
        }
    }

    /**
     * Decides, before anything runs, what to do with each step that started and has no end
     * record. Returns the ids of the in-doubt steps that will run again.
     *
     * @throws RollbackException with {@code HUMAN_DECISION_REQUIRED} when a step cannot be settled
     */
    List<String> settleInDoubtSteps() {
        List<String> rerun = new ArrayList<>();
        for (StepHistory sh : history.inDoubt()) {
            StepState s = stateOf(sh);
            RollbackStep step = s.planned.step();
            Reconciliation r;
            try {
                r = Reconciliation.settle(
                        step,
                        new AttemptContext(
                                context,
                                EventDispatcher.NONE,
                                s,
                                s.id(),
                                step.component(),
                                sh.attemptsStarted(),
                                checkDeadline()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        humanNeeded(sh, step) + "; its check of whether it took effect was interrupted");
            }
            if (r.verdict() == StepReconciled.Verdict.CANNOT_TELL) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED, humanNeeded(sh, step) + "; " + r.explanation());
            }
            if (r.verdict() == StepReconciled.Verdict.TOOK_EFFECT) {
                s.markStarted(
                        nanosAt(sh.lastStart().orElseThrow().at()),
                        sh.lastStart().get().at(),
                        context.clock().monotonicNanos());
                tookEffect.add(s);
            } else {
                rerun.add(s.id());
            }
        }
        return rerun;
    }

    /**
     * The deadline of a check of an in-doubt step: the plan's, but at least {@link #CHECK_BUDGET}
     * from now, so that a run resumed after its RTO ran out can still read whether its step took
     * effect (its calls carry this deadline, and a deadline-aware client sends nothing past it).
     */
    private long checkDeadline() {
        return Math.max(
                context.planDeadlineNanos(),
                RunContext.saturatedAdd(context.clock().monotonicNanos(), CHECK_BUDGET));
    }

    /** The in-doubt steps whose own check said they took effect: they count as succeeded. */
    List<StepState> tookEffect() {
        return List.copyOf(tookEffect);
    }

    /** The sequence number the resumed run's next record carries. */
    long nextSequence() {
        return history.nextSequence();
    }

    /** The RUN_RESUMED record's data: the original start data, when it resumed and how long it was dead. */
    Map<String, String> resumedRecord(Instant now) {
        return RunRecords.resumed(
                history.startData(),
                now,
                Duration.between(history.lastRecordAt().orElse(context.startedAt()), now));
    }

    /** The report's note on the resumption. */
    String note(Instant now) {
        return "resumed from the journal at " + now + "; steps "
                + history.endedSteps().stream().map(StepHistory::stepId).toList()
                + " had ended and were not run again";
    }

    private StepState stateOf(StepHistory sh) {
        StepState s = context.states().get(sh.stepId());
        if (s == null) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "run '" + context.runId() + "' cannot resume with plan '"
                            + context.plan().name() + "': its journal has step '" + sh.stepId()
                            + "', which the plan does not");
        }
        return s;
    }

    private long nanosAt(Instant at) {
        return context.startNanos() + Duration.between(context.startedAt(), at).toNanos();
    }

    private String humanNeeded(StepHistory sh, RollbackStep step) {
        return "run '" + context.runId() + "' of plan '" + context.plan().name() + "' needs a human decision: step '"
                + sh.stepId() + "' started at "
                + sh.lastStart().map(JournalRecord::at).map(Object::toString).orElse("?")
                + " and has no end record; it is " + (step.destructive() ? "destructive" : "not idempotent");
    }
}
