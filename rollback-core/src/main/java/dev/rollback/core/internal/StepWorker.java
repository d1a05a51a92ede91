package dev.rollback.core.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.PlannedStep;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.StepReconciled;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.StepOutcome;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Runs one step on a pool thread: computes its deadline, journals each attempt before its effect,
 * runs preflight, the action and the step's verifiers, and retries transient failures with
 * backoff that never crosses the deadline. Reports how it ended to the coordinator.
 */
final class StepWorker implements Runnable {
    private final RunContext ctx;
    private final StepState state;
    private final StepJournal journal;
    private final EventDispatcher events;
    private final Consumer<Completion> done;

    /**
     * A worker for one step: it reads the run's shared context, writes through {@code journal}, emits
     * to {@code events} and hands its {@link Completion} to {@code done}; it changes nothing else of
     * the run.
     */
    StepWorker(
            RunContext ctx, StepState state, StepJournal journal, EventDispatcher events, Consumer<Completion> done) {
        this.ctx = ctx;
        this.state = state;
        this.journal = journal;
        this.events = events;
        this.done = done;
    }

    @Override
    public void run() {
        Completion c;
        try {
            c = execute();
        } catch (JournalWriteException e) {
            c = new Completion(
                    state,
                    StepStatus.FAILED,
                    (journal.lockLost()
                                    ? "it did not start: "
                                    : "journal could not record the step's start, so it did not run: ")
                            + Redaction.describe(e.getCause()),
                    true);
        } catch (Throwable t) {
            // Anything escaping execute() is a bug in the executor itself; never lose the step.
            c = Completion.of(state, StepStatus.FAILED, "executor error: " + Redaction.describe(t));
        }
        done.accept(c);
    }

    private Completion execute() {
        PlannedStep planned = state.planned;
        RollbackStep step = planned.step();
        long now = ctx.clock().monotonicNanos();
        long deadline = Math.min(ctx.planDeadlineNanos(), ctx.componentDeadlineNanos(step.component()));
        if (planned.timeout().isPresent()) {
            deadline = Math.min(
                    deadline, RunContext.saturatedAdd(now, planned.timeout().get()));
        }
        if (deadline <= now) {
            return Completion.of(
                    state,
                    StepStatus.SKIPPED,
                    "the RTO budget of component '" + step.component() + "' ran out before the step could start");
        }
        state.markStarted(now, ctx.instantOf(now), deadline);
        RetryBackoff backoff = null; // built on the first failure: most steps never need it

        for (int attempt = 1; ; attempt++) {
            long attemptStart = ctx.clock().monotonicNanos();
            if (ctx.aborted().getAsBoolean() || Thread.currentThread().isInterrupted()) {
                return Completion.interrupted(state);
            }
            if (attemptStart >= deadline) {
                return Completion.interrupted(state);
            }
            // the attempt's run, step and attempt are in the MDC until it ends, for the step's own logs
            try (StepMdc mdc = StepMdc.enter(ctx.runId(), step.id(), attempt)) {
                Instant at = ctx.instantOf(attemptStart);
                AttemptStart started = new AttemptStart(attempt, at, attemptStart);
                journal.attemptStarting(step, attempt, ctx.instantOf(deadline));
                CrashPoints.reach("step.after-start-record");
                state.attemptStarted(attempt, attemptStart, at);
                events.emit(new StepStarted(
                        ctx.runId(), at, step.id(), step.component(), attempt, ctx.instantOf(deadline)));
                AttemptContext actx =
                        new AttemptContext(ctx, events, state, step.id(), step.component(), attempt, deadline);
                Optional<Verification> failed = Optional.empty();
                Throwable thrown = null;
                state.runnerEntered(Thread.currentThread(), attemptStart);
                try {
                    if (attempt == 1) {
                        step.preflight(actx);
                    }
                    step.execute(actx);
                    CrashPoints.reach("step.after-effect");
                    failed = verify(actx, planned);
                } catch (Throwable t) {
                    thrown = t;
                }
                // a stall declared after the attempt finished cleanly changes nothing: its work is done
                boolean stalled = state.runnerLeft(attempt) && (thrown != null || failed.isPresent());
                actx.close();
                long end = ctx.clock().monotonicNanos();
                if (thrown == null && !stalled) {
                    if (failed.isPresent()) {
                        String why = failedVerification(failed.get());
                        state.attemptEnded(started.ended(end, StepOutcome.FAILED, Optional.of(why)));
                        return Completion.of(state, StepStatus.FAILED, why);
                    }
                    state.attemptEnded(started.ended(end, StepOutcome.SUCCEEDED, Optional.empty()));
                    return Completion.of(state, StepStatus.SUCCEEDED, "");
                }
                if (ctx.aborted().getAsBoolean() || end >= deadline || !stalled && isInterruption(thrown)) {
                    return Completion.interrupted(state);
                }
                if (!stalled && needsHuman(thrown)) {
                    String why = Redaction.describe(thrown);
                    state.attemptEnded(started.ended(end, StepOutcome.HUMAN_DECISION_REQUIRED, Optional.of(why)));
                    return Completion.of(state, StepStatus.HUMAN_DECISION_REQUIRED, why);
                }
                Optional<IndeterminateOutcomeException> indeterminate =
                        stalled ? Optional.empty() : IndeterminateOutcomeException.in(thrown);
                if (backoff == null) {
                    backoff = new RetryBackoff(planned.retry().orElse(ctx.plan().defaultRetry()), step::isTransient);
                }
                Throwable cause = stalled ? new StepInterruptedException(stallReason(planned)) : thrown;
                String failure;
                boolean retries;
                if (indeterminate.isPresent()) {
                    Settled settled = settle(step, planned, actx, started, indeterminate.get());
                    if (settled.completion() != null) {
                        return settled.completion();
                    }
                    failure = settled.failure();
                    retries = attempt < backoff.maxAttempts();
                } else {
                    failure = stalled ? cause.getMessage() : Redaction.describe(thrown);
                    state.attemptEnded(started.ended(end, StepOutcome.FAILED, Optional.of(failure)));
                    if (stalled && !step.idempotent()) {
                        return Completion.of(
                                state,
                                StepStatus.FAILED,
                                failure + "; not retried: the step is not idempotent,"
                                        + " so its effect may have happened");
                    }
                    retries = stalled ? attempt < backoff.maxAttempts() : backoff.retries(attempt, thrown);
                }
                if (!retries) {
                    String suffix = thrown instanceof Error
                            ? " (an Error: never retried)"
                            : attempt > 1 ? " (after " + attempt + " attempts)" : "";
                    return Completion.of(state, StepStatus.FAILED, failure + suffix);
                }
                long retryAt = ctx.clock().monotonicNanos();
                Duration wait = backoff.waitAfter(attempt, cause);
                long left = deadline - retryAt;
                if (wait.toNanos() >= left) {
                    return Completion.of(
                            state,
                            StepStatus.FAILED,
                            failure + " (attempt " + attempt + " of "
                                    + backoff.maxAttempts() + "; the next attempt would start " + wait
                                    + " later, past the deadline "
                                    + Duration.ofNanos(Math.max(0, left)) + " away, so retries stopped)");
                }
                events.emit(new StepRetrying(ctx.runId(), ctx.instantOf(retryAt), step.id(), attempt, wait, failure));
                try {
                    ctx.clock().sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Completion.interrupted(state);
                }
            }
        }
    }

