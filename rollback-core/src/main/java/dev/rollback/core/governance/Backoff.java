package dev.rollback.core.governance;

import dev.rollback.api.RetrySettings;
import dev.rollback.api.TransientFailureException;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The wait before the next delivery attempt, as {@link RetrySettings} defines it:
 * {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, randomized by ±jitter; a Retry-After
 * the receiver gave replaces it, capped at {@code maxBackoff}. Stateless.
 */
final class Backoff {

    private Backoff() {
    }

    static Duration before(int nextAttempt, RetrySettings retry, Exception failure) {
        Duration max = retry.maxBackoff();
        if (failure instanceof TransientFailureException t && t.retryAfter().isPresent()) {
            Duration asked = t.retryAfter().get();
            return asked.compareTo(max) > 0 ? max : asked;
        }
        double nanos = retry.initialBackoff().toNanos() * Math.pow(retry.multiplier(), nextAttempt - 2);
        nanos = Math.min(nanos, max.toNanos());
        if (retry.jitter() > 0) {
            nanos *= 1 + retry.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        }
        return Duration.ofNanos((long) nanos);
    }
}
