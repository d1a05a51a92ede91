package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.internal.SafeText;
import dev.rollback.core.trigger.internal.SlotTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when to roll back: records live signals, evaluates a {@link DecisionMatrix} over them
 * and hands each {@link Decision} to its {@link DecisionListener}s, one per episode of a rule.
 *
 * <p><b>Recording</b> ({@link #recordRequest}, {@link #recordConnectionAttempt}, ..., and an application's own
 * signals through {@link #rate(String)}, {@link #latency(String)}, {@link #gauge(String)}) is
 * thread-safe, lock-free and allocation-free: requests and connection attempts go into striped
 * sliding windows on the clock's monotonic time (so a wall clock that jumps never corrupts a
 * window), latencies into a log-bucket histogram (see {@link LatencyStatistic}). A started engine on
 * the system clock also keeps a fast path open for most of each window slot, so that recording
 * does not read the clock (see docs/triggers.md, "The fast path"). Alarms
 * ({@link #raiseSecurityBreach}, {@link #raiseDataCorruption}) are evaluated at once, on the
 * raising thread.
 *
 * <p><b>Evaluating</b>: {@link #start()} evaluates every {@link Builder#evaluationInterval
 * evaluation interval} on a single daemon thread the engine owns until {@link #close()}; tests and
 * replays call {@link #evaluate()} instead, on a clock they move. Evaluations are serialized.
 * Decisions are stamped with the clock's wall time; durations (sustain, hold time, windows,
 * heightened monitoring) are measured on its monotonic time.
 *
 * <p>The engine never runs a plan, never blocks a recording thread, and never lets a listener's
 * exception stop it (it is logged). Thread-safe.
 */
public final class TriggerEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TriggerEngine.class);

    private final DecisionMatrix matrix;
    private final RollbackClock clock;
    private final Duration evaluationInterval;
    private final Duration resolution;
    private final List<DecisionListener> listeners;
    private final Signals signals;
    private final RuleTracker[] trackers;
    private final double[] overrideThresholds; // NaN: no override
    private final long[] overridesUntil;
    private ScheduledExecutorService evaluator;
    /** Set once by {@link #start()}; its ticks run on {@link #evaluator}. */
    private volatile SlotTicker ticker;

    private boolean closed;

    private TriggerEngine(Builder b) {
        this.matrix = b.matrix;
        this.clock = b.clock;
        this.evaluationInterval = b.evaluationInterval;
        this.resolution = b.resolution;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        this.signals =
                new Signals(matrix.rules(), b.customSignals, clock.monotonicNanos(), b.resolution.toNanos(), b.stripes);
        this.trackers = matrix.rules().stream().map(RuleTracker::new).toArray(RuleTracker[]::new);
        this.overrideThresholds = new double[trackers.length];
        this.overridesUntil = new long[trackers.length];
        Arrays.fill(overrideThresholds, Double.NaN);
    }

    /** A builder: the runbook's matrix on the system clock, evaluated every second, unless told otherwise. */
    public static Builder builder() {
        return new Builder();
    }

    /** An engine for {@code matrix} with every other setting at its default. */
    public static TriggerEngine of(DecisionMatrix matrix) {
        return builder().matrix(matrix).build();
    }

    /** The matrix this engine evaluates. */
    public DecisionMatrix matrix() {
        return matrix;
    }

    /**
     * Records one request: how long it took and whether it succeeded. Lock-free and
     * allocation-free.
     *
     * @param latency how long the request took, in {@code unit}; negative counts as zero
     */
    public void recordRequest(long latency, TimeUnit unit, boolean success) {
        signals.recordRequest(clock, unit.toNanos(latency), success);
    }

    /**
     * The recorder of the custom rate {@code name} (declared with {@link Builder#signal(CustomSignal)} or
     * watched by a rule); get it once and keep it: recording through it costs what
     * {@link #recordRequest} costs.
     *
     * @throws IllegalArgumentException if this engine has no custom rate of that name
     */
    public RateRecorder rate(String name) {
        Objects.requireNonNull(name, "name");
        Signals.Custom c = signals.custom(name, CustomSignal.Kind.RATE);
        return new RateRecorder(c.signal, c.window, clock);
    }

    /**
     * The recorder of the custom latency {@code name}; as {@link #rate(String)}.
     *
     * @throws IllegalArgumentException if this engine has no custom latency of that name
     */
    public LatencyRecorder latency(String name) {
        Objects.requireNonNull(name, "name");
        Signals.Custom c = signals.custom(name, CustomSignal.Kind.LATENCY);
        return new LatencyRecorder(c.signal, c.window, clock);
    }

    /**
     * The recorder of the custom gauge {@code name}; as {@link #rate(String)}.
     *
     * @throws IllegalArgumentException if this engine has no custom gauge of that name
     */
    public GaugeRecorder gauge(String name) {
        Objects.requireNonNull(name, "name");
        Signals.Custom c = signals.custom(name, CustomSignal.Kind.GAUGE);
        return new GaugeRecorder(c.signal, c.gauge, clock);
    }

    /** The application's own signals this engine records: those declared and those its rules watch. */
    public List<CustomSignal> customSignals() {
        return signals.customSignals();
    }

    /** Records one database connection attempt. Lock-free and allocation-free. */
    public void recordConnectionAttempt(boolean succeeded) {
        signals.recordConnectionAttempt(clock, succeeded);
    }

    /** Records one health check; a pass ends the run of consecutive failures. Lock-free. */
    public void recordHealthCheck(boolean passed) {
        signals.recordHealthCheck(passed);
    }

    /** Records a memory-usage sample, in percent [0, 100]. */
    public void recordMemoryUsage(double percent) {
        signals.recordMemoryUsage(clock.monotonicNanos(), requirePercent(percent, "percent"));
    }

    /** Records a disk-space-used sample, in percent [0, 100]. */
    public void recordDiskSpace(double percent) {
        signals.recordDiskSpace(clock.monotonicNanos(), requirePercent(percent, "percent"));
    }

    /** Raises the security-breach alarm with what was detected, and evaluates at once. */
    public void raiseSecurityBreach(String description) {
        raise(Signal.SECURITY_BREACH, description);
    }

    /** Raises the data-corruption alarm with its indicator, and evaluates at once. */
    public void raiseDataCorruption(String description) {
        raise(Signal.DATA_CORRUPTION, description);
    }

    /** Clears the security-breach alarm; its rule resolves at the next evaluation (after its hold time). */
    public void clearSecurityBreach() {
        signals.alarm(Signal.SECURITY_BREACH).set(null);
    }

    /** Clears the data-corruption alarm; its rule resolves at the next evaluation (after its hold time). */
    public void clearDataCorruption() {
        signals.alarm(Signal.DATA_CORRUPTION).set(null);
    }

    /**
     * Applies tighter thresholds until {@code monitoring.duration()} has passed (on the
     * monotonic clock); an override for a rule replaces an earlier one for the same rule.
     *
     * @throws IllegalArgumentException if a rule is not in the matrix, is an alarm, or the new
     *     threshold is not tighter than (at most) the rule's own
     */
    public synchronized void heightenMonitoring(HeightenedMonitoring monitoring) {
        Objects.requireNonNull(monitoring, "monitoring");
        int[] indexes = new int[monitoring.thresholds().size()];
        int i = 0;
        for (Map.Entry<String, Double> override : monitoring.thresholds().entrySet()) {
            int index = indexOf(override.getKey());
            TriggerRule rule = trackers[index].rule();
            if (rule.signal().isAlarm() || override.getValue() > rule.threshold()) {
                throw new IllegalArgumentException("heightened threshold for rule '" + rule.name()
                        + "' must be at most its"
                        + " threshold " + rule.threshold() + (rule.signal().isAlarm() ? " and not an alarm" : "")
                        + ", but was " + override.getValue());
            }
            indexes[i++] = index;
        }
        long until = clock.monotonicNanos() + monitoring.duration().toNanos();
        i = 0;
        for (double threshold : monitoring.thresholds().values()) {
            overrideThresholds[indexes[i]] = threshold;
            overridesUntil[indexes[i++]] = until;
        }
        LOG.info(
                "Heightened monitoring for {}: {}",
                Descriptions.duration(monitoring.duration()),
                monitoring.thresholds());
    }

    /**
     * Adds a listener to a built engine, for components built after it that must hear its decisions
     * (an incident response that also reads the engine's rule states). It hears decisions taken
     * from now on.
     */
    public void addListener(DecisionListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * What the latest evaluation of {@code rule} saw, in the rule's unit (a ratio for error rates,
     * seconds for response times); empty before the first evaluation or when the rule had no data.
     */
    public synchronized OptionalDouble observed(String rule) {
        double v = trackers[indexOf(rule)].lastObserved();
        return Double.isNaN(v) ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /**
     * The heightened-monitoring threshold in force for {@code rule} now, if one applies (see
     * {@link #heightenMonitoring}); empty once it expired.
     */
    public synchronized OptionalDouble heightenedThreshold(String rule) {
        int i = indexOf(rule);
        if (Double.isNaN(overrideThresholds[i]) || clock.monotonicNanos() - overridesUntil[i] >= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(overrideThresholds[i]);
    }

    /** The state of the rule named {@code rule} after the latest evaluation. */
    public synchronized RuleState state(String rule) {
        return trackers[indexOf(rule)].state();
    }

    /**
     * Evaluates every rule now, on the engine's clock, hands each new decision to the listeners
     * and returns them (empty when no rule fired at this evaluation).
     */
    public synchronized List<Decision> evaluate() {
        long nowNanos = clock.monotonicNanos();
        Instant now = clock.instant();
        List<Decision> decisions = new ArrayList<>(0);
        signals.beginEvaluation();
        for (int i = 0; i < trackers.length; i++) {
            TriggerRule rule = trackers[i].rule();
            double threshold = rule.threshold();
            double clearAt = rule.clearThreshold();
            if (!Double.isNaN(overrideThresholds[i])) {
                if (nowNanos - overridesUntil[i] < 0) {
                    threshold = overrideThresholds[i];
                    clearAt = Math.min(clearAt, threshold);
                } else {
                    overrideThresholds[i] = Double.NaN;
                    LOG.info("Heightened monitoring of rule '{}' expired", rule.name());
                }
            }
            String alarm =
                    rule.signal().isAlarm() ? signals.alarm(rule.signal()).get() : null;
            trackers[i]
                    .evaluate(signals.observe(rule, nowNanos), threshold, clearAt, alarm, nowNanos, now)
                    .ifPresent(decisions::add);
        }
        for (Decision decision : decisions) {
            LOG.warn(
                    "Decision: {} ({}, {}) by rule '{}': {}",
                    SafeText.of(decision.action()),
                    decision.kind(),
                    decision.severity(),
                    SafeText.of(decision.rule()),
                    SafeText.of(decision.description()));
            for (DecisionListener listener : listeners) {
                try {
                    listener.onDecision(decision);
                } catch (RuntimeException e) {
                    LOG.error("Decision listener {} failed on {}; the engine goes on", listener, decision.rule(), e);
                }
            }
        }
        return decisions;
    }

    /**
     * Starts evaluating every evaluation interval on a daemon thread the engine owns. Calling it
     * again does nothing.
     *
     * @throws IllegalStateException if the engine was closed
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("the trigger engine was closed");
        }
        if (evaluator == null) {
            evaluator = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "rollback-trigger-evaluator");
                thread.setDaemon(true);
                return thread;
            });
            long period = evaluationInterval.toNanos();
            evaluator.scheduleWithFixedDelay(this::evaluateOnSchedule, period, period, TimeUnit.NANOSECONDS);
            // Only on the system clock: the scheduler waits in real time, a test clock moves when told.
            if (clock == RollbackClock.system() && resolution.compareTo(SlotTicker.MINIMUM_RESOLUTION) >= 0) {
                ticker = signals.ticker(clock);
                ScheduledExecutorService scheduler = evaluator;
                scheduler.execute(() -> tickOnSchedule(scheduler));
            }
        }
    }

    /** The fast-path ticker of a started engine on the system clock (for tests). */
    Optional<SlotTicker> slotTicker() {
        return Optional.ofNullable(ticker);
    }

    /** Stops the scheduled evaluations (waiting for a running one) and releases the thread. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService stopping;
        synchronized (this) {
            closed = true;
            stopping = evaluator;
            evaluator = null;
        }
        if (stopping != null) {
            stopping.shutdownNow();
            try {
                stopping.awaitTermination(evaluationInterval.toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (ticker != null) {
                ticker.stop(); // after the scheduler ended: no tick can reopen the fast path
            }
        }
    }

    @Override
    public String toString() {
        return "TriggerEngine[" + matrix + ", every " + Descriptions.duration(evaluationInterval) + "]";
    }

    private void tickOnSchedule(ScheduledExecutorService scheduler) {
        try {
            long late = ticker.lateCloses();
            Duration next = ticker.tick();
            if (ticker.lateCloses() > late) {
                LOG.debug(
                        "The recording fast path closed {} after its slot ended (the evaluator thread was late);"
                                + " requests of that interval were counted one slot early",
                        ticker.latestLateness());
            }
            scheduler.schedule(() -> tickOnSchedule(scheduler), next.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            ticker.stop(); // closed meanwhile
        } catch (RuntimeException e) {
            ticker.stop();
            LOG.error("The recording fast path stopped; recording reads the clock on every request from now on", e);
        }
    }

    private void evaluateOnSchedule() {
        try {
            evaluate();
        } catch (RuntimeException e) {
            LOG.error("Trigger evaluation failed; the next one runs as scheduled", e);
        }
    }

    private void raise(Signal alarm, String description) {
        Objects.requireNonNull(description, "description");
        if (description.isBlank()) {
            throw new IllegalArgumentException("description must not be blank, but was '" + description + "'");
        }
        signals.alarm(alarm).set(description);
        evaluate();
    }

    private int indexOf(String rule) {
        Objects.requireNonNull(rule, "rule");
        for (int i = 0; i < trackers.length; i++) {
            if (trackers[i].rule().name().equals(rule)) {
                return i;
            }
        }
        throw new IllegalArgumentException("rule '" + rule + "' is not in matrix " + matrix.name());
    }

    private static double requirePercent(double percent, String field) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException(field + " must be in [0, 100], but was " + percent);
        }
        return percent;
    }

    /**
     * Builds a {@link TriggerEngine}. Setters check their argument at once. Not thread-safe;
     * reusable: each {@link #build()} makes an independent engine.
     */
    public static final class Builder {
        private DecisionMatrix matrix = DecisionMatrix.ofDefaults();
        private RollbackClock clock = RollbackClock.system();
        private Duration evaluationInterval = Duration.ofSeconds(1);
        private Duration resolution = Duration.ofSeconds(1);
        private int stripes = Runtime.getRuntime().availableProcessors() > 1 ? 2 : 1;
        private final List<DecisionListener> listeners = new ArrayList<>();
        private final List<CustomSignal> customSignals = new ArrayList<>();

        private Builder() {}

        /** The rules to evaluate; default {@link DecisionMatrix#ofDefaults()}, the runbook's. */
        public Builder matrix(DecisionMatrix matrix) {
            this.matrix = Objects.requireNonNull(matrix, "matrix");
            return this;
        }

        /** Where time is read; default {@link RollbackClock#system()}. Tests pass a {@code ManualClock}. */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often {@link #start() started} evaluation runs; positive, default 1 second. */
        public Builder evaluationInterval(Duration evaluationInterval) {
            this.evaluationInterval = requirePositive(evaluationInterval, "evaluationInterval");
            return this;
        }

        /**
         * The length of a window slot, which is how finely windows slide; from 1 ms to 1 minute,
         * default 1 second. Memory grows with window / resolution (see docs/triggers.md).
         */
        public Builder resolution(Duration resolution) {
            requirePositive(resolution, "resolution");
            if (resolution.compareTo(Duration.ofMillis(1)) < 0 || resolution.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("resolution must be from 1 ms to 1 minute, but was " + resolution);
            }
            this.resolution = resolution;
            return this;
        }

        /**
         * How many stripes of each kind the windows split recording threads over: a power of two
         * from 1 to 64; default 2 (1 on a single processor). Each index has a stripe one thread
         * owns and writes without atomic instructions, and a stripe the other threads of that
         * index share with atomic adds (made only once a thread has to share), so the default
         * spreads recording over up to 4 stripes. Memory grows with it (see docs/triggers.md).
         */
        public Builder stripes(int stripes) {
            if (stripes < 1 || stripes > 64 || Integer.bitCount(stripes) != 1) {
                throw new IllegalArgumentException("stripes must be a power of two from 1 to 64, but was " + stripes);
            }
            this.stripes = stripes;
            return this;
        }

        /**
         * Registers one of the application's own signals, so that it can be recorded
         * ({@link TriggerEngine#rate(String)}, ...) even before a rule watches it; signals rules of the
         * matrix watch are registered without this. A name registered twice must mean the same signal.
         */
        public Builder signal(CustomSignal signal) {
            customSignals.add(Objects.requireNonNull(signal, "signal"));
            return this;
        }

        /** Adds a listener for decisions. */
        public Builder onDecision(DecisionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Builds the engine; it does not evaluate until {@link TriggerEngine#start()} or
         * {@link TriggerEngine#evaluate()}.
         *
         * @throws IllegalArgumentException if one custom signal name stands for two different signals
         */
        public TriggerEngine build() {
            return new TriggerEngine(this);
        }

        private static Duration requirePositive(Duration value, String field) {
            Objects.requireNonNull(value, field);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, but was " + value);
            }
            return value;
        }
    }
}