    /**
     * How an attempt whose call had an indeterminate outcome was settled: either the step's end
     * ({@code completion}), or a repeat is allowed and {@code failure} says why the attempt failed.
     */
    private record Settled(Completion completion, String failure) {}

    /**
     * Settles an indeterminate outcome by the step's own reading of state ({@link Reconciliation},
     * the rule resume uses too), journals and announces the verdict, and acts on it: took effect,
     * the step's verifiers run and it succeeds; cannot tell, it ends for a human; otherwise the
     * attempt failed and the caller may repeat it.
     */
    private Settled settle(
            RollbackStep step,
            PlannedStep planned,
            AttemptContext actx,
            AttemptStart started,
            IndeterminateOutcomeException indeterminate) {
        int attempt = started.number();
        String what = indeterminate.getMessage() == null
                ? Redaction.describe(indeterminate)
                : Redaction.redact(indeterminate.getMessage());
        Reconciliation verdict;
        try {
            verdict = Reconciliation.settle(step, actx);
        } catch (InterruptedException e) {
            return new Settled(Completion.interrupted(state), null);
        }
        if (ctx.aborted().getAsBoolean() || Thread.currentThread().isInterrupted()) {
            return new Settled(Completion.interrupted(state), null);
        }
        String account = "outcome indeterminate: " + what + "; reconciled by reading state: " + verdict.explanation();
        try {
            journal.reconciled(step.id(), attempt, verdict, what);
        } catch (JournalWriteException e) {
            long now = ctx.clock().monotonicNanos();
            state.attemptEnded(started.ended(now, StepOutcome.HUMAN_DECISION_REQUIRED, Optional.of(account)));
            return new Settled(
                    new Completion(
                            state,
                            StepStatus.HUMAN_DECISION_REQUIRED,
                            account + "; the journal refused to record that verdict ("
                                    + Redaction.describe(e.getCause()) + "), so the step stops here",
                            true),
                    null);
        }
        long now = ctx.clock().monotonicNanos();
        events.emit(new StepReconciled(
                ctx.runId(), ctx.instantOf(now), step.id(), attempt, verdict.verdict(), what, verdict.explanation()));
        switch (verdict.verdict()) {
            case TOOK_EFFECT -> {
                Optional<Verification> failed;
                try {
                    failed = verify(actx, planned);
                } catch (InterruptedException e) {
                    return new Settled(Completion.interrupted(state), null);
                }
                long end = ctx.clock().monotonicNanos();
                if (failed.isPresent()) {
                    String why = account + "; then " + failedVerification(failed.get());
                    state.attemptEnded(started.ended(end, StepOutcome.FAILED, Optional.of(why)));
                    return new Settled(Completion.of(state, StepStatus.FAILED, why), null);
                }
                state.attemptEnded(started.ended(end, StepOutcome.SUCCEEDED, Optional.of(account)));
                return new Settled(Completion.of(state, StepStatus.SUCCEEDED, ""), null);
            }
            case CANNOT_TELL -> {
                String why = "step '" + step.id() + "' of plan '" + ctx.plan().name()
                        + "' needs a human decision: " + account + "; it was not tried again, so look at component '"
                        + step.component() + "' before anything acts on it again";
                state.attemptEnded(started.ended(now, StepOutcome.HUMAN_DECISION_REQUIRED, Optional.of(account)));
                return new Settled(Completion.of(state, StepStatus.HUMAN_DECISION_REQUIRED, why), null);
            }
            default -> {
                state.attemptEnded(started.ended(now, StepOutcome.FAILED, Optional.of(account)));
                return new Settled(null, account);
            }
        }
    }

