package dev.rollback.core.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.PlannedStep;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RunAborted;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.report.Abort;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.RunHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a plan. A single coordinator thread owns the schedule: it starts every step whose
 * dependencies succeeded (at most {@code parallelism} at once), receives each step's end from
 * the pool, interrupts steps at their deadline, on abort or when they stall, skips the dependents of a failed
 * step, runs the plan's verifiers, and assembles the report. Workers never change a step's final
 * status; only the coordinator does, so a late result from an interrupted step is ignored.
 */
public final class RunExecution implements RollbackRun {
    private static final Logger LOG = LoggerFactory.getLogger(RunExecution.class);
    /** How often the coordinator re-reads the clock while steps run (a test clock moves without notice). */
    private static final long DEADLINE_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** What the lease watchdog tells the coordinator when the run lock was found lost. */
    private static final Object LEASE_LOST = new Object();

    private final RunContext context;
    private final RunRequest request;
    private final Authorization authorization;
    private final ExecutorService pool;
    private final int parallelism;
    private final EventDispatcher events;
    private final RunJournal journal;
    private final Runnable onFinish;
    private final Map<String, StepState> states;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicReference<Abort> abortRequest = new AtomicReference<>();
    private final CompletableFuture<RollbackReport> result = new CompletableFuture<>();
    private final Set<String> exhaustedBudgets = new HashSet<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final Optional<Resumption> resumption;
    private final Optional<RunLease> lease;
    private final Duration leaseCheck;

    private final Set<StepState> runningSteps = new LinkedHashSet<>();
    private final Map<String, Integer> unfinishedByComponent = new LinkedHashMap<>();
    private int running;
    private int unfinished;
    private String stopReason;
    private Abort abort;

    /** Prepares a run; nothing happens until {@link #start(ThreadFactoryLike)}. */
    public RunExecution(
            String runId,
            RollbackPlan plan,
            RunRequest request,
            Authorization authorization,
            RollbackClock clock,
            ExecutorService pool,
            int parallelism,
            EventDispatcher events,
            Journal journal,
            Optional<RunLease> lease,
            Duration leaseCheck,
            Runnable onFinish) {
        this(
                runId,
                plan,
                request,
                authorization,
                clock,
                pool,
                parallelism,
                events,
                journal,
                lease,
                leaseCheck,
                onFinish,
                Optional.empty());
    }

    /**
     * Prepares the continuation of a run that died: steps the journal shows ended keep their
     * outcome and never run again; the RTO clock starts when the run first started, so it counts
     * the time the run was dead; the journal's sequence continues.
     */
    public RunExecution(
            String runId,
            RollbackPlan plan,
            RunRequest request,
            Authorization authorization,
            RollbackClock clock,
            ExecutorService pool,
            int parallelism,
            EventDispatcher events,
            Journal journal,
            Optional<RunLease> lease,
            Duration leaseCheck,
            Runnable onFinish,
            Optional<RunHistory> history) {
        Map<String, StepState> byId = new LinkedHashMap<>();
        for (PlannedStep s : plan.steps()) {
            byId.put(s.id(), new StepState(s));
        }
        for (StepState s : byId.values()) {
            for (String dep : s.planned.dependsOn()) {
                byId.get(dep).dependents.add(s);
            }
        }
        this.states = byId;
        long nowNanos = clock.monotonicNanos();
        Instant now = clock.instant();
        Instant startedAt = history.flatMap(RunHistory::startedAt).orElse(now);
        // A resumed run's budget counts from its first start: the time it was dead is spent.
        long startNanos =
                nowNanos - Math.max(0, Duration.between(startedAt, now).toNanos());
        this.context = new RunContext(
                runId,
                plan,
                request.initiator(),
                clock,
                startNanos,
                startedAt,
                lease.map(RunLease::fencingToken).orElse(0L),
                false,
                byId,
                () -> abortRequest.get() != null);
        this.resumption = history.map(h -> Resumption.restore(context, h));
        this.journal = new RunJournal(
                context,
                journal,
                lease,
                resumption.map(Resumption::nextSequence).orElse(0L));
        this.lease = lease;
        this.leaseCheck = leaseCheck;
        this.request = request;
        this.authorization = authorization;
        this.pool = pool;
        this.parallelism = parallelism;
        this.events = events;
        this.onFinish = onFinish;
        for (StepState st : byId.values()) {
            if (!st.status.isFinal()) {
                unfinished++;
                unfinishedByComponent.merge(st.planned.component(), 1, Integer::sum);
            }
        }
    }

