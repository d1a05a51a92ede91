package dev.rollback.api.report;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt of a step.
 *
 * @param number the attempt number, from 1
 * @param startedAt when it started
 * @param duration how long it took (monotonic)
 * @param outcome how it ended
 * @param failure the failure, redacted, if it failed; for an attempt whose outcome was indeterminate,
 *     what happened to its call and how the executor settled it (even when it took effect)
 */
public record Attempt(int number, Instant startedAt, Duration duration, StepOutcome outcome, Optional<String> failure) {

    /** Validates. */
    public Attempt {
        if (number < 1) {
            throw new IllegalArgumentException("number must be >= 1, but was " + number);
        }
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(failure, "failure");
    }
}