    /** One attempt's start, so that every way an attempt ends is recorded alike. */
    private record AttemptStart(int number, Instant at, long nanos) {
        Attempt ended(long endNanos, StepOutcome outcome, Optional<String> detail) {
            return new Attempt(number, at, Duration.ofNanos(endNanos - nanos), outcome, detail);
        }
    }

    private static String failedVerification(Verification failed) {
        return "verification '" + failed.name() + "' failed: expected " + failed.checked() + ", observed "
                + failed.observed();
    }

    /** Whether the step said itself that a human must decide (never retried). */
    private static boolean needsHuman(Throwable thrown) {
        for (Throwable c = thrown; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof RollbackException r) {
                return r.code() == ErrorCode.HUMAN_DECISION_REQUIRED;
            }
        }
        return false;
    }

    /** Why a stalled attempt failed: the stall timeout and the last progress it reported. */
    private String stallReason(PlannedStep planned) {
        return "stalled: reported no progress for its stall timeout of "
                + planned.stallTimeout().orElseThrow()
                + state.lastProgress().map(p -> " (last progress: '" + p + "')").orElse(" (no progress reported)")
                + " and was interrupted";
    }

    /** Runs the step's verifiers in order; returns the first that failed, after recording all that ran. */
    private Optional<Verification> verify(AttemptContext actx, PlannedStep planned) throws InterruptedException {
        for (Verifier verifier : planned.verifiers()) {
            Verification v = runVerifier(verifier, actx);
            state.addVerification(v);
            Instant at = actx.clock().instant();
            if (v.passed()) {
                events.emit(new VerificationPassed(actx.runId(), at, planned.id(), v));
            } else {
                events.emit(new VerificationFailed(actx.runId(), at, planned.id(), v));
                journal.verified(planned.id(), v);
                return Optional.of(v);
            }
            journal.verified(planned.id(), v);
        }
        return Optional.empty();
    }

    /**
     * Runs one verifier; a verifier that throws (other than by interruption) fails its check with
     * the error as evidence.
     */
    static Verification runVerifier(Verifier verifier, StepContext context) throws InterruptedException {
        try {
            Verification v = verifier.verify(context);
            if (v == null) {
                return Verification.failed(verifier.name(), "the verifier returns a result", "it returned null");
            }
            return new Verification(
                    v.name(),
                    v.passed(),
                    Redaction.redact(v.checked()),
                    Redaction.redact(v.observed()),
                    redactValues(v.details()));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            if (isInterruption(e)) {
                throw new InterruptedException("verifier '" + verifier.name() + "' interrupted");
            }
            return Verification.failed(verifier.name(), "the verifier runs", "it threw " + Redaction.describe(e));
        }
    }

    private static Map<String, String> redactValues(Map<String, String> details) {
        Map<String, String> out = new LinkedHashMap<>();
        details.forEach((k, val) -> out.put(k, Redaction.redact(val)));
        return out;
    }

    static boolean isInterruption(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof InterruptedException
                    || c instanceof StepInterruptedException
                    || c instanceof ClosedByInterruptException
                    || c instanceof InterruptedIOException && !(c instanceof SocketTimeoutException)) {
                return true;
            }
            if (c instanceof RollbackException r && r.code() == ErrorCode.STEP_INTERRUPTED) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }
}
