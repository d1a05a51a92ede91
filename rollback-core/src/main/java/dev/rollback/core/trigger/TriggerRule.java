package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import dev.rollback.api.Policy;
import dev.rollback.api.Severity;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * One row of a {@link DecisionMatrix}: a condition on a {@link Signal} and the {@link Decision}
 * to take when it holds long enough ("error rate &gt; 1% for 5 minutes: application rollback").
 *
 * <p><b>Condition.</b> {@link Builder#above(double) above(t)} breaches when the observed value is
 * strictly greater than {@code t}, exactly as the runbook writes "&gt;1%": 1.0% does not breach.
 * {@link Builder#between(double, double) between(a, b)} breaches when {@code a < value <= b}: the
 * runbook's warning band "error rate 0.5-1%" is above 0.5% and at most 1%, so it ends exactly
 * where the rollback rule "&gt;1%" begins (1.0% is a warning, 1.01% a rollback). Windowed signals need at least
 * {@link #minimumEvents()} events in their {@link #window()}, or the evaluation has no data and
 * the rule's {@link NoDataPolicy} says what that means.
 *
 * <p><b>Sustain.</b> An evaluation is <i>active</i> when at least {@link #breachesRequired() k} of
 * the last {@link #evaluationsConsidered() n} evaluations breached (k = n = 1 by default: this one
 * breached). The rule fires when it has been active at every evaluation for {@link #sustain()}
 * (Prometheus {@code for}: the runbook's "for 5+ minutes" fires at 5:00, not 4:59). A single
 * inactive evaluation starts the sustain again.
 *
 * <p><b>Hysteresis.</b> A firing rule resolves only when its value has been at or below
 * {@link #clearThreshold()} (by default the threshold itself) at every evaluation for
 * {@link #holdTime()}; only then can it fire again, so one episode makes one decision.
 *
 * <p>Immutable and thread-safe. Built with {@link #custom()} or {@link #from(TriggerRule)}; a rule
 * never reads a clock or records anything itself.
 */
public final class TriggerRule implements Policy {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final String name;
    private final Signal signal;
    private final CustomSignal customSignal; // null for a built-in signal
    private final double threshold;
    private final double upperBound;
    private final LatencyStatistic statistic;
    private final Duration window;
    private final long minimumEvents;
    private final Duration sustain;
    private final int breachesRequired;
    private final int evaluationsConsidered;
    private final double clearThreshold;
    private final Duration holdTime;
    private final NoDataPolicy noData;
    private final String action;
    private final Decision.Kind kind;
    private final Severity severity;

    private TriggerRule(Builder b) {
        this.name = b.name;
        this.signal = b.signal;
        this.customSignal = b.customSignal;
        this.threshold = b.threshold;
        this.upperBound = b.upperBound;
        this.statistic = b.statistic;
        this.window = b.window;
        this.minimumEvents = b.minimumEvents;
        this.sustain = b.sustain;
        this.breachesRequired = b.breachesRequired;
        this.evaluationsConsidered = b.evaluationsConsidered;
        this.clearThreshold = Double.isNaN(b.clearThreshold) ? b.threshold : b.clearThreshold;
        this.holdTime = b.holdTime;
        this.noData = b.noData;
        this.action = b.action;
        this.kind = b.kind;
        this.severity = b.severity;
    }

    /** A builder with the defaults listed on each of its methods; name, signal, threshold and action are required. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder that starts from every setting of {@code base}. */
    public static Builder from(TriggerRule base) {
        return new Builder(Objects.requireNonNull(base, "base"));
    }

    /** The rule's name, as decisions and reports show it ("error-rate"). */
    @Override
    public String name() {
        return name;
    }

    /** The signal this rule watches; one of the {@code CUSTOM_} constants for an application's own. */
    public Signal signal() {
        return signal;
    }

    /** The application's own signal this rule watches, when {@link #signal()} is a {@code CUSTOM_} one. */
    public Optional<CustomSignal> customSignal() {
        return Optional.ofNullable(customSignal);
    }

    /** The unit of the threshold and the observed value: the signal's, or the custom signal's. */
    public String unit() {
        return customSignal != null ? customSignal.unit() : signal.unit();
    }

    /** The threshold, in the signal's unit: the value must be above it. */
    public double threshold() {
        return threshold;
    }

    /** The top of the band for a {@link Builder#between(double, double) between} rule; empty for an {@code above} rule. */
    public OptionalDouble upperBound() {
        return Double.isInfinite(upperBound) ? OptionalDouble.empty() : OptionalDouble.of(upperBound);
    }

    /** The latency statistic of a {@link Signal#RESPONSE_TIME} rule. */
    public LatencyStatistic statistic() {
        return statistic;
    }

    /** The sliding window of a windowed signal, or the longest age of a usable gauge sample. */
    public Duration window() {
        return window;
    }

    /** The fewest events in the window for a windowed signal to be evaluated at all. */
    public long minimumEvents() {
        return minimumEvents;
    }

    /** How long the rule must be active at every evaluation before it fires. */
    public Duration sustain() {
        return sustain;
    }

    /** k: how many of the last n evaluations must breach for an evaluation to be active. */
    public int breachesRequired() {
        return breachesRequired;
    }

    /** n: how many recent evaluations k is counted over. */
    public int evaluationsConsidered() {
        return evaluationsConsidered;
    }

    /** The value at or below which a firing rule is clear (the threshold unless set lower). */
    public double clearThreshold() {
        return clearThreshold;
    }

    /** How long a firing rule must be clear at every evaluation before it resolves. */
    public Duration holdTime() {
        return holdTime;
    }

    /** What an evaluation without enough data means for this rule. */
    public NoDataPolicy noData() {
        return noData;
    }

    /** The action to take, a name the application binds to a plan ("application-rollback"). */
    public String action() {
        return action;
    }

    /** Whether a firing rule asks for an automatic rollback or a manual review. */
    public Decision.Kind kind() {
        return kind;
    }

    /** The severity of the incident a decision of this rule opens. */
    public Severity severity() {
        return severity;
    }

    /** Whether {@code observed} breaches this rule's condition with {@code lowerBound} as its threshold. */
    boolean breaches(double observed, double lowerBound) {
        return observed > lowerBound && observed <= upperBound;
    }

    /** Whether {@code observed} meets the clear condition, {@code clearAt} being the clear threshold in force. */
    boolean clears(double observed, double clearAt) {
        return !breaches(observed, clearAt);
    }

    @Override
    public String toString() {
        return "TriggerRule[" + name + ": " + Descriptions.condition(this, threshold) + " for "
                + Descriptions.duration(sustain) + " -> " + action + " (" + kind + ", " + severity + ")]";
    }

    /**
     * Builds a {@link TriggerRule}. Each setter checks its argument at once and throws
     * {@link IllegalArgumentException} naming the field and the value; {@link #build()} checks
     * the rules between fields. Not thread-safe; reusable: building again never changes a rule
     * already built.
     */
    public static final class Builder {
        private String name;
        private Signal signal;
        private CustomSignal customSignal;
        private double threshold = Double.NaN;
        private double upperBound = Double.POSITIVE_INFINITY;
        private LatencyStatistic statistic = LatencyStatistic.P95;
        private Duration window = Duration.ofMinutes(1);
        private long minimumEvents = 100;
        private Duration sustain = Duration.ZERO;
        private int breachesRequired = 1;
        private int evaluationsConsidered = 1;
        private double clearThreshold = Double.NaN;
        private Duration holdTime = Duration.ZERO;
        private NoDataPolicy noData = NoDataPolicy.INSUFFICIENT;
        private String action;
        private Decision.Kind kind = Decision.Kind.ROLLBACK;
        private Severity severity = Severity.SEV1;

        private Builder() {}

        private Builder(TriggerRule base) {
            name = base.name;
            signal = base.signal;
            customSignal = base.customSignal;
            threshold = base.threshold;
            upperBound = base.upperBound;
            statistic = base.statistic;
            window = base.window;
            minimumEvents = base.minimumEvents;
            sustain = base.sustain;
            breachesRequired = base.breachesRequired;
            evaluationsConsidered = base.evaluationsConsidered;
            clearThreshold = base.clearThreshold == base.threshold ? Double.NaN : base.clearThreshold;
            holdTime = base.holdTime;
            noData = base.noData;
            action = base.action;
            kind = base.kind;
            severity = base.severity;
        }

        /** Required: 1-128 letters, digits, '.', '-' or '_', starting with a letter or digit. */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("name must be 1-128 letters, digits, '.', '-' or '_' starting with"
                        + " a letter or digit, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** Required (this or {@link #signal(CustomSignal)}): the built-in signal this rule watches. */
        public Builder signal(Signal signal) {
            this.signal = Objects.requireNonNull(signal, "signal");
            this.customSignal = null;
            return this;
        }

        /**
         * The application's own signal this rule watches, instead of a built-in one; the engine that
         * evaluates the rule registers it.
         */
        public Builder signal(CustomSignal signal) {
            Objects.requireNonNull(signal, "signal");
            this.signal = signal.kind().signal();
            this.customSignal = signal;
            return this;
        }

        /**
         * Breaches when the value is strictly above {@code threshold}, in the signal's unit (a ratio
         * for rates: 0.01 is 1%; percent for gauges; a count for failed health checks). Not for alarms.
         */
        public Builder above(double threshold) {
            this.threshold = requireNonNegative(threshold, "threshold");
            this.upperBound = Double.POSITIVE_INFINITY;
            return this;
        }

        /** {@link #above(double)} for {@link Signal#RESPONSE_TIME}: the latency statistic is above {@code threshold}. */
        public Builder above(Duration threshold) {
            return above(seconds(threshold, "threshold"));
        }

        /** Breaches when {@code low < value <= high}, as the runbook's warning bands read ("0.5-1%"). */
        public Builder between(double low, double high) {
            requireNonNegative(low, "low");
            requireNonNegative(high, "high");
            if (!(high > low)) {
                throw new IllegalArgumentException("high must be above low, but was " + high + " (low " + low + ")");
            }
            this.threshold = low;
            this.upperBound = high;
            return this;
        }

        /** {@link #between(double, double)} for {@link Signal#RESPONSE_TIME}. */
        public Builder between(Duration low, Duration high) {
            return between(seconds(low, "low"), seconds(high, "high"));
        }

        /** The latency statistic of a response-time rule; default {@link LatencyStatistic#P95}. */
        public Builder statistic(LatencyStatistic statistic) {
            this.statistic = Objects.requireNonNull(statistic, "statistic");
            return this;
        }

        /**
         * The sliding window a rate or latency is computed over, or the longest age of a usable
         * gauge sample; positive, default 1 minute.
         */
        public Builder window(Duration window) {
            this.window = requirePositive(window, "window");
            return this;
        }

        /** The fewest events in the window before a rate or latency is evaluated; at least 1, default 100. */
        public Builder minimumEvents(long minimumEvents) {
            if (minimumEvents < 1) {
                throw new IllegalArgumentException("minimumEvents must be at least 1, but was " + minimumEvents);
            }
            this.minimumEvents = minimumEvents;
            return this;
        }

        /** How long the rule must be active at every evaluation before it fires; zero or more, default zero. */
        public Builder sustain(Duration sustain) {
            this.sustain = requireNonNegative(sustain, "sustain");
            return this;
        }

        /**
         * An evaluation is active when at least {@code breaches} of the last {@code evaluations}
         * breached, for noisy signals; {@code 1 <= breaches <= evaluations <= 64}, default 1 of 1.
         */
        public Builder kOfN(int breaches, int evaluations) {
            if (evaluations < 1 || evaluations > 64) {
                throw new IllegalArgumentException("evaluations must be 1-64, but was " + evaluations);
            }
            if (breaches < 1 || breaches > evaluations) {
                throw new IllegalArgumentException("breaches must be 1-" + evaluations + ", but was " + breaches);
            }
            this.breachesRequired = breaches;
            this.evaluationsConsidered = evaluations;
            return this;
        }

        /** The value at or below which a firing rule counts as clear; at most the threshold, default the threshold. */
        public Builder clearThreshold(double clearThreshold) {
            this.clearThreshold = requireNonNegative(clearThreshold, "clearThreshold");
            return this;
        }

        /** {@link #clearThreshold(double)} for {@link Signal#RESPONSE_TIME}. */
        public Builder clearThreshold(Duration clearThreshold) {
            return clearThreshold(seconds(clearThreshold, "clearThreshold"));
        }

        /** How long a firing rule must stay clear before it resolves; zero or more, default zero. */
        public Builder holdTime(Duration holdTime) {
            this.holdTime = requireNonNegative(holdTime, "holdTime");
            return this;
        }

        /** What an evaluation without enough data means; default {@link NoDataPolicy#INSUFFICIENT}. */
        public Builder noData(NoDataPolicy noData) {
            this.noData = Objects.requireNonNull(noData, "noData");
            return this;
        }

        /** Required: the action, a name the application binds to a plan ("application-rollback"). */
        public Builder action(String action) {
            Objects.requireNonNull(action, "action");
            if (action.isBlank()) {
                throw new IllegalArgumentException("action must not be blank, but was '" + action + "'");
            }
            this.action = action;
            return this;
        }

        /** Automatic rollback or manual review; default {@link Decision.Kind#ROLLBACK}. */
        public Builder kind(Decision.Kind kind) {
            this.kind = Objects.requireNonNull(kind, "kind");
            return this;
        }

        /** The severity of the incident a decision opens; default {@link Severity#SEV1}. */
        public Builder severity(Severity severity) {
            this.severity = Objects.requireNonNull(severity, "severity");
            return this;
        }

        /**
         * Checks the fields together and builds. Alarms take no threshold (they breach while
         * present); rates and ratios must lie in [0, 1], percentages in [0, 100]; the clear
         * threshold may not exceed the threshold.
         *
         * @throws IllegalArgumentException naming the field that is missing or out of range
         */
        public TriggerRule build() {
            if (name == null) {
                throw new IllegalArgumentException("name is required");
            }
            if (signal == null) {
                throw new IllegalArgumentException("signal is required (rule '" + name + "')");
            }
            if (action == null) {
                throw new IllegalArgumentException("action is required (rule '" + name + "')");
            }
            if (signal.isCustom() && customSignal == null) {
                throw new IllegalArgumentException("signal " + signal + " of rule '" + name
                        + "' needs the custom signal it stands for: call signal(CustomSignal...)");
            }
            if (signal.isAlarm()) {
                if (!Double.isNaN(threshold) && (threshold != 0 || isBand())) {
                    throw new IllegalArgumentException(
                            "an alarm takes no threshold, but rule '" + name + "' has " + threshold);
                }
                threshold = 0;
            } else if (Double.isNaN(threshold)) {
                throw new IllegalArgumentException(
                        "threshold is required: call above(...) or between(...) (rule '" + name + "')");
            }
            String unit = customSignal != null ? customSignal.unit() : signal.unit();
            double max = Signals.maxOf(unit);
            if (threshold > max || (isBand() && upperBound > max)) {
                throw new IllegalArgumentException("threshold of rule '" + name + "' must be at most " + max + " "
                        + unit + ", but was " + threshold + (isBand() ? "-" + upperBound : ""));
            }
            if (!Double.isNaN(clearThreshold) && clearThreshold > threshold) {
                throw new IllegalArgumentException("clearThreshold of rule '" + name
                        + "' must be at most the threshold " + threshold + ", but was " + clearThreshold);
            }
            return new TriggerRule(this);
        }

        private boolean isBand() {
            return !Double.isInfinite(upperBound);
        }

        private static double requireNonNegative(double value, String field) {
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException(field + " must be a finite number of at least 0, but was " + value);
            }
            return value;
        }

        private static Duration requireNonNegative(Duration value, String field) {
            Objects.requireNonNull(value, field);
            if (value.isNegative()) {
                throw new IllegalArgumentException(field + " must not be negative, but was " + value);
            }
            return value;
        }

        private static Duration requirePositive(Duration value, String field) {
            Objects.requireNonNull(value, field);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive, but was " + value);
            }
            return value;
        }

        private static double seconds(Duration value, String field) {
            return requireNonNegative(value, field).toNanos() / 1e9;
        }
    }
}