    /**
     * Reads run {@code runId} from {@code journal} and checks that it can be resumed with {@code plan}:
     * the journal knows it, it is a run of that plan, and it neither finished nor was aborted.
     *
     * @throws RollbackException when it cannot, naming why
     */
    public static RunHistory resumableHistory(Journal journal, RollbackPlan plan, String runId) {
        return Resumption.load(journal, plan, runId);
    }

    /**
     * Decides, before anything runs, what to do with each step of a resumed run that started and
     * has no end record: run it again only if it is not destructive and idempotent, or if its own
     * check says it did not take effect; accept it as done if its check says it did; otherwise refuse
     * to resume and say which step needs a human. Returns the in-doubt steps that will run again.
     *
     * @throws RollbackException with {@code HUMAN_DECISION_REQUIRED} when a step cannot be settled
     */
    public List<String> settleInDoubtSteps() {
        return resumption.map(Resumption::settleInDoubtSteps).orElse(List.of());
    }

    /** Creates the coordinator thread. */
    @FunctionalInterface
    public interface ThreadFactoryLike {
        /** Starts {@code body} on a new thread named {@code name}. */
        void start(String name, Runnable body);
    }

    /** Journals the start (write-ahead) and starts the coordinator. */
    public void start(ThreadFactoryLike threads) {
        Instant now = context.clock().instant();
        try {
            if (resumption.isPresent()) {
                notes.add(resumption.get().note(now));
                journal.append(
                        JournalRecord.Type.RUN_RESUMED,
                        Optional.empty(),
                        resumption.get().resumedRecord(now));
            } else {
                journal.append(
                        JournalRecord.Type.RUN_STARTED,
                        Optional.empty(),
                        RunRecords.runStarted(context.plan(), request, authorization));
            }
        } catch (JournalWriteException e) {
            throw new RollbackException(
                    ErrorCode.JOURNAL_FAILURE,
                    "plan '" + context.plan().name() + "' did not start: the journal refused its first record: "
                            + Redaction.describe(e.getCause()),
                    e.getCause());
        }
        threads.start("rollback-run-" + context.runId(), this::coordinate);
        lease.ifPresent(l -> threads.start("rollback-lease-watchdog-" + context.runId(), () -> watch(l)));
    }

    /**
     * The lease watchdog: asks the lease every {@code leaseCheck} whether it is still held, on its own
     * thread (a lease may ask its store, which may be slow), until the run is done. On a loss it stops
     * the run's journal at once (no record from any thread after that) and tells the coordinator,
     * which interrupts the running steps: a node that lost its lock stops its effects within
     * {@code leaseCheck} plus the time the lease takes to answer, and the next holder resumes the run.
     */
    private void watch(RunLease l) {
        while (!result.isDone()) {
            LockSupport.parkNanos(leaseCheck.toNanos());
            if (result.isDone()) {
                return;
            }
            boolean held;
            try {
                held = l.isHeld();
            } catch (RuntimeException e) {
                held = false; // a lease that cannot tell counts as lost
            }
            if (!held) {
                journal.leaseLost();
                inbox.add(LEASE_LOST);
                return;
            }
        }
    }

    /** What every step of this run shares (ids, clock, fencing token). */
    public RunContext context() {
        return context;
    }

    /** Records that another request joined this run instead of starting a second one. */
    public void recordJoin(RunRequest joiner) {
        journal.appendOrWarn(JournalRecord.Type.DECISION, Optional.empty(), RunRecords.joined(joiner), "a join record");
        notes.add("joined by " + joiner.initiator().kind() + ":"
                + joiner.initiator().principal()
                + joiner.initiator()
                        .decision()
                        .map(d -> " (" + d.description() + ")")
                        .orElse(""));
    }

    // ---- RollbackRun ----

    @Override
    public String runId() {
        return context.runId();
    }

    @Override
    public String planName() {
        return context.plan().name();
    }

    @Override
    public boolean joined() {
        return false;
    }

    @Override
    public void abort(String reason, String who) {
        Abort a = new Abort(
                Redaction.redact(who), Redaction.redact(reason), context.clock().instant());
        if (abortRequest.compareAndSet(null, a)) {
            inbox.add(a);
        }
    }

    @Override
    public boolean isDone() {
        return result.isDone();
    }

