package dev.rollback.core.internal;

import dev.rollback.api.RetrySettings;
import dev.rollback.api.TransientFailureException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@link RetrySettings} expressed as a resilience4j {@link RetryConfig}: the attempt limit, the
 * exception predicate (for a step, its own {@code isTransient}) and the exponential, jittered
 * interval function. Callers drive the attempts themselves, so that no wait runs past a deadline
 * and every wait goes through the run's clock. Used by the executor for steps and by governance
 * for notification deliveries. Immutable and thread-safe.
 */
public final class RetryBackoff {
    private final RetryConfig config;

    /** The retry policy of {@code settings}, retrying the failures {@code transientFailure} accepts. */
    public RetryBackoff(RetrySettings settings, Predicate<Throwable> transientFailure) {
        IntervalFunction intervals = settings.jitter() == 0.0
                ? IntervalFunction.ofExponentialBackoff(
                        settings.initialBackoff(), settings.multiplier(), settings.maxBackoff())
                : IntervalFunction.ofExponentialRandomBackoff(
                        settings.initialBackoff(), settings.multiplier(), settings.jitter(), settings.maxBackoff());
        this.config = RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .intervalFunction(intervals)
                .retryOnException(transientFailure)
                .failAfterMaxAttempts(false)
                .build();
    }

    /** The maximum number of attempts, the first included. */
    public int maxAttempts() {
        return config.getMaxAttempts();
    }

    /** Whether a failure of attempt {@code attempt} may be retried (budget aside); never an {@link Error}. */
    public boolean retries(int attempt, Throwable failure) {
        return attempt < config.getMaxAttempts()
                && !(failure instanceof Error)
                && config.getExceptionPredicate().test(failure);
    }

    /** The wait before the attempt after {@code attempt}: the failure's Retry-After, or the backoff. */
    public Duration waitAfter(int attempt, Throwable failure) {
        Optional<Duration> retryAfter =
                failure instanceof TransientFailureException t ? t.retryAfter() : Optional.empty();
        return retryAfter.orElseGet(
                () -> Duration.ofMillis(config.<Object>getIntervalBiFunction().apply(attempt, Either.left(failure))));
    }
}
