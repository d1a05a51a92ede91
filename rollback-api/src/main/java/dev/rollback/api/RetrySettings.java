package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.Objects;

/**
 * How a step is retried after a transient failure: at most {@code maxAttempts} attempts, waiting
 * an exponentially growing, jittered interval between them, never past the step's deadline.
 * Immutable; build with {@link #custom()}.
 *
 * <p>The wait before attempt n+1 is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))},
 * randomized by ±{@code jitter}. A Retry-After given by the failure replaces it.
 */
public final class RetrySettings {

    private static final RetrySettings DEFAULTS = new Builder().build();
    private static final RetrySettings NONE = new Builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final double multiplier;
    private final Duration maxBackoff;
    private final double jitter;

    private RetrySettings(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.multiplier = b.multiplier;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
    }

    /** 3 attempts, 200 ms initial backoff, multiplier 2, at most 10 s, jitter 0.5. */
    public static RetrySettings ofDefaults() {
        return DEFAULTS;
    }

    /** One attempt, no retry. */
    public static RetrySettings none() {
        return NONE;
    }

    /** A builder starting from the defaults. */
    public static Builder custom() {
        return new Builder();
    }

    /** A builder starting from {@code base}. */
    public static Builder from(RetrySettings base) {
        Objects.requireNonNull(base, "base");
        return new Builder()
                .maxAttempts(base.maxAttempts)
                .initialBackoff(base.initialBackoff)
                .multiplier(base.multiplier)
                .maxBackoff(base.maxBackoff)
                .jitter(base.jitter);
    }

    /** The maximum number of attempts, including the first. */
    public int maxAttempts() {
        return maxAttempts;
    }

    /** The wait before the second attempt. */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /** The factor by which each wait grows. */
    public double multiplier() {
        return multiplier;
    }

    /** The longest wait between two attempts. */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /** The randomization factor, 0 (none) to 1. */
    public double jitter() {
        return jitter;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetrySettings r
                && r.maxAttempts == maxAttempts
                && r.initialBackoff.equals(initialBackoff)
                && r.multiplier == multiplier
                && r.maxBackoff.equals(maxBackoff)
                && r.jitter == jitter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxAttempts, initialBackoff, multiplier, maxBackoff, jitter);
    }

    @Override
    public String toString() {
        return "RetrySettings[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", multiplier="
                + multiplier + ", maxBackoff=" + maxBackoff + ", jitter=" + jitter + "]";
    }

    /** Builds {@link RetrySettings}; reusable, each {@link #build()} is independent. */
    public static final class Builder {
        private int maxAttempts = 3;
        private Duration initialBackoff = Duration.ofMillis(200);
        private double multiplier = 2.0;
        private Duration maxBackoff = Duration.ofSeconds(10);
        private double jitter = 0.5;

        private Builder() {}

        /** Maximum attempts including the first; 1 to 100. Default 3. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 100, but was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** The wait before the second attempt; positive. Default 200 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            this.initialBackoff = Arguments.requirePositive(initialBackoff, "initialBackoff");
            return this;
        }

        /** The growth factor of the wait; 1 to 10. Default 2. */
        public Builder multiplier(double multiplier) {
            if (!(multiplier >= 1.0 && multiplier <= 10.0)) {
                throw new IllegalArgumentException("multiplier must be 1 to 10, but was " + multiplier);
            }
            this.multiplier = multiplier;
            return this;
        }

        /** The longest wait; positive. Default 10 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = Arguments.requirePositive(maxBackoff, "maxBackoff");
            return this;
        }

        /** The randomization factor; 0 to 1 (exclusive). Default 0.5. */
        public Builder jitter(double jitter) {
            if (!(jitter >= 0.0 && jitter < 1.0)) {
                throw new IllegalArgumentException("jitter must be in [0, 1), but was " + jitter);
            }
            this.jitter = jitter;
            return this;
        }

        /** Builds the settings; checks that the initial backoff does not exceed the maximum. */
        public RetrySettings build() {
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw new IllegalArgumentException(
                        "initialBackoff (" + initialBackoff + ") must not exceed maxBackoff (" + maxBackoff + ")");
            }
            return new RetrySettings(this);
        }
    }
}
