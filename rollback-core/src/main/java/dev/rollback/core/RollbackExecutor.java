package dev.rollback.core;

import dev.rollback.api.Decision;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Initiator;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.governance.ApprovalPolicy;
import dev.rollback.api.governance.ApprovalRequiredException;
import dev.rollback.api.governance.Authorization;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.CrashPoints;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.internal.DryRunWalk;
import dev.rollback.core.internal.EventDispatcher;
import dev.rollback.core.internal.RunExecution;
import dev.rollback.core.internal.RunRecords;
import dev.rollback.core.journal.RunHistory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs {@link RollbackPlan}s against their RTO budgets and returns a {@link RollbackReport}.
 *
 * <p>For each run: the {@link ApprovalPolicy} is asked first (a refused manual run fails with
 * {@link ApprovalRequiredException} before any side effect); the {@link RunLock} is taken for the
 * plan's key (a second run for a key that is running in this executor joins it instead); the
 * start is journaled; then every step whose dependencies succeeded runs on a bounded pool, with a
 * deadline that is the earliest of its own timeout, its component's remaining RTO and the plan's
 * remaining RTO. A step past its deadline is interrupted and recorded as timed out at that moment.
 * Transient failures are retried with exponential, jittered backoff that never sleeps past the
 * deadline. A failed step skips its dependents; independent branches go on unless the plan is
 * fail-fast. Verifiers run after their step (inside its deadline) and after the plan.
 *
 * <p>Thread-safe: one executor can run many plans at once. Listeners are called from executor
 * threads and are isolated: one that throws is logged and never breaks a run. Close the executor
 * to stop its threads; runs in progress are interrupted.
 */
public final class RollbackExecutor implements AutoCloseable {
    private final RollbackClock clock;
    private final int parallelism;
    private final EventDispatcher events;
    private final Journal journal;
    private final Optional<RunLock> runLock;
    private final Duration lockWait;
    private final Duration leaseCheck;
    private final ApprovalPolicy approvalPolicy;
    private final ThreadPoolExecutor pool;
    private final Map<String, RunExecution> active = new ConcurrentHashMap<>();

    private RollbackExecutor(Builder b) {
        this.clock = b.clock;
        this.parallelism = b.parallelism;
        this.events = new EventDispatcher(b.listeners);
        this.journal = b.journal;
        this.runLock = Optional.ofNullable(b.runLock);
        this.lockWait = b.lockWait;
        this.leaseCheck = b.leaseCheck;
        this.approvalPolicy = b.approvalPolicy;
        AtomicInteger n = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                b.parallelism, b.parallelism, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "rollback-step-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.pool.allowCoreThreadTimeOut(true);
    }

    /** A builder with the defaults: system clock, parallelism 4, no journal, no lock, no approval policy. */
    public static Builder builder() {
        return new Builder();
    }

    /** An executor with the defaults. */
    public static RollbackExecutor ofDefaults() {
        return builder().build();
    }

