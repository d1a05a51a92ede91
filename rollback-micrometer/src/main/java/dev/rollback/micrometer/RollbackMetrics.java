package dev.rollback.micrometer;

import dev.rollback.api.Decision;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.event.BudgetExceeded;
import dev.rollback.api.event.RollbackListener;
import dev.rollback.api.event.RunFinished;
import dev.rollback.api.event.RunStarted;
import dev.rollback.api.event.StepFailed;
import dev.rollback.api.event.StepRetrying;
import dev.rollback.api.event.StepSkipped;
import dev.rollback.api.event.StepStalled;
import dev.rollback.api.event.StepStarted;
import dev.rollback.api.event.StepSucceeded;
import dev.rollback.api.event.StepTimedOut;
import dev.rollback.api.event.VerificationFailed;
import dev.rollback.api.event.VerificationPassed;
import dev.rollback.core.trigger.DecisionListener;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Publishes what runs and triggers do as Micrometer meters: a {@link MeterBinder} (bind it to the
 * application's registry), a {@link RollbackListener} (add it to the executor) and a
 * {@link DecisionListener} (it adds itself to the {@link Builder#triggers trigger engine} it is
 * given). Journal append latency comes from {@link JournalMetrics#monitor}.
 *
 * <table>
 * <caption>Meters (names as Micrometer writes them; Prometheus adds {@code _total}, {@code _seconds})</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>{@code rollback.runs.started}</td><td>counter</td><td>plan, initiator, dry.run</td><td>runs started (and resumed)</td></tr>
 * <tr><td>{@code rollback.runs}</td><td>counter</td><td>plan, outcome</td><td>runs finished, by outcome</td></tr>
 * <tr><td>{@code rollback.run.duration}</td><td>timer</td><td>plan, outcome</td><td>how long finished runs took</td></tr>
 * <tr><td>{@code rollback.runs.active}</td><td>gauge</td><td></td><td>runs started and not finished</td></tr>
 * <tr><td>{@code rollback.rto.remaining}</td><td>gauge, seconds</td><td>plan, component</td><td>RTO budget left of each
 *     component (and of the plan, component "plan") of a live run; negative once overrun; present only while a run of the plan is live</td></tr>
 * <tr><td>{@code rollback.budget.exceeded}</td><td>counter</td><td>plan, component</td><td>budgets that ran out</td></tr>
 * <tr><td>{@code rollback.step.duration}</td><td>timer</td><td>plan, component, outcome</td><td>steps from first start to end</td></tr>
 * <tr><td>{@code rollback.step.attempts}</td><td>summary</td><td>plan, component, outcome</td><td>attempts each ended step took</td></tr>
 * <tr><td>{@code rollback.step.retries}</td><td>counter</td><td>plan, component</td><td>attempts that failed transiently and were retried</td></tr>
 * <tr><td>{@code rollback.step.stalls}</td><td>counter</td><td>plan, component</td><td>attempts interrupted for want of progress</td></tr>
 * <tr><td>{@code rollback.step.skipped}</td><td>counter</td><td>plan</td><td>steps that never started</td></tr>
 * <tr><td>{@code rollback.verifications}</td><td>counter</td><td>plan, verification, outcome</td><td>verifier results (PASSED, FAILED)</td></tr>
 * <tr><td>{@code rollback.decisions}</td><td>counter</td><td>rule, kind, action, severity</td><td>decisions the trigger engine took</td></tr>
 * <tr><td>{@code rollback.trigger.rule.state}</td><td>gauge</td><td>rule, state</td><td>1 for the state each rule is in, 0 for the others</td></tr>
 * <tr><td>{@code rollback.trigger.rule.observed}</td><td>gauge</td><td>rule, unit</td><td>what the latest evaluation saw; NaN without data</td></tr>
 * </table>
 *
 * <p>Tags are low-cardinality by design: plan, component, rule, verification and action names come
 * from code or configuration; a run id never becomes a tag (it is in the MDC and the events). The
 * step duration of a step this process never saw start (restored on resume) is not recorded.
 *
 * <p>Thread-safe; the executor calls it from its threads. Per step it does two map operations and
 * records two meters it keeps cached; run-level gauges are added when a plan's first live run starts
 * and removed when its last one finishes. Events before {@link #bindTo binding} only update what is
 * live. It never throws from a listener method on a bound registry's behalf, and never reads a
 * step's evidence or anything secret.
 */
public final class RollbackMetrics implements MeterBinder, RollbackListener, DecisionListener {
    private static final String PLAN_BUDGET = "plan";

    private final RollbackClock clock;
    private final Optional<TriggerEngine> engine;
    private final List<Bound> registries = new CopyOnWriteArrayList<>();
    private final Map<String, LiveRun> live = new ConcurrentHashMap<>();

    private RollbackMetrics(Builder b) {
        this.clock = b.clock;
        this.engine = Optional.ofNullable(b.engine);
    }

    /** Metrics of runs only, on the system clock. */
    public static RollbackMetrics ofDefaults() {
        return custom().build();
    }

    /** A builder. */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * Registers the meters that exist from the start (active runs, and the rules' states and observed
     * values of the trigger engine) and records every later event into {@code registry} too. Binding
     * the same registry twice does nothing.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (registries.stream().anyMatch(b -> b.registry == registry)) {
            return;
        }
        Bound bound = new Bound(registry);
        Gauge.builder("rollback.runs.active", live, Map::size)
                .description("Rollback runs started and not yet finished")
                .strongReference(true)
                .register(registry);
        engine.ifPresent(e -> bindRules(registry, e));
        for (String plan : livePlans()) {
            bound.addBudgetGauges(plan, budgetsOfPlan(plan));
        }
        // (a live dry run has no budgets, so it adds no gauge)
        registries.add(bound);
    }

    private static void bindRules(MeterRegistry registry, TriggerEngine engine) {
        for (TriggerRule rule : engine.matrix().rules()) {
            String name = rule.name();
            for (RuleState state : RuleState.values()) {
                Gauge.builder("rollback.trigger.rule.state", engine, e -> e.state(name) == state ? 1 : 0)
                        .description("1 for the state the trigger rule is in after its latest evaluation")
                        .tags("rule", name, "state", state.name())
                        .strongReference(true)
                        .register(registry);
            }
            Gauge.builder(
                            "rollback.trigger.rule.observed",
                            engine,
                            e -> e.observed(name).orElse(Double.NaN))
                    .description("What the latest evaluation of the trigger rule saw, in its unit")
                    .tags("rule", name, "unit", rule.unit())
                    .strongReference(true)
                    .register(registry);
        }
    }

    // ---- runs ----

    @Override
    public void onRunStarted(RunStarted e) {
        // a dry run spends no budget: it has none left to show
        Map<String, Duration> budgets = e.dryRun() ? Map.of() : e.budgets();
        live.put(e.runId(), new LiveRun(e.planName(), e.at(), budgets));
        String initiator = e.initiator().kind().name().toLowerCase(Locale.ROOT);
        for (Bound b : registries) {
            b.counter(
                            "rollback.runs.started",
                            "Rollback runs started",
                            "plan",
                            e.planName(),
                            "initiator",
                            initiator,
                            "dry.run",
                            Boolean.toString(e.dryRun()))
                    .increment();
        }
        if (!budgets.isEmpty() && !registries.isEmpty()) {
            synchronized (this) {
                for (Bound b : registries) {
                    b.addBudgetGauges(e.planName(), budgets.keySet());
                }
            }
        }
    }

    @Override
    public void onRunFinished(RunFinished e) {
        LiveRun run = live.remove(e.runId());
        if (run == null) {
            return;
        }
        String outcome = e.outcome().name();
        for (Bound b : registries) {
            b.counter("rollback.runs", "Rollback runs finished", "plan", run.plan, "outcome", outcome)
                    .increment();
            b.timer("rollback.run.duration", "How long rollback runs took", "plan", run.plan, "outcome", outcome)
                    .record(e.duration());
        }
        if (!registries.isEmpty()) {
            synchronized (this) {
                if (budgetsOfPlan(run.plan).isEmpty()) {
                    registries.forEach(b -> b.removeBudgetGauges(run.plan));
                }
            }
        }
    }

    @Override
    public void onBudgetExceeded(BudgetExceeded e) {
        LiveRun run = live.get(e.runId());
        if (run != null) {
            for (Bound b : registries) {
                b.counter(
                                "rollback.budget.exceeded",
                                "RTO budgets that ran out",
                                "plan",
                                run.plan,
                                "component",
                                e.component())
                        .increment();
            }
        }
    }

    // ---- steps ----

    @Override
    public void onStepStarted(StepStarted e) {
        LiveRun run = live.get(e.runId());
        if (run != null) {
            run.steps.putIfAbsent(e.stepId(), new StepStart(e.component(), e.at()));
        }
    }

    @Override
    public void onStepSucceeded(StepSucceeded e) {
        stepEnded(e.runId(), e.stepId(), "SUCCEEDED", e.attempts(), start -> e.duration());
    }

    @Override
    public void onStepFailed(StepFailed e) {
        stepEnded(e.runId(), e.stepId(), "FAILED", e.attempts(), start -> Duration.between(start, e.at()));
    }

    @Override
    public void onStepTimedOut(StepTimedOut e) {
        LiveRun run = live.get(e.runId());
        StepStart start = run == null ? null : run.steps.get(e.stepId());
        stepEnded(
                e.runId(),
                e.stepId(),
                "TIMED_OUT",
                start == null ? 0 : start.attempts,
                s -> Duration.between(s, e.at()));
    }

    @Override
    public void onStepRetrying(StepRetrying e) {
        LiveRun run = live.get(e.runId());
        StepStart start = run == null ? null : run.steps.get(e.stepId());
        if (start != null) {
            start.attempts = e.failedAttempt() + 1;
            for (Bound b : registries) {
                b.counter(
                                "rollback.step.retries",
                                "Step attempts that failed transiently and were retried",
                                "plan",
                                run.plan,
                                "component",
                                start.component)
                        .increment();
            }
        }
    }

    @Override
    public void onStepStalled(StepStalled e) {
        LiveRun run = live.get(e.runId());
        StepStart start = run == null ? null : run.steps.get(e.stepId());
        if (start != null) {
            for (Bound b : registries) {
                b.counter(
                                "rollback.step.stalls",
                                "Step attempts interrupted because they reported no progress",
                                "plan",
                                run.plan,
                                "component",
                                start.component)
                        .increment();
            }
        }
    }

    @Override
    public void onStepSkipped(StepSkipped e) {
        LiveRun run = live.get(e.runId());
        if (run != null) {
            for (Bound b : registries) {
                b.counter("rollback.step.skipped", "Steps that never started", "plan", run.plan)
                        .increment();
            }
        }
    }

    @Override
    public void onVerificationPassed(VerificationPassed e) {
        verified(e.runId(), e.verification().name(), "PASSED");
    }

    @Override
    public void onVerificationFailed(VerificationFailed e) {
        verified(e.runId(), e.verification().name(), "FAILED");
    }

    private void verified(String runId, String verification, String outcome) {
        LiveRun run = live.get(runId);
        if (run != null) {
            for (Bound b : registries) {
                b.counter(
                                "rollback.verifications",
                                "Verifier results",
                                "plan",
                                run.plan,
                                "verification",
                                verification,
                                "outcome",
                                outcome)
                        .increment();
            }
        }
    }

    private void stepEnded(
            String runId, String stepId, String outcome, int attempts, Function<Instant, Duration> duration) {
        LiveRun run = live.get(runId);
        StepStart start = run == null ? null : run.steps.remove(stepId);
        if (start == null) {
            return; // never seen starting here (restored on resume): no duration to give
        }
        Duration took = duration.apply(start.at);
        for (Bound b : registries) {
            StepMeters meters = b.step(run.plan, start.component, outcome);
            meters.duration.record(took.isNegative() ? Duration.ZERO : took);
            meters.attempts.record(attempts);
        }
    }

    // ---- decisions ----

    @Override
    public void onDecision(Decision d) {
        for (Bound b : registries) {
            b.counter(
                            "rollback.decisions",
                            "Decisions the trigger engine took",
                            "rule",
                            d.rule(),
                            "kind",
                            d.kind().name(),
                            "action",
                            d.action(),
                            "severity",
                            d.severity().name())
                    .increment();
        }
    }

    // ---- live runs ----

    /** The RTO budget left now of {@code component} ("plan" for the plan) in the live run of {@code plan} with least left. */
    double secondsLeft(String plan, String component) {
        Instant now = clock.instant();
        double least = Double.NaN;
        for (LiveRun run : live.values()) {
            Duration budget = run.plan.equals(plan) ? run.budgets.get(component) : null;
            if (budget != null) {
                double left = budget.minus(Duration.between(run.startedAt, now)).toNanos() / 1e9;
                least = Double.isNaN(least) ? left : Math.min(least, left);
            }
        }
        return least;
    }

    private List<String> livePlans() {
        return live.values().stream().map(r -> r.plan).distinct().toList();
    }

    private List<String> budgetsOfPlan(String plan) {
        List<String> components = new ArrayList<>();
        live.values().stream()
                .filter(r -> r.plan.equals(plan))
                .forEach(r -> r.budgets.keySet().stream()
                        .filter(c -> !components.contains(c))
                        .forEach(components::add));
        return components;
    }

    /** A run started and not finished: its plan, when its budgets count from, and its steps that started. */
    private static final class LiveRun {
        final String plan;
        final Instant startedAt;
        final Map<String, Duration> budgets;
        final Map<String, StepStart> steps = new ConcurrentHashMap<>();

        LiveRun(String plan, Instant startedAt, Map<String, Duration> budgets) {
            this.plan = plan;
            this.startedAt = startedAt;
            this.budgets = budgets;
        }
    }

    /** A step's component, first start and attempts so far (updated by its own thread only). */
    private static final class StepStart {
        final String component;
        final Instant at;
        volatile int attempts = 1;

        StepStart(String component, Instant at) {
            this.component = component;
            this.at = at;
        }
    }

    private record StepKey(String plan, String component, String outcome) {}

    private record StepMeters(Timer duration, DistributionSummary attempts) {}

    private record CounterKey(String name, List<String> tags) {}

    /** One bound registry and the meters made in it, cached so an event costs a map look-up. */
    private final class Bound {
        final MeterRegistry registry;
        final Map<StepKey, StepMeters> steps = new ConcurrentHashMap<>();
        final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();
        final Map<CounterKey, Timer> timers = new ConcurrentHashMap<>();
        final Map<String, List<Meter>> budgetGauges = new ConcurrentHashMap<>();

        Bound(MeterRegistry registry) {
            this.registry = registry;
        }

        Counter counter(String name, String description, String... tags) {
            return counters.computeIfAbsent(
                    new CounterKey(name, List.of(tags)),
                    k -> Counter.builder(name)
                            .description(description)
                            .tags(tags)
                            .register(registry));
        }

        Timer timer(String name, String description, String... tags) {
            return timers.computeIfAbsent(
                    new CounterKey(name, List.of(tags)),
                    k -> Timer.builder(name).description(description).tags(tags).register(registry));
        }

        StepMeters step(String plan, String component, String outcome) {
            return steps.computeIfAbsent(new StepKey(plan, component, outcome), k -> {
                Tags tags = Tags.of("plan", plan, "component", component, "outcome", outcome);
                return new StepMeters(
                        Timer.builder("rollback.step.duration")
                                .description("Rollback steps from their first start to their end")
                                .tags(tags)
                                .register(registry),
                        DistributionSummary.builder("rollback.step.attempts")
                                .description("Attempts each ended rollback step took")
                                .tags(tags)
                                .register(registry));
            });
        }

        void addBudgetGauges(String plan, Iterable<String> components) {
            List<Meter> gauges = budgetGauges.computeIfAbsent(plan, p -> new ArrayList<>());
            for (String component : components) {
                boolean present =
                        gauges.stream().anyMatch(g -> component.equals(g.getId().getTag("component")));
                if (!present) {
                    gauges.add(Gauge.builder(
                                    "rollback.rto.remaining", RollbackMetrics.this, m -> m.secondsLeft(plan, component))
                            .description("RTO budget left in the live run of the plan; negative once overrun")
                            .baseUnit("seconds")
                            .tags("plan", plan, "component", component)
                            .strongReference(true)
                            .register(registry));
                }
            }
        }

        void removeBudgetGauges(String plan) {
            List<Meter> gauges = budgetGauges.remove(plan);
            if (gauges != null) {
                gauges.forEach(registry::remove);
            }
        }
    }

    /** Builds {@link RollbackMetrics}. Not thread-safe; reusable. */
    public static final class Builder {
        private RollbackClock clock = RollbackClock.system();
        private TriggerEngine engine;

        private Builder() {}

        /**
         * The clock the RTO budget left is read from: the executor's. Default:
         * {@link RollbackClock#system()}.
         */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * A trigger engine whose rules' states and observed values become gauges and whose decisions
         * are counted (the metrics add themselves as its decision listener when built). Default: none.
         */
        public Builder triggers(TriggerEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
            return this;
        }

        /** Builds the metrics; bind them to a registry and add them to the executor as a listener. */
        public RollbackMetrics build() {
            RollbackMetrics metrics = new RollbackMetrics(this);
            metrics.engine.ifPresent(e -> e.addListener(metrics));
            return metrics;
        }
    }
}
