package dev.rollback.core.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.PlannedStep;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackEvent;
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
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.RunHistory;
import dev.rollback.core.journal.StepHistory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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

    private final RunContext context;
    private final RunRequest request;
    private final Authorization authorization;
    private final ExecutorService pool;
    private final int parallelism;
    private final EventDispatcher events;
    private final Journal journal;
    private final Optional<RunLease> lease;
    private final Runnable onFinish;
    private final Map<String, StepState> states;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private final AtomicReference<Abort> abortRequest = new AtomicReference<>();
    private final AtomicLong sequence = new AtomicLong();
    private final CompletableFuture<RollbackReport> result = new CompletableFuture<>();
    private final Set<String> exhaustedBudgets = new HashSet<>();
    private final List<String> notes = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<StepState> doneBeforeCrash = new ArrayList<>();
    private final Optional<RunHistory> history;

    private final java.util.Set<StepState> runningSteps = new java.util.LinkedHashSet<>();
    private final Map<String, Integer> unfinishedByComponent = new LinkedHashMap<>();
    private int running;
    private int unfinished;
    private String stopReason;
    private Abort abort;
    /** Set when the run lock was found lost; from then on the run starts and journals nothing. */
    private volatile RollbackException lockLost;

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
        this.history = history;
        history.ifPresent(h -> sequence.set(h.nextSequence()));
        this.request = request;
        this.authorization = authorization;
        this.pool = pool;
        this.parallelism = parallelism;
        this.events = events;
        this.journal = journal;
        this.lease = lease;
        this.onFinish = onFinish;
        this.unfinished = byId.size();
        byId.values().forEach(st -> unfinishedByComponent.merge(st.planned.component(), 1, Integer::sum));
        history.ifPresent(this::restore);
    }

    /** Marks the steps the journal shows ended, with their outcome, evidence and timing. */
    private void restore(RunHistory h) {
        for (StepHistory sh : h.endedSteps()) {
            StepState s = states.get(sh.stepId());
            if (s == null) {
                throw new RollbackException(
                        ErrorCode.JOURNAL_FAILURE,
                        "run '" + context.runId() + "' cannot resume with plan '"
                                + context.plan().name() + "': its journal has step '" + sh.stepId()
                                + "', which the plan does not");
            }
            JournalRecord end = sh.end().orElseThrow();
            StepStatus status = StepStatus.valueOf(sh.outcome().orElse(StepStatus.FAILED.name()));
            end.data().forEach((k, v) -> {
                if (k.startsWith("evidence.")) {
                    s.putEvidence(k.substring("evidence.".length()), v);
                }
            });
            long endNanos = nanosAt(end.at());
            if (sh.lastStart().isPresent()) {
                long startNanos = nanosAt(sh.lastStart().get().at());
                s.markStarted(startNanos, sh.lastStart().get().at(), endNanos);
                s.finalAttempts = List.of(new Attempt(
                        Math.max(1, sh.attemptsStarted()),
                        sh.lastStart().get().at(),
                        Duration.ofNanos(Math.max(0, endNanos - startNanos)),
                        ReportAssembler.outcome(status),
                        Optional.ofNullable(end.data().get("reason"))));
            }
            s.status = status;
            s.reason = end.data().getOrDefault("reason", "");
            s.finishNanos = endNanos;
            unfinished--;
            unfinishedByComponent.merge(s.planned.component(), -1, Integer::sum);
        }
        for (StepState s : states.values()) {
            if (s.status == StepStatus.SUCCEEDED) {
                s.dependents.forEach(d -> d.unfinishedDependencies--);
            }
        }
    }

    private long nanosAt(Instant at) {
        return context.startNanos() + Duration.between(context.startedAt(), at).toNanos();
    }

    /**
     * Decides, before anything runs, what to do with each step that started and has no end
     * record: run it again only if it is not destructive and idempotent, or if its own check says
     * it did not take effect; accept it as done if its check says it did; otherwise refuse to
     * resume and say which step needs a human. Returns the in-doubt steps that will run again.
     *
     * @throws RollbackException with {@code HUMAN_DECISION_REQUIRED} when a step cannot be settled
     */
    public List<String> settleInDoubtSteps() {
        List<String> rerun = new ArrayList<>();
        if (history.isEmpty()) {
            return rerun;
        }
        for (StepHistory sh : history.get().inDoubt()) {
            StepState s = states.get(sh.stepId());
            if (s == null) {
                throw new RollbackException(
                        ErrorCode.JOURNAL_FAILURE,
                        "run '" + context.runId() + "' cannot resume with plan '"
                                + context.plan().name() + "': its journal has step '" + sh.stepId()
                                + "', which the plan does not");
            }
            RollbackStep step = s.planned.step();
            if (step.idempotent() && !step.destructive()) {
                rerun.add(s.id());
                continue;
            }
            Optional<Boolean> tookEffect;
            try {
                tookEffect = step.tookEffect(new AttemptContext(
                        context, s, s.id(), step.component(), sh.attemptsStarted(), context.planDeadlineNanos()));
            } catch (Exception e) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        humanNeeded(sh, step) + "; its check of whether it took effect failed: "
                                + Redaction.describe(e));
            }
            if (tookEffect.isEmpty()) {
                throw new RollbackException(
                        ErrorCode.HUMAN_DECISION_REQUIRED,
                        humanNeeded(sh, step) + " and cannot tell whether it took effect");
            }
            if (tookEffect.get()) {
                long now = context.clock().monotonicNanos();
                s.markStarted(
                        nanosAt(sh.lastStart().orElseThrow().at()),
                        sh.lastStart().get().at(),
                        now);
                doneBeforeCrash.add(s);
            } else {
                rerun.add(s.id());
            }
        }
        return rerun;
    }

    private String humanNeeded(StepHistory sh, RollbackStep step) {
        return "run '" + context.runId() + "' of plan '" + context.plan().name() + "' needs a human decision: step '"
                + sh.stepId() + "' started at "
                + sh.lastStart().map(JournalRecord::at).map(Object::toString).orElse("?")
                + " and has no end record; it is " + (step.destructive() ? "destructive" : "not idempotent");
    }

    /** Creates the coordinator thread. */
    @FunctionalInterface
    public interface ThreadFactoryLike {
        /** Starts {@code body} on a new thread named {@code name}. */
        void start(String name, Runnable body);
    }

    /** Journals the start (write-ahead) and starts the coordinator. */
    public void start(ThreadFactoryLike threads) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("plan", context.plan().name());
        data.put("planKey", context.plan().key());
        data.put(
                "initiator",
                request.initiator().kind() + ":" + request.initiator().principal());
        request.initiator().decision().ifPresent(d -> {
            data.put("decision.rule", d.rule());
            data.put("decision.action", d.action());
        });
        data.put("authorization.policy", authorization.policy());
        data.put("authorization.preAuthorized", Boolean.toString(authorization.preAuthorized()));
        authorization.approvals().forEach(a -> data.put("approval." + a.role(), a.person()));
        JournalRecord.Type type = JournalRecord.Type.RUN_STARTED;
        if (history.isPresent()) {
            type = JournalRecord.Type.RUN_RESUMED;
            data.put("resumedAt", context.clock().instant().toString());
            data.put(
                    "deadFor",
                    Duration.between(
                                    history.get().lastRecordAt().orElse(context.startedAt()),
                                    context.clock().instant())
                            .toString());
            notes.add("resumed from the journal at " + context.clock().instant() + "; steps "
                    + history.get().endedSteps().stream()
                            .map(StepHistory::stepId)
                            .toList()
                    + " had ended and were not run again");
        }
        try {
            journal(type, Optional.empty(), data);
        } catch (JournalWriteException e) {
            throw new dev.rollback.api.RollbackException(
                    dev.rollback.api.ErrorCode.JOURNAL_FAILURE,
                    "plan '" + context.plan().name() + "' did not start: the journal refused its first record: "
                            + Redaction.describe(e.getCause()),
                    e.getCause());
        }
        threads.start("rollback-run-" + context.runId(), this::coordinate);
    }

    /** What every step of this run shares (ids, clock, fencing token). */
    public RunContext context() {
        return context;
    }

    void complete(Completion completion) {
        inbox.add(completion);
    }

    void emit(RollbackEvent event) {
        events.emit(event);
    }

    /**
     * Called before an attempt's start record: a run that no longer holds its run lock (the lock's
     * database session died with a server restart, its lock file was replaced) must not start another
     * effect, since a new holder may already be resuming it. The first loss stops the run, and from
     * then on it journals nothing: a stale holder's records (steps skipped, RUN_FINISHED) would end,
     * for good, the run the new holder must resume.
     *
     * @throws JournalWriteException carrying a {@code LOCK_UNAVAILABLE} error once the lock is lost
     */
    void checkLease() {
        RollbackException lost = lockLost;
        if (lost == null && lease.isPresent() && !lease.get().isHeld()) {
            lost = new RollbackException(
                    ErrorCode.LOCK_UNAVAILABLE,
                    "run '" + context.runId() + "' lost its run lock '"
                            + lease.get().key() + "' (fencing token "
                            + lease.get().fencingToken() + "), so it starts and journals"
                            + " nothing more; resume it: the next holder gets a higher token");
            lockLost = lost;
            LOG.warn("{}", lost.getMessage());
        }
        if (lost != null) {
            throw new JournalWriteException(lost);
        }
    }

    /** Whether the run stopped because it lost its run lock. */
    boolean lockLost() {
        return lockLost != null;
    }

    /** Why no further step may start after a journal write failed (or was withheld). */
    private String journalStopReason() {
        return lockLost != null
                ? "the run lock was lost, so no further step may start"
                : "the journal failed, so no further step may start";
    }

    /** Appends a write-ahead record; a journal that refuses stops the effect it announces. */
    void journal(JournalRecord.Type type, Optional<String> stepId, Map<String, String> data) {
        if (journal == Journal.NONE) {
            return;
        }
        RollbackException lost = lockLost;
        if (lost != null) {
            throw new JournalWriteException(lost);
        }
        JournalRecord record = new JournalRecord(
                context.runId(),
                sequence.getAndIncrement(),
                type,
                context.clock().instant(),
                stepId,
                context.fencingToken(),
                data);
        try {
            journal.append(record);
        } catch (RuntimeException e) {
            throw new JournalWriteException(e);
        }
    }

    /** Records that another request joined this run instead of starting a second one. */
    public void recordJoin(RunRequest joiner) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(
                "joinedBy", joiner.initiator().kind() + ":" + joiner.initiator().principal());
        joiner.initiator().decision().ifPresent(d -> {
            data.put("decision.rule", d.rule());
            data.put("decision.action", d.action());
            data.put("decision.description", d.description());
        });
        try {
            journal(JournalRecord.Type.DECISION, Optional.empty(), data);
        } catch (JournalWriteException e) {
            LOG.warn(
                    "run {}: the journal refused a join record: {}", context.runId(), Redaction.describe(e.getCause()));
        }
        notes.add("joined by " + data.get("joinedBy")
                + (joiner.initiator().decision().isPresent()
                        ? " (" + joiner.initiator().decision().get().description() + ")"
                        : ""));
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
            emit(new RunStarted(
                    context.runId(), context.startedAt(), context.plan().name(), request.initiator(), false));
            for (StepState s : doneBeforeCrash) {
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
            List<Verification> planVerifications = abort == null ? verifyPlan() : List.of();
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
        s.future = pool.submit(new StepWorker(this, s));
    }

    private void handle(Object message, Deque<StepState> ready) {
        if (message instanceof Abort a) {
            onAbort(a);
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
                stopReason = journalStopReason();
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
        try {
            journal(JournalRecord.Type.RUN_ABORTED, Optional.empty(), Map.of("who", a.who(), "reason", a.reason()));
        } catch (JournalWriteException e) {
            LOG.warn(
                    "run {}: the journal refused the abort record: {}",
                    context.runId(),
                    Redaction.describe(e.getCause()));
        }
        emit(new RunAborted(context.runId(), a.at(), a.who(), a.reason()));
        long now = context.clock().monotonicNanos();
        for (StepState s : List.copyOf(runningSteps)) {
            s.future.cancel(true);
            running--;
            finalize(s, StepStatus.ABORTED, stopReason, now);
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
                        stall -> emit(new StepStalled(
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
            emit(new BudgetExceeded(context.runId(), context.instantOf(now), component, budget));
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
            default -> StepOutcome.FAILED;
        };
        s.finalAttempts = s.closeAttempts(now, attemptOutcome, reason);
        Map<String, String> data = new LinkedHashMap<>();
        data.put("outcome", status.name());
        data.put("attempts", Integer.toString(s.finalAttempts.size()));
        if (!reason.isEmpty()) {
            data.put("reason", reason);
        }
        s.evidence().forEach((k, v) -> data.put("evidence." + k, v));
        switch (status) {
            case SUCCEEDED ->
                emit(new StepSucceeded(
                        context.runId(), at, s.id(), s.finalAttempts.size(), Duration.ofNanos(now - s.startNanos())));
            case TIMED_OUT ->
                emit(new StepTimedOut(
                        context.runId(), at, s.id(), Duration.ofNanos(s.deadlineNanos() - s.startNanos())));
            case SKIPPED -> emit(new StepSkipped(context.runId(), at, s.id(), reason));
            default -> emit(new StepFailed(context.runId(), at, s.id(), s.finalAttempts.size(), reason));
        }
        try {
            journal(
                    status == StepStatus.SKIPPED ? JournalRecord.Type.STEP_SKIPPED : JournalRecord.Type.STEP_FINISHED,
                    Optional.of(s.id()),
                    data);
        } catch (JournalWriteException e) {
            LOG.warn(
                    "run {}: the end record of step '{}' was not journaled: {}",
                    context.runId(),
                    s.id(),
                    Redaction.describe(e.getCause()));
            if (stopReason == null) {
                stopReason = journalStopReason();
            }
        }
        if (status == StepStatus.FAILED && context.plan().failFast() && stopReason == null) {
            stopReason = "fail-fast: step '" + s.id() + "' failed";
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
            default -> status.name().toLowerCase(java.util.Locale.ROOT);
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
            AttemptContext actx = new AttemptContext(context, null, "plan", "plan", 1, deadline);
            Future<Verification> f = pool.submit(() -> StepWorker.runVerifier(verifier, actx));
            Verification v = awaitVerification(verifier, f, deadline);
            out.add(v);
            Instant at = context.clock().instant();
            emit(
                    v.passed()
                            ? new VerificationPassed(context.runId(), at, "plan", v)
                            : new VerificationFailed(context.runId(), at, "plan", v));
            try {
                journal(JournalRecord.Type.VERIFICATION, Optional.empty(), StepWorker.verificationData(v));
            } catch (JournalWriteException e) {
                LOG.warn(
                        "run {}: the journal refused a verification record: {}",
                        context.runId(),
                        Redaction.describe(e.getCause()));
            }
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
        Map<String, String> data = new LinkedHashMap<>();
        data.put("outcome", report.outcome().name());
        data.put("duration", report.duration().toString());
        try {
            journal(JournalRecord.Type.RUN_FINISHED, Optional.empty(), data);
            if (journal instanceof FileJournal files) {
                report = report.withNote(files.verify(context.runId()).describe());
            }
        } catch (JournalWriteException e) {
            report = report.withNote(
                    "the journal could not record the end of the run: " + Redaction.describe(e.getCause()));
        }
        CrashPoints.reach("run.before-finish-event");
        emit(new RunFinished(context.runId(), report.finishedAt(), report.outcome(), report.duration()));
        releaseLease();
        onFinish.run();
        result.complete(report);
    }

    /** Releases the run lock, if one is held; safe to call more than once. */
    public void releaseLease() {
        lease.ifPresent(l -> {
            try {
                l.close();
            } catch (RuntimeException e) {
                LOG.warn("run {}: releasing the run lock failed: {}", context.runId(), Redaction.describe(e));
            }
        });
    }
}