    /**
     * Runs {@code plan} and waits for its report. If the calling thread is interrupted while it
     * waits, the run is aborted ("the caller was interrupted"), its report is still returned, and
     * the thread's interrupt flag is set again.
     *
     * @throws ApprovalRequiredException if the approval policy refuses the run (nothing ran)
     * @throws RollbackException with {@code LOCK_UNAVAILABLE} if another node holds the plan's lock
     */
    public RollbackReport run(RollbackPlan plan, RunRequest request) {
        RollbackRun run = start(plan, request);
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return run.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    run.abort(
                            "the caller was interrupted", Thread.currentThread().getName());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Starts {@code plan} and returns at once. A second start for a plan key that is running here
     * returns a handle joined to the running run (see {@link RollbackRun#joined()}); its request
     * is journaled on that run.
     *
     * @throws ApprovalRequiredException if the approval policy refuses the run (nothing ran)
     * @throws RollbackException with {@code APPROVAL_REQUIRED} (journaled as {@code RUN_REFUSED}, nothing
     *     ran) for an automatic run whose decision is not a ROLLBACK of an action the plan
     *     {@link RollbackPlan#carriesOut() carries out}; with {@code LOCK_UNAVAILABLE} if another node
     *     holds the plan's lock, or the lock's store cannot be reached (fail closed)
     */
    public RollbackRun start(RollbackPlan plan, RunRequest request) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(request, "request");
        ensureOpen();
        String runId = newRunId();
        Optional<String> notPreAuthorized = automaticRefusal(plan, request);
        if (notPreAuthorized.isPresent()) {
            refuse(runId, plan, request, notPreAuthorized.get());
            throw new RollbackException(ErrorCode.APPROVAL_REQUIRED, notPreAuthorized.get());
        }
        Authorization authorization =
                approvalPolicy.authorize(plan, request.initiator(), request.approvals(), clock.instant());
        if (!authorization.granted()) {
            refuse(runId, plan, request, authorization.explanation());
            throw new ApprovalRequiredException(plan.name(), authorization);
        }
        RunExecution[] created = new RunExecution[1];
        RollbackRun running = active.compute(plan.key(), (key, existing) -> {
            if (existing != null && !existing.isDone()) {
                return existing;
            }
            created[0] = new RunExecution(
                    runId,
                    plan,
                    request,
                    authorization,
                    clock,
                    pool,
                    parallelism,
                    events,
                    journal,
                    acquire(runId, plan, request),
                    leaseCheck,
                    () -> active.remove(plan.key(), created[0]));
            return created[0];
        });
        if (created[0] == null) {
            ((RunExecution) running).recordJoin(request);
            return joined(running, request);
        }
        CrashPoints.reach("run.after-lock");
        try {
            created[0].start(this::startCoordinator);
        } catch (RuntimeException e) {
            created[0].releaseLease();
            active.remove(plan.key(), created[0]);
            throw e;
        }
        return created[0];
    }

    /** The journal runs are written to ({@link Journal#NONE} when none was configured). */
    public Journal journal() {
        return journal;
    }

    /** The clock runs are timed on. */
    public RollbackClock clock() {
        return clock;
    }

    /**
     * Continues a run whose process died, from its journal. Steps the journal shows ended are not
     * run again; a step that started and has no end record runs again only if it is idempotent and
     * not destructive, or if its own {@link dev.rollback.api.RollbackStep#tookEffect check} says it
     * did not take effect (if the check says it did, the step counts as done). The RTO budgets
     * continue from the run's first start, so the time it was dead is spent. The run lock is taken
     * anew, with a fencing token above the dead holder's.
     *
     * @throws RollbackException with {@code HUMAN_DECISION_REQUIRED} naming the step when an
     *     in-doubt step cannot be settled; {@code JOURNAL_FAILURE} when the journal is corrupt,
     *     does not know the run, or the run already finished or was aborted; {@code LOCK_UNAVAILABLE}
     *     as for {@link #start}
     */
    public RollbackRun resume(RollbackPlan plan, String runId) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runId, "runId");
        ensureOpen();
        RunHistory history = RunExecution.resumableHistory(journal, plan, runId);
        RunRequest request = RunRecords.resumeRequest(history.startData());
        Authorization authorization = RunRecords.resumedAuthorization(
                history.startData(), history.startedAt().orElseThrow());
        RunExecution[] created = new RunExecution[1];
        RollbackRun running = active.compute(plan.key(), (key, existing) -> {
            if (existing != null && !existing.isDone()) {
                return existing;
            }
            created[0] = new RunExecution(
                    runId,
                    plan,
                    request,
                    authorization,
                    clock,
                    pool,
                    parallelism,
                    events,
                    journal,
                    acquire(runId, plan, request),
                    leaseCheck,
                    () -> active.remove(plan.key(), created[0]),
                    Optional.of(history));
            return created[0];
        });
        if (created[0] == null) {
            return joined(running, request);
        }
        try {
            long token = created[0].context().fencingToken();
            if (history.highestFencingToken() > 0 && token <= history.highestFencingToken()) {
                throw new RollbackException(
                        ErrorCode.LOCK_UNAVAILABLE,
                        "cannot resume run '" + runId + "': the run lock"
                                + " handed out fencing token " + token + ", not above the dead holder's "
                                + history.highestFencingToken()
                                + "; use a lock whose tokens survive restarts (FileRunLock,"
                                + " a database lock)");
            }
            created[0].settleInDoubtSteps();
            created[0].start(this::startCoordinator);
        } catch (RuntimeException e) {
            created[0].releaseLease();
            active.remove(plan.key(), created[0]);
            throw e;
        }
        return created[0];
    }

    private void startCoordinator(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Walks {@code plan} without changing anything: runs only the steps' preflight checks and the
     * read-only verifiers, and reports the order, each step's budget, whether it would run, and
     * whether the request would be authorized. Takes no lock and writes no journal.
     */
    public RollbackReport dryRun(RollbackPlan plan, RunRequest request) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(request, "request");
        Authorization authorization =
                approvalPolicy.authorize(plan, request.initiator(), request.approvals(), clock.instant());
        return DryRunWalk.walk(newRunId(), plan, request, authorization, clock, events);
    }

    /** The runs in progress, by plan key. */
    public Map<String, RollbackRun> activeRuns() {
        return Map.copyOf(active);
    }

    /** Stops the step threads, interrupting runs in progress. */
    @Override
    public void close() {
        active.values().forEach(r -> r.abort("the executor was closed", "executor"));
        pool.shutdownNow();
    }

    private void ensureOpen() {
        if (pool.isShutdown()) {
            throw new IllegalStateException("this RollbackExecutor is closed");
        }
    }

    private static String newRunId() {
        return "run-" + UUID.randomUUID();
    }

    private Optional<RunLease> acquire(String runId, RollbackPlan plan, RunRequest request) {
        if (runLock.isEmpty()) {
            return Optional.empty();
        }
        Optional<RunLease> lease;
        try {
            lease = runLock.get().tryAcquire(plan.key(), lockWait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RollbackException(
                    ErrorCode.LOCK_UNAVAILABLE,
                    "plan '" + plan.name() + "' did not start: interrupted while waiting for its run lock");
        } catch (RuntimeException e) {
            String why = "plan '" + plan.name() + "' did not start: its run lock could not be reached (fail closed): "
                    + Redaction.describe(e);
            refuse(runId, plan, request, why);
            throw new RollbackException(ErrorCode.LOCK_UNAVAILABLE, why);
        }
        if (lease.isEmpty()) {
            String why = "plan '" + plan.name() + "' is already running elsewhere (lock key '" + plan.key() + "')";
            refuse(runId, plan, request, why);
            throw new RollbackException(ErrorCode.LOCK_UNAVAILABLE, why);
        }
        return lease;
    }

    /**
     * Why an automatic run of {@code plan} is not pre-authorized, whatever the approval policy: only a
     * ROLLBACK decision whose action the plan carries out is; a manual-review decision never is (a person
     * decides, and runs it manually with the approvals the policy requires).
     */
    private static Optional<String> automaticRefusal(RollbackPlan plan, RunRequest request) {
        if (request.initiator().kind() != Initiator.Kind.AUTOMATIC) {
            return Optional.empty();
        }
        Decision d = request.initiator().decision().orElseThrow();
        if (d.kind() != Decision.Kind.ROLLBACK) {
            return Optional.of("plan '" + plan.name() + "' did not start: rule '" + d.rule() + "' decided "
                    + d.kind() + " (action '" + d.action() + "'), and an automatic run is pre-authorized only for a"
                    + " ROLLBACK decision; a person reviews it and starts the plan manually, with the approvals"
                    + " its policy requires");
        }
        if (!plan.carriesOut().contains(d.action())) {
            return Optional.of("plan '" + plan.name() + "' did not start: rule '" + d.rule()
                    + "' decided ROLLBACK with action '" + d.action() + "', which the plan does not carry out"
                    + " (it declares " + plan.carriesOut() + "); an automatic run is pre-authorized only for an"
                    + " action its plan carries out: declare it with RollbackPlan.Builder.carriesOut(...)");
        }
        return Optional.empty();
    }

    private void refuse(String runId, RollbackPlan plan, RunRequest request, String why) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("plan", plan.name());
        data.put(
                "initiator",
                request.initiator().kind() + ":" + request.initiator().principal());
        data.put("reason", Redaction.redact(why));
        try {
            journal.append(new JournalRecord(
                    runId, 0, JournalRecord.Type.RUN_REFUSED, clock.instant(), Optional.empty(), 0L, data));
        } catch (RuntimeException e) {
            // The refusal stands whether or not it could be journaled.
        }
    }

    private RollbackRun joined(RollbackRun running, RunRequest request) {
        return new RollbackRun() {
            @Override
            public String runId() {
                return running.runId();
            }

            @Override
            public String planName() {
                return running.planName();
            }

            @Override
            public boolean joined() {
                return true;
            }

            @Override
            public void abort(String reason, String who) {
                running.abort(reason, who);
            }

            @Override
            public boolean isDone() {
                return running.isDone();
            }

            @Override
            public RollbackReport await() throws InterruptedException {
                return running.await();
            }

            @Override
            public Optional<RollbackReport> await(Duration timeout) throws InterruptedException {
                return running.await(timeout);
            }

            @Override
            public Map<String, Duration> budgetLeft() {
                return running.budgetLeft();
            }

            @Override
            public String toString() {
                return "RollbackRun[" + runId() + " joined by "
                        + request.initiator().principal() + "]";
            }
        };
    }

    /**
     * Builds a {@link RollbackExecutor}. Not thread-safe; reusable: each {@link #build()} makes an
     * independent executor.
     */
    public static final class Builder {
        private RollbackClock clock = RollbackClock.system();
        private int parallelism = 4;
        private final List<RollbackListener> listeners = new ArrayList<>();
        private Journal journal = Journal.NONE;
        private RunLock runLock;
        private Duration lockWait = Duration.ZERO;
        private Duration leaseCheck = Duration.ofSeconds(1);
        private ApprovalPolicy approvalPolicy = ApprovalPolicy.none();

        private Builder() {}

        /** The clock all time is read from. Default: {@link RollbackClock#system()}. */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How many steps may run at once; 1 to 256. Default 4. */
        public Builder parallelism(int parallelism) {
            if (parallelism < 1 || parallelism > 256) {
                throw new IllegalArgumentException("parallelism must be 1 to 256, but was " + parallelism);
            }
            this.parallelism = parallelism;
            return this;
        }

        /** Adds a listener for the events of every run. */
        public Builder listener(RollbackListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The journal every transition is written to before it happens. Default: {@link Journal#NONE}. */
        public Builder journal(Journal journal) {
            this.journal = Objects.requireNonNull(journal, "journal");
            return this;
        }

        /** The lock that keeps one run per plan key across processes or nodes. Default: none (in-process only). */
        public Builder runLock(RunLock runLock) {
            this.runLock = Objects.requireNonNull(runLock, "runLock");
            return this;
        }

        /** How long to wait for the run lock; zero or positive. Default: zero (do not wait). */
        public Builder lockWait(Duration lockWait) {
            Objects.requireNonNull(lockWait, "lockWait");
            if (lockWait.isNegative()) {
                throw new IllegalArgumentException("lockWait must not be negative, but was " + lockWait);
            }
            this.lockWait = lockWait;
            return this;
        }

        /**
         * How often a run asks its run lock's lease whether it is still held, on a watchdog thread of its
         * own. When the lease is lost while a step runs (a database session that died, a lease that expired),
         * the run journals nothing more and its running steps are interrupted at once, so a node that lost
         * its lock stops within this interval plus the time the lease takes to answer; the next holder
         * resumes the run. Default: 1 second; positive, at most a minute.
         */
        public Builder leaseCheck(Duration leaseCheck) {
            this.leaseCheck = Arguments.requirePositive(leaseCheck, "leaseCheck", Duration.ofMinutes(1));
            return this;
        }

        /** Who must authorize a run. Default: {@link ApprovalPolicy#none()} (every run allowed, and reported so). */
        public Builder approvalPolicy(ApprovalPolicy approvalPolicy) {
            this.approvalPolicy = Objects.requireNonNull(approvalPolicy, "approvalPolicy");
            return this;
        }

        /** Builds the executor. */
        public RollbackExecutor build() {
            return new RollbackExecutor(this);
        }
    }
}
