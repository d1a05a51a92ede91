package dev.rollback.core.internal;

import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.TransientFailureException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.RetryConfig;

import java.time.Duration;
import java.util.Optional;

/**
 * A step's retry policy, expressed as a resilience4j {@link RetryConfig}: its attempt limit, its
 * exception predicate (the step's own {@link RollbackStep#isTransient(Throwable)}) and its
 * exponential, jittered interval function. The executor drives the attempts itself so that no
 * wait ever runs past the step's deadline and every wait goes through the run's clock.
 */
final class Backoff {
    private final RetryConfig config;

    Backoff(RetrySettings settings, RollbackStep step) {
        IntervalFunction intervals = settings.jitter() == 0.0
                ? IntervalFunction.ofExponentialBackoff(settings.initialBackoff(), settings.multiplier(), settings.maxBackoff())
                : IntervalFunction.ofExponentialRandomBackoff(settings.initialBackoff(), settings.multiplier(),
                        settings.jitter(), settings.maxBackoff());
        this.config = RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(intervals)
                .retryOnException(step::isTransient)
                .failAfterMaxAttempts(false)
                .build();
    }

    int maxAttempts() {
        return config.getMaxAttempts();
    }

    /** Whether a failure of attempt {@code attempt} may be retried (budget aside). */
    boolean retries(int attempt, Throwable failure) {
        return attempt < config.getMaxAttempts() && !(failure instanceof Error) && config.getExceptionPredicate().test(failure);
    }

    /** The wait before the attempt after {@code attempt}: the failure's Retry-After, or the backoff. */
    Duration waitAfter(int attempt, Throwable failure) {
        Optional<Duration> retryAfter = failure instanceof TransientFailureException t ? t.retryAfter() : Optional.empty();
        return retryAfter.orElseGet(() -> Duration.ofMillis(
                config.<Object>getIntervalBiFunction().apply(attempt, Either.left(failure))));
    }
}
