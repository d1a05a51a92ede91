package dev.rollback.core.notification;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One attempt to deliver a notification through one notifier. Immutable.
 *
 * @param number the attempt number, from 1
 * @param at when it was made
 * @param failure why it failed (redacted), if it did
 */
public record DeliveryAttempt(int number, Instant at, Optional<String> failure) {

    /** Validates. */
    public DeliveryAttempt {
        if (number < 1) {
            throw new IllegalArgumentException("number must be >= 1, but was " + number);
        }
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(failure, "failure");
    }
}
