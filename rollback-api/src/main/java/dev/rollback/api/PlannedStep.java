package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link RollbackStep} as placed in a plan: what it depends on, its own timeout, how long it may
 * go without reporting progress, how it is retried, the verifiers that run after it and, rarely,
 * why it may run without a safeguard.
 * Immutable; made through {@link RollbackPlan.Builder#step(RollbackStep, java.util.function.Consumer)}.
 */
public final class PlannedStep {
    private final RollbackStep step;
    private final List<String> dependsOn;
    private final Optional<Duration> timeout;
    private final Optional<Duration> stallTimeout;
    private final Optional<RetrySettings> retry;
    private final List<Verifier> verifiers;
    private final Optional<String> withoutSafeguard;

    private PlannedStep(Builder b) {
        this.step = b.step;
        this.dependsOn = List.copyOf(b.dependsOn);
        this.timeout = Optional.ofNullable(b.timeout);
        this.stallTimeout = Optional.ofNullable(b.stallTimeout);
        this.retry = Optional.ofNullable(b.retry);
        this.verifiers = List.copyOf(b.verifiers);
        this.withoutSafeguard = Optional.ofNullable(b.withoutSafeguard);
    }

    /** The step. */
    public RollbackStep step() {
        return step;
    }

    /** The step's id. */
    public String id() {
        return step.id();
    }

    /** The step's component. */
    public String component() {
        return step.component();
    }

    /** The ids of the steps that must succeed before this one starts, in declaration order. */
    public List<String> dependsOn() {
        return dependsOn;
    }

    /** The step's own timeout; without one, its deadline comes from the budgets alone. */
    public Optional<Duration> timeout() {
        return timeout;
    }

    /**
     * How long an attempt may go without reporting progress ({@link StepContext#progress(String)}
     * or {@link StepContext#checkpoint()}) before the executor declares it stalled; without one,
     * only deadlines stop a step that hangs.
     */
    public Optional<Duration> stallTimeout() {
        return stallTimeout;
    }

    /** The step's retry settings; without them, the plan's defaults apply. */
    public Optional<RetrySettings> retry() {
        return retry;
    }

    /** The verifiers that run after the step, inside its deadline. */
    public List<Verifier> verifiers() {
        return verifiers;
    }

    /** Why this destructive step may run with no safeguard before it, if the plan said so. */
    public Optional<String> withoutSafeguard() {
        return withoutSafeguard;
    }

    @Override
    public String toString() {
        return "PlannedStep[" + step.id() + " after " + dependsOn + "]";
    }

    static Builder builder(RollbackStep step) {
        return new Builder(step);
    }

    /**
     * Options of one step in a plan. Setters check their argument at once; cross-step rules are
     * checked by {@link RollbackPlan.Builder#build()}.
     */
    public static final class Builder {
        private final RollbackStep step;
        private final LinkedHashSet<String> dependsOn = new LinkedHashSet<>();
        private Duration timeout;
        private Duration stallTimeout;
        private RetrySettings retry;
        private final List<Verifier> verifiers = new ArrayList<>();
        private String withoutSafeguard;

        private Builder(RollbackStep step) {
            this.step = Objects.requireNonNull(step, "step");
        }

        /** Adds steps that must succeed before this one starts. */
        public Builder dependsOn(String... stepIds) {
            for (String id : stepIds) {
                dependsOn.add(Arguments.requireId(id, "dependsOn"));
            }
            return this;
        }

        /** The step's own timeout; positive. Default: none (the budgets decide). */
        public Builder timeout(Duration timeout) {
            this.timeout = Arguments.requirePositive(timeout, "timeout");
            return this;
        }

        /**
         * Declares the attempt stalled when it reports no progress for this long (counted from
         * the attempt's start, then from its latest {@link StepContext#progress(String)} or
         * {@link StepContext#checkpoint()}): the executor sends
         * {@link dev.rollback.api.event.StepStalled}, interrupts the attempt and fails it with the
         * last progress it reported. An {@link RollbackStep#idempotent() idempotent} step is then
         * retried as its retry settings allow; any other step fails, since its effect may have
         * happened. Positive and shorter than the step's timeout. Default: none.
         */
        public Builder stallTimeout(Duration stallTimeout) {
            this.stallTimeout = Arguments.requirePositive(stallTimeout, "stallTimeout");
            return this;
        }

        /** How the step is retried after transient failures. Default: the plan's default. */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Adds a verifier that runs after the step; a failed verification fails the step. */
        public Builder verifier(Verifier verifier) {
            verifiers.add(Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /**
         * Lets a destructive step run with no safeguard step before it. The reason is reported in
         * every run; this is the only way around the rule.
         */
        public Builder withoutSafeguard(String reason) {
            this.withoutSafeguard = Arguments.requireText(reason, "reason");
            return this;
        }

        PlannedStep build() {
            return new PlannedStep(this);
        }
    }
}
