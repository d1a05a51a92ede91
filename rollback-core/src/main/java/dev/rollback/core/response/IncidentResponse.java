package dev.rollback.core.response;

import dev.rollback.api.Decision;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Initiator;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.api.spi.RunLease;
import dev.rollback.api.spi.RunLock;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.RunRequest;
import dev.rollback.core.escalation.Escalation;
import dev.rollback.core.escalation.EscalationScheduler;
import dev.rollback.core.incident.Incident;
import dev.rollback.core.incident.IncidentTimeline;
import dev.rollback.core.incident.RollbackSuccessMetrics;
import dev.rollback.core.internal.RunRecords;
import dev.rollback.core.notification.NotificationDispatcher;
import dev.rollback.core.notification.StakeholderNotices;
import dev.rollback.core.response.PostRollbackVerification.Check;
import dev.rollback.core.trigger.DecisionListener;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.HeightenedMonitoring;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.TriggerEngine;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * From a trigger's decision to a verified recovery, as the runbook describes it. For each decision
 * it opens (or raises) the incident at the decision's severity, pages by the escalation ladder,
 * informs the stakeholder groups by their own deadlines, runs the plan the {@link PlanCatalog} maps
 * to the decision's action (pre-authorized: a rollback decision of a mapped action; a manual-review
 * decision runs nothing until {@link #approve approved}), verifies the recovery (the post-rollback
 * checks, and the error rate and response time back under their thresholds for the settle time),
 * applies heightened monitoring, tells the stakeholders it is resolved, and reports.
 *
 * <p><b>Once per incident across nodes.</b> With an {@link Builder#incidentLock incident lock} (a
 * {@link RunLock} every node shares: PostgreSQL's, a file lock on a shared volume), the node that
 * takes the incident's lock handles it; the others stand by, and take it over when the holder dies
 * (the lock comes free while the incident's run is unfinished in the journal: they resume it). A
 * node whose lock store cannot be reached runs nothing (fail closed) and retries at its next tick. A
 * node that takes the lock after the incident was handled, and whose own trigger rule has cleared,
 * runs nothing. A failed rollback keeps the lock: a person decides ({@link #resolve}).
 *
 * <p><b>Driven by ticks.</b> {@link #tick()} advances every incident: tests call it on a controllable
 * clock; {@link #start(Duration)} ticks on a daemon thread. {@link #onDecision} (the engine's
 * listener) only queues the decision for the next tick, so the engine's thread never waits.
 *
 * <p>Thread-safe: ticks, decisions and approvals are serialized. It never runs a plan twice for one
 * incident on one node, and never declares recovery from a run's success alone.
 */
public final class IncidentResponse implements DecisionListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IncidentResponse.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final PlanCatalog catalog;
    private final RollbackExecutor executor;
    private final Optional<TriggerEngine> engine;
    private final Optional<EscalationScheduler> escalation;
    private final Optional<StakeholderNotices> notices;
    private final Optional<NotificationDispatcher> dispatcher;
    private final PostRollbackVerification verification;
    private final Optional<HeightenedMonitoring> heightened;
    private final Optional<RunLock> incidentLock;
    private final Optional<Duration> baselineResponseTime;
    private final String errorRateRule;
    private final String responseTimeRule;
    private final RollbackClock clock;
    private final Map<String, IncidentHandle> byKey = new LinkedHashMap<>();
    private final ConcurrentLinkedQueue<Decision> inbox = new ConcurrentLinkedQueue<>();
    private Optional<ScheduledExecutorService> timer = Optional.empty();

    private IncidentResponse(Builder b) {
        this.catalog = b.catalog.orElseThrow();
        this.executor = b.executor.orElseThrow();
        this.engine = b.engine;
        this.escalation = b.escalation;
        this.notices = b.notices;
        this.dispatcher = b.dispatcher;
        this.verification = b.verification;
        this.heightened = b.heightened;
        this.incidentLock = b.incidentLock;
        this.baselineResponseTime = b.baselineResponseTime;
        this.errorRateRule = b.errorRateRule;
        this.responseTimeRule = b.responseTimeRule;
        this.clock = executor.clock();
    }

    /** A builder; the catalog and the executor are required. */
    public static Builder custom() {
        return new Builder();
    }

    /** Queues {@code decision} for the next tick; returns at once (the engine's thread never waits). */
    @Override
    public void onDecision(Decision decision) {
        inbox.add(Objects.requireNonNull(decision, "decision"));
        timer.ifPresent(t -> t.execute(this::tickSafely));
    }

    /**
     * Handles {@code decision} now: joins (and raises) the open incident of its key, or takes the
     * incident's lock and opens it, pages, informs, and starts its plan (a rollback decision) or
     * waits for approval (a manual review); or stands by when another node holds the incident.
     *
     * @return the incident's handle on this node
     */
    public synchronized IncidentHandle handle(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        String key = keyOf(decision);
        Instant now = clock.instant();
        IncidentHandle existing = byKey.get(key);
        if (existing != null && !existing.state().isFinal()) {
            existing.incident().ifPresent(incident -> raise(incident, decision, now));
            return existing;
        }
        IncidentHandle handle = new IncidentHandle(key, decision, IncidentState.STANDBY);
        byKey.put(key, handle);
        if (acquire(handle)) {
            takeUp(handle, true);
        }
        return handle;
    }

    /**
     * Approves the plan of {@code action} for the incident awaiting a manual review, and starts it
     * with {@code request} (a person, and the approvals the approval policy requires).
     *
     * @throws IllegalArgumentException for an unknown incident, one not awaiting approval, or an action
     *     the catalog does not carry out
     * @throws dev.rollback.api.governance.ApprovalRequiredException when the approvals do not suffice
     *     (nothing ran; the review stays open)
     */
    public synchronized IncidentHandle approve(String incidentId, String action, RunRequest request) {
        Objects.requireNonNull(request, "request");
        IncidentHandle handle = byIncidentId(incidentId);
        if (handle.state() != IncidentState.AWAITING_APPROVAL) {
            throw new IllegalArgumentException(
                    "incident " + incidentId + " is " + handle.state() + ", not awaiting approval");
        }
        RollbackPlan plan = catalog.plan(Arguments.requireId(action, "action"))
                .orElseThrow(() -> new IllegalArgumentException(
                        "no plan carries out action '" + action + "'; catalog actions: " + catalog.actions()));
        handle.plan = plan;
        RollbackRun run = executor.start(plan, request);
        handle.run(run);
        IncidentLog log = new IncidentLog(executor.journal(), handle.key(), clock);
        if (log.durable() && !run.joined()) {
            log.run(incidentId, run.runId(), token(handle));
        }
        handle.notes.add("approved by " + request.initiator().principal() + " with "
                + request.approvals().size() + " approval(s): plan '" + plan.name() + "'");
        handle.state(IncidentState.RUNNING);
        return handle;
    }

    /** Records how many users the incident affected, for the system-recovery metrics. */
    public synchronized void usersAffected(String incidentId, long users) {
        byIncidentId(incidentId).usersAffected = OptionalLong.of(Arguments.requireNotNegative(users, "users"));
    }

    /**
     * Resolves an incident by hand (after a failed rollback was dealt with), tells the stakeholders,
     * and releases its lock so that the next incident of its key can open.
     */
    public synchronized void resolve(String incidentId, String by, String summary) {
        IncidentHandle handle = byIncidentId(incidentId);
        Incident incident = handle.incident().orElseThrow();
        if (!incident.isResolved()) {
            incident.resolve(
                    Arguments.requireText(by, "by"), Arguments.requireText(summary, "summary"), clock.instant());
            logResolved(handle, by);
            notices.ifPresent(n -> n.resolved(incident, summary));
        }
        release(handle);
    }

    /** The handle of the incident with this id, if this node opened it. */
    public synchronized Optional<IncidentHandle> incident(String incidentId) {
        return byKey.values().stream()
                .filter(h -> h.incident().map(i -> i.id().equals(incidentId)).orElse(false))
                .findFirst();
    }

    /** Every incident this node tracks, by key, in the order they opened. */
    public synchronized List<IncidentHandle> incidents() {
        return List.copyOf(byKey.values());
    }

    /** Ticks at the clock's current time. */
    public synchronized List<IncidentReport> tick() {
        Instant now = clock.instant();
        for (Decision d = inbox.poll(); d != null; d = inbox.poll()) {
            handle(d);
        }
        escalation.ifPresent(e -> e.tick(now));
        notices.ifPresent(n -> n.tick(now));
        List<IncidentReport> finished = new ArrayList<>();
        for (IncidentHandle h : List.copyOf(byKey.values())) {
            advance(h, now).ifPresent(finished::add);
        }
        return finished;
    }

    /**
     * Ticks every {@code period} on a daemon thread (and at once after each decision); a failing tick
     * is logged and the next goes on.
     *
     * @throws IllegalStateException if already started
     */
    public synchronized void start(Duration period) {
        Arguments.requirePositive(period, "period");
        if (timer.isPresent()) {
            throw new IllegalStateException("the incident response is already started");
        }
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "rollback-incident-response");
            thread.setDaemon(true);
            return thread;
        });
        t.scheduleWithFixedDelay(this::tickSafely, 0, period.toNanos(), TimeUnit.NANOSECONDS);
        timer = Optional.of(t);
    }

    /** Stops ticking; incidents, leases and runs are left as they are (a run goes on in its executor). */
    @Override
    public synchronized void close() {
        timer.ifPresent(ScheduledExecutorService::shutdown);
        timer = Optional.empty();
    }

    private void tickSafely() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.error("incident response tick failed; the next tick goes on: {}", Redaction.describe(e));
        }
    }

    // ---- one incident's life ----

    private static String keyOf(Decision decision) {
        return decision.kind() == Decision.Kind.ROLLBACK ? decision.action() : "review:" + decision.rule();
    }

    private static String incidentId(String key, Decision decision) {
        return "INC-" + key.replace(':', '-') + "-" + ID_TIME.format(decision.decidedAt());
    }

    /** Takes the incident's lock; false when another node holds it or the store cannot be reached. */
    private boolean acquire(IncidentHandle handle) {
        if (incidentLock.isEmpty()) {
            return true;
        }
        try {
            Optional<RunLease> lease = incidentLock.get().tryAcquire("incident/" + handle.key(), Duration.ZERO);
            lease.ifPresent(l -> handle.lease = l);
            return lease.isPresent();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            LOG.warn(
                    "incident {}: its lock store cannot be reached, so nothing runs here (fail closed): {}",
                    handle.key(),
                    Redaction.describe(e));
            return false;
        }
    }

    /**
     * With the incident's lock just taken, decides from the shared journal what this node does: adopt
     * an incident still open (resuming a run its dead holder left unfinished); run nothing for a breach
     * an incident already answered and resolved (a late decision); or open a new incident. {@code fresh}
     * when this node's own decision arrived now, not a standby's retry.
     */
    private void takeUp(IncidentHandle h, boolean fresh) {
        try {
            IncidentLog log = new IncidentLog(executor.journal(), h.key(), clock);
            Decision decision = h.decision();
            if (!log.durable()) {
                // No journal: this node cannot know what others did; only a rule still firing here opens it.
                boolean mine = fresh
                        || engine.map(e -> e.state(decision.rule()) == RuleState.FIRING)
                                .orElse(false);
                if (mine) {
                    open(h, log);
                } else {
                    handledElsewhere(h, "rule '" + decision.rule() + "' has cleared");
                }
                return;
            }
            Optional<IncidentLog.Entry> last = log.last();
            if (last.isPresent() && last.get().resolvedAt().isEmpty()) {
                adopt(h, log, last.get());
            } else if (last.isPresent()
                    && !decision.breachBegan().isAfter(last.get().resolvedAt().get())) {
                handledElsewhere(
                        h,
                        "incident " + last.get().incidentId() + " answered this breach (began " + decision.breachBegan()
                                + ") and was resolved at "
                                + last.get().resolvedAt().get());
            } else {
                open(h, log);
            }
        } catch (RuntimeException e) {
            release(h);
            throw e;
        }
    }

    private void handledElsewhere(IncidentHandle h, String why) {
        h.notes.add("another node handled the incident: " + why + "; nothing runs here");
        h.state(IncidentState.HANDLED_ELSEWHERE);
        release(h);
    }

    /** Opens a new incident, logs it, pages, informs, and starts its plan or waits for approval. */
    private void open(IncidentHandle h, IncidentLog log) {
        Decision decision = h.decision();
        Incident incident = Incident.open(incidentId(h.key(), decision), decision);
        if (log.durable()) {
            log.opened(incident.id(), decision.breachBegan(), token(h));
        }
        watch(h, incident);
        LOG.warn(
                "incident {} opened at {} by rule '{}': {}",
                SafeText.escape(incident.id()),
                incident.severity(),
                SafeText.of(decision.rule()),
                SafeText.of(decision.description()));
        if (decision.kind() == Decision.Kind.MANUAL_REVIEW) {
            h.state(IncidentState.AWAITING_APPROVAL);
            h.notes.add("manual review opened by rule '" + decision.rule() + "': nothing runs until approved");
            return;
        }
        start(h, log, catalog.planFor(decision), RunRequest.automatic(decision));
    }

    /**
     * Continues an incident the log shows open, whose holder died: resume its plan's run if it is
     * unfinished, verify its recovery if the run succeeded, leave it to a person if it failed, or wait
     * for approval if no run started.
     */
    private void adopt(IncidentHandle h, IncidentLog log, IncidentLog.Entry open) {
        Incident incident = Incident.open(open.incidentId(), h.decision());
        watch(h, incident);
        // A holder that died between starting the run and logging it left the run only in the journal.
        Optional<String> runId =
                open.runId().or(() -> catalog.plan(keyPlanAction(h)).flatMap(this::unfinishedRunOf));
        if (runId.isEmpty()) {
            h.notes.add("took over incident " + open.incidentId() + " from a node that died before its plan started");
            if (h.decision().kind() == Decision.Kind.MANUAL_REVIEW) {
                h.state(IncidentState.AWAITING_APPROVAL);
            } else {
                start(h, log, catalog.planFor(h.decision()), RunRequest.automatic(h.decision()));
            }
            return;
        }
        RollbackPlan plan = catalog.plan(keyPlanAction(h)).orElse(null);
        Optional<String> outcome = log.outcomeOf(runId.get());
        if (outcome.isEmpty() && plan != null) {
            h.plan = plan;
            h.run(executor.resume(plan, runId.get()));
            h.notes.add("took over: the node that held incident " + open.incidentId() + " died during run "
                    + runId.get() + "; resumed it from the journal");
            h.state(IncidentState.RUNNING);
            LOG.warn("incident {}: took over run {} from a node that died", open.incidentId(), runId.get());
        } else if (outcome.map(RunOutcome.SUCCEEDED.name()::equals).orElse(false)) {
            h.plan = plan;
            h.notes.add("took over incident " + open.incidentId() + " after its run " + runId.get()
                    + " succeeded: verifying its recovery here");
            h.verifyingSince = clock.instant();
            h.state(IncidentState.VERIFYING);
        } else {
            h.notes.add("incident " + open.incidentId() + " is open after its run " + runId.get() + " ended "
                    + outcome.orElse("unfinished") + ": it waits for a person");
            h.state(IncidentState.NOT_RECOVERED);
        }
    }

    private Optional<String> unfinishedRunOf(RollbackPlan plan) {
        Journal journal = executor.journal();
        Optional<String> found = Optional.empty();
        for (String runId : journal.unfinishedRuns()) {
            List<JournalRecord> records = journal.records(runId);
            if (!records.isEmpty()
                    && records.get(0).type() == JournalRecord.Type.RUN_STARTED
                    && plan.key().equals(RunRecords.planKey(records.get(0).data()))) {
                found = Optional.of(runId);
            }
        }
        return found;
    }

    private String keyPlanAction(IncidentHandle h) {
        return h.decision().kind() == Decision.Kind.ROLLBACK ? h.decision().action() : "";
    }

    private void watch(IncidentHandle h, Incident incident) {
        h.incident(incident);
        notices.ifPresent(n -> n.watch(incident));
        escalation.ifPresent(e -> e.watch(incident));
    }

    private static long token(IncidentHandle h) {
        return h.lease == null ? 0L : h.lease.fencingToken();
    }

    private void start(IncidentHandle handle, IncidentLog log, RollbackPlan plan, RunRequest request) {
        handle.plan = plan;
        try {
            RollbackRun run = executor.start(plan, request);
            handle.run(run);
            handle.state(IncidentState.RUNNING);
            if (log.durable() && !run.joined()) {
                log.run(handle.incident().orElseThrow().id(), run.runId(), token(handle));
            }
        } catch (RollbackException e) {
            if (e.code() != ErrorCode.LOCK_UNAVAILABLE) {
                throw e;
            }
            // The plan's own lock is held elsewhere: another incident's node runs the same plan.
            handle.notes.add("plan '" + plan.name() + "' is already running elsewhere: " + e.getMessage());
            handle.state(IncidentState.STANDBY);
            release(handle);
        }
    }

    private void raise(Incident incident, Decision decision, Instant now) {
        if (decision.severity().isAtLeast(incident.severity()) && decision.severity() != incident.severity()) {
            incident.raiseSeverity(decision.severity(), "rule " + decision.rule(), decision.description(), now);
        }
    }

    private Optional<IncidentReport> advance(IncidentHandle h, Instant now) {
        switch (h.state()) {
            case STANDBY -> standBy(h);
            case RUNNING -> running(h, now);
            case VERIFYING -> {
                return verifying(h, now);
            }
            default -> {}
        }
        if (h.state() == IncidentState.NOT_RECOVERED && !h.report().isDone()) {
            return Optional.of(finish(h, now));
        }
        return Optional.empty();
    }

    /** Another node holds the incident: take it over if its lock came free. */
    private void standBy(IncidentHandle h) {
        if (acquire(h)) {
            takeUp(h, false);
        }
    }

    private void running(IncidentHandle h, Instant now) {
        sample(h);
        RollbackRun run = h.run().orElseThrow();
        if (!run.isDone()) {
            return;
        }
        RollbackReport report = awaitReport(run);
        if (report.outcome() == RunOutcome.SUCCEEDED) {
            h.verifyingSince = now;
            h.state(IncidentState.VERIFYING);
        } else {
            h.notes.add("the plan's run ended " + report.outcome()
                    + ": production is not recovered; the incident stays open for a person");
            h.state(IncidentState.NOT_RECOVERED);
        }
    }

    private Optional<IncidentReport> verifying(IncidentHandle h, Instant now) {
        sample(h);
        Incident incident = h.incident().orElseThrow();
        Instant deadline = h.verifyingSince.plus(verification.timeout());
        List<Verification> checks = new ArrayList<>();
        for (Map.Entry<Check, List<Verifier>> group : verification.checks().entrySet()) {
            for (Verifier verifier : group.getValue()) {
                checks.add(check(incident, group.getKey(), verifier, deadline));
            }
        }
        h.lastChecks = checks;
        boolean checksPassed = checks.stream().allMatch(Verification::passed);
        boolean signalsHealthy = engine.map(
                        e -> verification.watchedRules().stream().allMatch(rule -> e.state(rule) == RuleState.HEALTHY))
                .orElse(true);
        if (checksPassed && signalsHealthy) {
            if (h.healthySince == null) {
                h.healthySince = now;
            }
            if (!now.isBefore(h.healthySince.plus(verification.settleFor()))) {
                return Optional.of(recovered(h, now));
            }
        } else {
            h.healthySince = null;
        }
        if (!now.isBefore(deadline)) {
            h.notes.add("recovery was not verified within " + verification.timeout() + " after the run: "
                    + (checksPassed ? "" : "failed checks " + failedNames(checks) + "; ")
                    + (signalsHealthy ? "" : "trigger rules " + verification.watchedRules() + " not healthy"));
            h.state(IncidentState.NOT_RECOVERED);
        }
        return Optional.empty();
    }

    private Verification check(Incident incident, Check group, Verifier verifier, Instant deadline) {
        String name = group.name().toLowerCase(Locale.ROOT).replace('_', '-') + "/" + verifier.name();
        try {
            Verification v = verifier.verify(new CheckContext(
                    incident.id(),
                    name,
                    deadline,
                    clock,
                    Initiator.automatic(incident.decision().orElseThrow())));
            return v.withDetail("check", group.name());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return Verification.failed(verifier.name(), "the check runs", "it threw " + Redaction.describe(e))
                    .withDetail("check", group.name());
        }
    }

    private static List<String> failedNames(List<Verification> checks) {
        return checks.stream().filter(v -> !v.passed()).map(Verification::name).toList();
    }

    private IncidentReport recovered(IncidentHandle h, Instant now) {
        Incident incident = h.incident().orElseThrow();
        Optional<Instant> heightenedUntil = Optional.empty();
        if (heightened.isPresent() && engine.isPresent()) {
            engine.get().heightenMonitoring(heightened.get());
            heightenedUntil = Optional.of(now.plus(heightened.get().duration()));
        }
        String summary = "recovered: plan '" + (h.plan == null ? h.key() : h.plan.name())
                + "' succeeded and production was verified " + "(checks passed, trigger rules healthy for "
                + verification.settleFor() + ")";
        incident.resolve("incident-response", summary, now);
        logResolved(h, "incident-response");
        notices.ifPresent(n -> n.resolved(incident, summary));
        h.state(IncidentState.RECOVERED);
        IncidentReport report = report(h, Optional.of(now), heightenedUntil);
        release(h);
        h.report().complete(report);
        LOG.info("incident {} recovered at {}", incident.id(), now);
        return report;
    }

    private IncidentReport finish(IncidentHandle h, Instant now) {
        IncidentReport report = report(h, Optional.empty(), Optional.empty());
        h.report().complete(report);
        LOG.warn(
                "incident {} is not recovered: {}",
                SafeText.escape(h.incident().map(Incident::id).orElse(h.key())),
                SafeText.of(h.notes));
        return report;
    }

    private IncidentReport report(IncidentHandle h, Optional<Instant> recoveredAt, Optional<Instant> heightenedUntil) {
        Incident incident = h.incident().orElseThrow();
        Optional<RollbackReport> run = h.run().map(this::awaitReport).map(r -> withMetrics(r, incident));
        List<Escalation> escalations = escalation
                .map(e -> e.escalations().stream()
                        .filter(x -> x.incidentId().equals(incident.id()))
                        .toList())
                .orElse(List.of());
        return new IncidentReport(
                incident.id(),
                incident.title(),
                h.decision(),
                incident.severity(),
                h.state(),
                incident.openedAt(),
                recoveredAt,
                run,
                h.lastChecks,
                systemRecovery(h),
                escalations,
                incident.severityChanges(),
                dispatcher.map(d -> d.deliveries(incident.id())).orElse(List.of()),
                heightenedUntil,
                h.notes);
    }

    private RollbackReport withMetrics(RollbackReport report, Incident incident) {
        return dispatcher
                .map(d -> RollbackSuccessMetrics.attach(report, incident, d))
                .orElseGet(() -> report.withMetrics(
                        RollbackSuccessMetrics.compute(IncidentTimeline.of(incident, report, List.of()))));
    }

    private void sample(IncidentHandle h) {
        engine.ifPresent(e -> {
            if (e.matrix().rule(errorRateRule).isPresent()) {
                e.observed(errorRateRule).ifPresent(h.errorRatioSamples::add);
            }
        });
    }

    private SystemRecovery systemRecovery(IncidentHandle h) {
        OptionalDouble availability = h.errorRatioSamples.isEmpty()
                ? OptionalDouble.empty()
                : OptionalDouble.of(1.0
                        - h.errorRatioSamples.stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElseThrow());
        OptionalDouble performance = OptionalDouble.empty();
        if (baselineResponseTime.isPresent()
                && engine.isPresent()
                && engine.get().matrix().rule(responseTimeRule).isPresent()) {
            OptionalDouble after = engine.get().observed(responseTimeRule);
            if (after.isPresent()) {
                double baseline = baselineResponseTime.get().toNanos() / 1e9;
                performance = OptionalDouble.of(after.getAsDouble() <= baseline ? 1.0 : baseline / after.getAsDouble());
            }
        }
        List<Verification> data = h.lastChecks.stream()
                .filter(v -> Check.DATA_INTEGRITY.name().equals(v.details().get("check")))
                .toList();
        OptionalDouble integrity = data.isEmpty()
                ? OptionalDouble.empty()
                : OptionalDouble.of(
                        (double) data.stream().filter(Verification::passed).count() / data.size());
        return new SystemRecovery(availability, performance, integrity, h.usersAffected);
    }

    private RollbackReport awaitReport(RollbackRun run) {
        try {
            return run.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RollbackException(ErrorCode.STEP_INTERRUPTED, "interrupted while reading run " + run.runId());
        }
    }

    private void logResolved(IncidentHandle h, String by) {
        IncidentLog log = new IncidentLog(executor.journal(), h.key(), clock);
        if (log.durable()) {
            log.resolved(h.incident().orElseThrow().id(), by, token(h));
        }
    }

    private void release(IncidentHandle h) {
        RunLease lease = h.lease;
        h.lease = null;
        if (lease != null) {
            try {
                lease.close();
            } catch (RuntimeException e) {
                LOG.warn("incident {}: releasing its lock failed: {}", h.key(), Redaction.describe(e));
            }
        }
    }

    private IncidentHandle byIncidentId(String incidentId) {
        Objects.requireNonNull(incidentId, "incidentId");
        return incident(incidentId)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no incident '" + Arguments.printable(incidentId) + "' was opened on this node"));
    }

    /** Builds an {@link IncidentResponse}; not thread-safe. */
    public static final class Builder {
        private Optional<PlanCatalog> catalog = Optional.empty();
        private Optional<RollbackExecutor> executor = Optional.empty();
        private Optional<TriggerEngine> engine = Optional.empty();
        private Optional<EscalationScheduler> escalation = Optional.empty();
        private Optional<StakeholderNotices> notices = Optional.empty();
        private Optional<NotificationDispatcher> dispatcher = Optional.empty();
        private PostRollbackVerification verification =
                PostRollbackVerification.custom().build();
        private Optional<HeightenedMonitoring> heightened = Optional.empty();
        private Optional<RunLock> incidentLock = Optional.empty();
        private Optional<Duration> baselineResponseTime = Optional.empty();
        private String errorRateRule = DecisionMatrix.ERROR_RATE;
        private String responseTimeRule = DecisionMatrix.RESPONSE_TIME;

        private Builder() {}

        /** Which plan carries out each action. Required. */
        public Builder catalog(PlanCatalog catalog) {
            this.catalog = Optional.of(Objects.requireNonNull(catalog, "catalog"));
            return this;
        }

        /** The executor that runs the plans (its approval policy, journal and run lock apply). Required. */
        public Builder executor(RollbackExecutor executor) {
            this.executor = Optional.of(Objects.requireNonNull(executor, "executor"));
            return this;
        }

        /**
         * The trigger engine: the response listens to its decisions, reads its rules to verify
         * recovery and to sample availability, and heightens its monitoring after recovery. Without
         * one, recovery is verified on the checks alone.
         */
        public Builder triggers(TriggerEngine engine) {
            this.engine = Optional.of(Objects.requireNonNull(engine, "engine"));
            return this;
        }

        /** Who is paged, by the escalation ladder. */
        public Builder escalation(EscalationScheduler escalation) {
            this.escalation = Optional.of(Objects.requireNonNull(escalation, "escalation"));
            return this;
        }

        /** Who is informed, by their deadlines. */
        public Builder notices(StakeholderNotices notices) {
            this.notices = Optional.of(Objects.requireNonNull(notices, "notices"));
            return this;
        }

        /** The dispatcher the pages and notices go through, so the report can measure their latencies. */
        public Builder dispatcher(NotificationDispatcher dispatcher) {
            this.dispatcher = Optional.of(Objects.requireNonNull(dispatcher, "dispatcher"));
            return this;
        }

        /** What must hold before recovery is declared. Default: the watched rules healthy for 5 minutes. */
        public Builder verification(PostRollbackVerification verification) {
            this.verification = Objects.requireNonNull(verification, "verification");
            return this;
        }

        /** The tighter thresholds applied to the engine once recovery is verified, and for how long. */
        public Builder heightenedMonitoring(HeightenedMonitoring monitoring) {
            this.heightened = Optional.of(Objects.requireNonNull(monitoring, "monitoring"));
            return this;
        }

        /** The lock every node shares so that one node handles each incident. Default: this node only. */
        public Builder incidentLock(RunLock lock) {
            this.incidentLock = Optional.of(Objects.requireNonNull(lock, "lock"));
            return this;
        }

        /** The response time production serves when healthy, for the "performance restoration" metric. */
        public Builder baselineResponseTime(Duration baseline) {
            this.baselineResponseTime = Optional.of(Arguments.requirePositive(baseline, "baselineResponseTime"));
            return this;
        }

        /** The error-rate and response-time rules the metrics read. Default: the runbook's. */
        public Builder metricRules(String errorRateRule, String responseTimeRule) {
            this.errorRateRule = Arguments.requireId(errorRateRule, "errorRateRule");
            this.responseTimeRule = Arguments.requireId(responseTimeRule, "responseTimeRule");
            return this;
        }

        /**
         * Builds the response and, with a trigger engine, registers it as the engine's listener.
         *
         * @throws IllegalStateException without a catalog or an executor, or when the verification
         *     watches a rule the engine's matrix does not have
         */
        public IncidentResponse build() {
            if (catalog.isEmpty() || executor.isEmpty()) {
                throw new IllegalStateException(
                        "IncidentResponse needs a catalog and an executor: call catalog(...)" + " and executor(...)");
            }
            if (engine.isPresent()) {
                DecisionMatrix matrix = engine.get().matrix();
                for (String rule : verification.watchedRules()) {
                    if (matrix.rule(rule).isEmpty()) {
                        throw new IllegalStateException("the post-rollback verification watches rule '" + rule
                                + "', which matrix '" + matrix.name() + "' does not have");
                    }
                }
                if (!catalog.get().matrix().equals(matrix.name())) {
                    throw new IllegalStateException("the catalog was built for matrix '"
                            + catalog.get().matrix() + "' but the engine evaluates '" + matrix.name() + "'");
                }
            } else if (!verification.watchedRules().isEmpty()) {
                throw new IllegalStateException("the post-rollback verification watches rules "
                        + verification.watchedRules() + " but no trigger engine was given: call triggers(engine)"
                        + " or watchRules() with none");
            }
            IncidentResponse response = new IncidentResponse(this);
            engine.ifPresent(e -> e.addListener(response));
            return response;
        }
    }
}