    @Override
    public RollbackReport await() throws InterruptedException {
        try {
            return result.get();
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    @Override
    public Optional<RollbackReport> await(Duration timeout) throws InterruptedException {
        try {
            return Optional.of(result.get(timeout.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (ExecutionException e) {
            throw rethrow(e);
        }
    }

    @Override
    public Map<String, Duration> budgetLeft() {
        if (isDone()) {
            return Map.of();
        }
        long now = context.clock().monotonicNanos();
        Map<String, Duration> left = new LinkedHashMap<>();
        left.put("plan", Duration.ofNanos(context.planDeadlineNanos() - now));
        for (String component : context.plan().componentNames()) {
            left.put(component, Duration.ofNanos(context.componentDeadlineNanos(component) - now));
        }
        return left;
    }

    private static RuntimeException rethrow(ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException r) {
            return r;
        }
        if (c instanceof Error err) {
            throw err;
        }
        return new IllegalStateException(c);
    }

    // ---- the coordinator ----

    private void coordinate() {
        try {
            events.emit(new RunStarted(
                    context.runId(),
                    context.startedAt(),
                    context.plan().name(),
                    request.initiator(),
                    false,
                    RunRecords.budgets(context.plan())));
            for (StepState s : resumption.map(Resumption::tookEffect).orElse(List.of())) {
                finalize(s, StepStatus.SUCCEEDED, "", context.clock().monotonicNanos());
                s.dependents.forEach(d -> d.unfinishedDependencies--);
                notes.add("step '" + s.id() + "' was in doubt after the crash; its own check says it took effect,"
                        + " so it was not run again");
            }
            Deque<StepState> ready = new ArrayDeque<>();
            for (StepState s : List.copyOf(states.values())) {
                if (s.status.isFinal() && s.status != StepStatus.SUCCEEDED) {
                    for (StepState d : s.dependents) {
                        skip(d, "depends on '" + s.id() + "', which " + describe(s.status));
                    }
                }
            }
            states.values().stream()
                    .filter(s -> s.status == StepStatus.PENDING && s.unfinishedDependencies == 0)
                    .forEach(ready::add);
            while (unfinished > 0) {
                while (stopReason == null && running < parallelism && !ready.isEmpty()) {
                    startStep(ready.poll());
                }
                Object message = running == 0 ? inbox.poll() : inbox.poll(DEADLINE_POLL_NANOS, TimeUnit.NANOSECONDS);
                while (message != null) {
                    handle(message, ready);
                    message = inbox.poll();
                }
                enforceDeadlines();
                if (stopReason != null) {
                    ready.forEach(s -> skip(s, stopReason));
                    ready.clear();
                    states.values().stream()
                            .filter(s -> s.status == StepStatus.PENDING)
                            .forEach(s -> skip(s, stopReason));
                }
                if (running == 0 && ready.isEmpty() && unfinished > 0 && stopReason == null) {
                    // Every remaining step waits on one that will never succeed; skipping is done on
                    // failure, so reaching here means a bookkeeping bug: fail loudly, not silently hang.
                    throw new IllegalStateException("no step can start but " + unfinished + " are unfinished");
                }
            }
            List<Verification> planVerifications = abort == null && !journal.lockLost() ? verifyPlan() : List.of();
            finish(planVerifications);
        } catch (Throwable t) {
            LOG.error(
                    "run {} of plan '{}' failed in the executor",
                    context.runId(),
                    context.plan().name(),
                    t);
            states.values().stream().filter(s -> s.future != null).forEach(s -> s.future.cancel(true));
            releaseLease();
            onFinish.run();
            result.completeExceptionally(t);
        }
    }

    private void startStep(StepState s) {
        s.status = StepStatus.RUNNING;
        running++;
        runningSteps.add(s);
        s.future = pool.submit(new StepWorker(context, s, journal, events, inbox::add));
    }

    private void handle(Object message, Deque<StepState> ready) {
        if (message instanceof Abort a) {
            onAbort(a);
            return;
        }
        if (message == LEASE_LOST) {
            onLeaseLost();
            return;
        }
        Completion c = (Completion) message;
        StepState s = c.state();
        if (s.status != StepStatus.RUNNING) {
            return; // already timed out or aborted: a late result is ignored
        }
        running--;
        if (c.wasInterrupted()) {
            long now = context.clock().monotonicNanos();
            if (abort != null) {
                finalize(s, StepStatus.ABORTED, "aborted by " + abort.who() + ": " + abort.reason(), now);
            } else if (s.started() && now >= s.deadlineNanos()) {
                timeOut(s, now);
            } else {
                finalize(s, StepStatus.FAILED, "the step was interrupted", now);
            }
        } else {
            finalize(s, c.status(), c.reason(), context.clock().monotonicNanos());
            if (c.journalFailure() && stopReason == null) {
                stopReason = journal.stopReason();
            }
        }
        if (s.status == StepStatus.SUCCEEDED) {
            for (StepState d : s.dependents) {
                if (--d.unfinishedDependencies == 0 && d.status == StepStatus.PENDING) {
                    ready.add(d);
                }
            }
        }
    }

    private void onAbort(Abort a) {
        if (abort != null) {
            return;
        }
        abort = a;
        stopReason = "run aborted by " + a.who() + ": " + a.reason();
        journal.appendOrWarn(
                JournalRecord.Type.RUN_ABORTED, Optional.empty(), RunRecords.aborted(a), "the abort record");
        events.emit(new RunAborted(context.runId(), a.at(), a.who(), a.reason()));
        long now = context.clock().monotonicNanos();
        for (StepState s : List.copyOf(runningSteps)) {
            s.future.cancel(true);
            running--;
            finalize(s, StepStatus.ABORTED, stopReason, now);
        }
    }

    /**
     * The run lock was lost while steps ran: no further step starts, and each running step is
     * interrupted now; the journal already refuses every record, so nothing of this ends the run in
     * the journal, and the next holder resumes it (the interrupted steps are in doubt there).
     */
    private void onLeaseLost() {
        if (stopReason == null) {
            stopReason = journal.stopReason();
        }
        long now = context.clock().monotonicNanos();
        for (StepState s : List.copyOf(runningSteps)) {
            s.future.cancel(true);
            running--;
            finalize(
                    s,
                    StepStatus.FAILED,
                    "interrupted: the run lost its run lock while the step ran, so this node journals nothing more"
                            + " and the next holder of the lock resumes the run",
                    now);
        }
    }

    private void enforceDeadlines() {
        long now = context.clock().monotonicNanos();
        // Budgets first, so that a step cut off by its component's budget is reported with it.
        if (now >= context.planDeadlineNanos() && unfinished > 0) {
            budgetExceeded("plan", context.plan().objectives().rto(), now);
        }
        for (Map.Entry<String, Integer> c : unfinishedByComponent.entrySet()) {
            if (c.getValue() > 0 && now >= context.componentDeadlineNanos(c.getKey())) {
                budgetExceeded(
                        c.getKey(), context.plan().objectivesOf(c.getKey()).rto(), now);
            }
        }
        for (StepState s : List.copyOf(runningSteps)) {
            if (s.started() && now >= s.deadlineNanos()) {
                s.future.cancel(true);
                running--;
                timeOut(s, now);
            } else if (s.planned.stallTimeout().isPresent()) {
                s.interruptIfStalled(
                        now,
                        s.planned.stallTimeout().get().toNanos(),
                        stall -> events.emit(new StepStalled(
                                context.runId(),
                                context.instantOf(now),
                                s.id(),
                                stall.attempt(),
                                stall.silentFor(),
                                stall.lastProgress())));
            }
        }
    }

    private void budgetExceeded(String component, Duration budget, long now) {
        if (exhaustedBudgets.add(component)) {
            events.emit(new BudgetExceeded(context.runId(), context.instantOf(now), component, budget));
        }
    }

    private void timeOut(StepState s, long now) {
        Duration budget = Duration.ofNanos(s.deadlineNanos() - s.startNanos());
        String why = "passed its deadline " + context.instantOf(s.deadlineNanos()) + " (a budget of " + budget
                + ") and was interrupted";
        finalize(s, StepStatus.TIMED_OUT, why, now);
        if (context.plan().failFast() && stopReason == null) {
            stopReason = "fail-fast: step '" + s.id() + "' timed out";
        }
    }

    private void finalize(StepState s, StepStatus status, String reason, long now) {
        runningSteps.remove(s);
        unfinishedByComponent.merge(s.planned.component(), -1, Integer::sum);
        s.status = status;
        s.reason = reason;
        s.finishNanos = now;
        unfinished--;
        Instant at = context.instantOf(now);
        StepOutcome attemptOutcome = switch (status) {
            case TIMED_OUT -> StepOutcome.TIMED_OUT;
            case ABORTED -> StepOutcome.ABORTED;
            case HUMAN_DECISION_REQUIRED -> StepOutcome.HUMAN_DECISION_REQUIRED;
            default -> StepOutcome.FAILED;
        };
        s.finalAttempts = s.closeAttempts(now, attemptOutcome, reason);
        switch (status) {
            case SUCCEEDED ->
                events.emit(new StepSucceeded(
                        context.runId(), at, s.id(), s.finalAttempts.size(), Duration.ofNanos(now - s.startNanos())));
            case TIMED_OUT ->
                events.emit(new StepTimedOut(
                        context.runId(), at, s.id(), Duration.ofNanos(s.deadlineNanos() - s.startNanos())));
            case SKIPPED -> events.emit(new StepSkipped(context.runId(), at, s.id(), reason));
            default -> events.emit(new StepFailed(context.runId(), at, s.id(), s.finalAttempts.size(), reason));
        }
        boolean journaled = journal.appendOrWarn(
                status == StepStatus.SKIPPED ? JournalRecord.Type.STEP_SKIPPED : JournalRecord.Type.STEP_FINISHED,
                Optional.of(s.id()),
                RunRecords.stepEnded(status, s.finalAttempts.size(), reason, s.evidence()),
                "the end record of step '" + s.id() + "'");
        if (!journaled && stopReason == null) {
            stopReason = journal.stopReason();
        }
        if ((status == StepStatus.FAILED || status == StepStatus.HUMAN_DECISION_REQUIRED)
                && context.plan().failFast()
                && stopReason == null) {
            stopReason = "fail-fast: step '" + s.id() + "' " + describe(status);
        }
        if (status != StepStatus.SUCCEEDED) {
            for (StepState d : s.dependents) {
                if (d.status == StepStatus.PENDING) {
                    skip(d, "depends on '" + s.id() + "', which " + describe(status));
                }
            }
        }
    }

    private static String describe(StepStatus status) {
        return switch (status) {
            case FAILED -> "failed";
            case TIMED_OUT -> "timed out";
            case SKIPPED -> "was skipped";
            case ABORTED -> "was aborted";
            case HUMAN_DECISION_REQUIRED -> "needs a human decision";
            default -> status.name().toLowerCase(Locale.ROOT);
        };
    }

    private void skip(StepState s, String reason) {
        if (s.status == StepStatus.PENDING) {
            finalize(s, StepStatus.SKIPPED, reason, context.clock().monotonicNanos());
        }
    }

    private List<Verification> verifyPlan() throws InterruptedException {
        List<Verification> out = new ArrayList<>();
        for (Verifier verifier : context.plan().verifiers()) {
            long deadline = context.planDeadlineNanos();
            AttemptContext actx = new AttemptContext(context, events, null, "plan", "plan", 1, deadline);
            Future<Verification> f = pool.submit(() -> {
                try (StepMdc mdc = StepMdc.enter(context.runId(), "plan", 1)) {
                    return StepWorker.runVerifier(verifier, actx);
                }
            });
            Verification v = awaitVerification(verifier, f, deadline);
            out.add(v);
            Instant at = context.clock().instant();
            events.emit(
                    v.passed()
                            ? new VerificationPassed(context.runId(), at, "plan", v)
                            : new VerificationFailed(context.runId(), at, "plan", v));
            journal.appendOrWarn(
                    JournalRecord.Type.VERIFICATION,
                    Optional.empty(),
                    RunRecords.verification(v),
                    "a verification record");
        }
        return out;
    }

    private Verification awaitVerification(Verifier verifier, Future<Verification> f, long deadline)
            throws InterruptedException {
        while (true) {
            try {
                return f.get(DEADLINE_POLL_NANOS, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (context.clock().monotonicNanos() >= deadline) {
                    f.cancel(true);
                    return Verification.failed(
                            verifier.name(),
                            "the verifier finishes within the plan's RTO",
                            "it was still running at the plan's deadline " + context.instantOf(deadline));
                }
            } catch (ExecutionException e) {
                return Verification.failed(
                        verifier.name(), "the verifier runs", "it threw " + Redaction.describe(e.getCause()));
            }
        }
    }

    private void finish(List<Verification> planVerifications) {
        long end = context.clock().monotonicNanos();
        RollbackReport report = ReportAssembler.assemble(
                context,
                request.initiator(),
                authorization,
                states.values(),
                planVerifications,
                Optional.ofNullable(abort),
                end,
                notes);
        try {
            journal.append(JournalRecord.Type.RUN_FINISHED, Optional.empty(), RunRecords.runFinished(report));
            Optional<String> chain = journal.chainVerification();
            if (chain.isPresent()) {
                report = report.withNote(chain.get());
            }
        } catch (JournalWriteException e) {
            report = report.withNote(
                    "the journal could not record the end of the run: " + Redaction.describe(e.getCause()));
        }
        CrashPoints.reach("run.before-finish-event");
        events.emit(new RunFinished(context.runId(), report.finishedAt(), report.outcome(), report.duration()));
        releaseLease();
        onFinish.run();
        result.complete(report);
    }

    /** Releases the run lock, if one is held; safe to call more than once. */
    public void releaseLease() {
        journal.releaseLease();
    }
}
