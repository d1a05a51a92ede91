package dev.rollback.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.BinaryData;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.Redaction;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLHandshakeException;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;

/**
 * The retry policy for Azure management clients used by Rollback's steps, in place of azure-core's
 * {@link RetryPolicy} (which re-sends a request after an I/O error whatever its method, and sleeps for
 * whatever {@code Retry-After} a server sends). It does three things differently:
 *
 * <ol>
 *   <li><b>Never re-sends a change that may have reached Azure.</b> A request is re-sent after an
 *       I/O error, a timeout or a 500/502/504 only if it is a GET, HEAD or OPTIONS, or belongs to an
 *       {@link AzureCall} that is a {@link AzureCall.Kind#READ read} or an
 *       {@link AzureCall.Kind#IDEMPOTENT_CHANGE idempotent change}. A POST, PUT, PATCH or DELETE of
 *       a {@link AzureCall.Kind#CHANGE change} (and of a request that carries no call) is re-sent only
 *       when it certainly did not arrive (the connection was refused, the host unknown, TLS failed) or
 *       Azure refused it (408, 429, 503); otherwise its outcome is indeterminate and the policy throws
 *       {@link IndeterminateOutcomeException} at once, for the step to read the resource.</li>
 *   <li><b>Never waits past the step's deadline.</b> Each try's response timeout is the shorter of
 *       {@link Builder#tryTimeout(Duration) tryTimeout}, the call's own {@link AzureCall#tryTimeout(Duration)}
 *       and what the call's step has left (set on the
 *       request's context as {@code azure-response-timeout}, which azure-core's Netty, OkHttp and JDK
 *       clients obey, and enforced on the response as well). A server-asked wait ({@code Retry-After}
 *       in seconds or as an HTTP-date, {@code retry-after-ms}, {@code x-ms-retry-after-ms}) longer than
 *       what the step has left ends the call at once with a {@link TransientFailureException} whose
 *       message names both, and which carries the wait, so the executor does not retry either. No
 *       try starts when the step has nothing left.</li>
 *   <li><b>Bounded attempts.</b> At most {@link RetrySettings#maxAttempts()} tries per request, waiting
 *       the server-asked time or an exponential, jittered backoff in between.</li>
 * </ol>
 *
 * <p>Give it to a manager in place of its retry policy, and the steps' {@link AzureCall#context()} to
 * every SDK call: {@code AppServiceManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())};
 * {@link AzurePipelines#requireDeadlineAware} checks a pre-built manager's pipeline for it. A request
 * without a call gets the same rules with no deadline (and with only GET, HEAD and OPTIONS re-sent
 * after they may have arrived).
 *
 * <p>Immutable and thread-safe; one instance may serve every client. It extends azure-core's
 * {@link RetryPolicy} only so that managers accept it in their retry slot: none of that class's
 * behaviour is used.
 */
public final class DeadlineAwareRetryPolicy extends RetryPolicy {
    /** The azure-core context key of a per-try response timeout (azure-core's {@code HttpUtils}). */
    static final String RESPONSE_TIMEOUT_KEY = "azure-response-timeout";
    /** How much later than its response timeout a try is cut off here, should the HTTP client ignore it. */
    private static final Duration GRACE = Duration.ofMillis(250);

    private final RetrySettings retry;
    private final Duration tryTimeout;
    private final Clock clock;

    private DeadlineAwareRetryPolicy(Builder b) {
        this.retry = b.retry;
        this.tryTimeout = b.tryTimeout;
        this.clock = b.clock;
    }

    /**
     * The defaults: 4 tries (azure-core's 3 retries), 800 ms growing twice to at most 8 s with 20 %
     * jitter (azure-core's exponential backoff), 60 s per try (the Netty client's response timeout).
     */
    public static DeadlineAwareRetryPolicy ofDefaults() {
        return builder().build();
    }

    /** A builder starting from {@link #ofDefaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The attempts and backoff per request. */
    public RetrySettings retry() {
        return retry;
    }

    /** The longest a try waits for its response when the step has longer. */
    public Duration tryTimeout() {
        return tryTimeout;
    }

    // ---- the pipeline ----

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        HttpRequest original = context.getHttpRequest();
        BinaryData body = original.getBodyAsBinaryData();
        if (body != null && !body.isReplayable()) {
            return body.toReplayableBinaryDataAsync().flatMap(replayable -> {
                original.setBody(replayable);
                return tryAsync(context, next, original, 1);
            });
        }
        return tryAsync(context, next, original, 1);
    }

    private Mono<HttpResponse> tryAsync(
            HttpPipelineCallContext context, HttpPipelineNextPolicy next, HttpRequest original, int attempt) {
        return Mono.defer(() -> {
            Optional<AzureCall> call = AzureCall.of(context);
            Optional<Duration> limit;
            try {
                limit = startTry(context, original, attempt, call);
            } catch (RuntimeException e) {
                return Mono.error(e);
            }
            // The HTTP client times the response (azure-response-timeout); this only makes sure that no
            // try, connection set-up included, outlives the step if a client ignores that key.
            Duration cut = limit.map(l -> call.get().remaining())
                    .orElse(tryTimeout.multipliedBy(2))
                    .plus(GRACE);
            return next.clone()
                    .process()
                    .timeout(cut)
                    .map(Outcome::answered)
                    .onErrorResume(e -> Mono.just(Outcome.failed(Exceptions.unwrap(e))))
                    .flatMap(outcome -> {
                        Decision d = decide(outcome, original, attempt, call, limit);
                        if (d.retryAfter() != null) {
                            outcome.close();
                            return tryAsync(context, next, original, attempt + 1)
                                    .delaySubscription(d.retryAfter());
                        }
                        if (d.failure() != null) {
                            outcome.close();
                            return Mono.error(d.failure());
                        }
                        return Mono.just(outcome.response());
                    });
        });
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        HttpRequest original = context.getHttpRequest();
        BinaryData body = original.getBodyAsBinaryData();
        if (body != null && !body.isReplayable()) {
            original.setBody(body.toReplayableBinaryData());
        }
        for (int attempt = 1; ; attempt++) {
            Optional<AzureCall> call = AzureCall.of(context);
            Optional<Duration> limit = startTry(context, original, attempt, call);
            Outcome outcome;
            try {
                outcome = Outcome.answered(next.clone().processSync());
            } catch (RuntimeException e) {
                outcome = Outcome.failed(Exceptions.unwrap(e));
            }
            Decision d = decide(outcome, original, attempt, call, limit);
            if (d.retryAfter() == null && d.failure() == null) {
                return outcome.response();
            }
            outcome.close();
            if (d.failure() != null) {
                throw d.failure();
            }
            try {
                Thread.sleep(Math.max(1, d.retryAfter().toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException(label(original) + ": interrupted while waiting to try again");
            }
        }
    }

    /**
     * Prepares try {@code attempt}: refuses to start it when the step has nothing left, sets the
     * response timeout, and gives the next policies a fresh copy of the request. Returns the step's
     * budget for this try, empty when the request carries no call.
     */
    private Optional<Duration> startTry(
            HttpPipelineCallContext context, HttpRequest original, int attempt, Optional<AzureCall> call) {
        Optional<Duration> budget = call.map(AzureCall::remaining);
        if (budget.isPresent() && budget.get().isZero()) {
            throw new StepInterruptedException(label(original) + ": not sent (try " + attempt + "): step '"
                    + call.get().step().stepId() + "' has no time left before its deadline");
        }
        Duration cap = tryTimeoutOf(call);
        Duration timeout = budget.filter(b -> b.compareTo(cap) < 0).orElse(cap);
        context.setData(RESPONSE_TIMEOUT_KEY, timeout);
        context.setData(HttpLoggingPolicy.RETRY_COUNT_CONTEXT, attempt);
        context.setHttpRequest(original.copy());
        return budget.map(b -> timeout);
    }

    /** The longest one try of {@code call} waits: the call's own limit when it is shorter than this policy's. */
    private Duration tryTimeoutOf(Optional<AzureCall> call) {
        return call.flatMap(AzureCall::tryTimeout)
                .filter(t -> t.compareTo(tryTimeout) < 0)
                .orElse(tryTimeout);
    }

    /** What to do after a try: give back its answer, fail with a decided error, or try again after a wait. */
    private record Decision(RuntimeException failure, Duration retryAfter) {
        static final Decision ANSWER = new Decision(null, null);

        static Decision fail(RuntimeException failure) {
            return new Decision(failure, null);
        }

        static Decision retryAfter(Duration wait) {
            return new Decision(null, wait);
        }
    }

    /** A try's response or error. */
    private record Outcome(HttpResponse response, Throwable error) {
        static Outcome answered(HttpResponse response) {
            return new Outcome(response, null);
        }

        static Outcome failed(Throwable error) {
            return new Outcome(null, error);
        }

        void close() {
            if (response != null) {
                response.close();
            }
        }
    }

    private Decision decide(
            Outcome outcome, HttpRequest request, int attempt, Optional<AzureCall> call, Optional<Duration> limit) {
        HttpMethod method = request.getHttpMethod();
        boolean mayResend = call.map(c -> c.mayResend(method)).orElse(AzureCall.safe(method));
        Optional<Duration> left = call.map(AzureCall::remaining);
        String label = label(request);
        if (outcome.error() != null) {
            return onError(outcome.error(), label, attempt, mayResend, call, limit, left);
        }
        int status = outcome.response().getStatusCode();
        boolean refusal = status == 408 || status == 429 || status == 503;
        boolean serverError = status == 500 || status == 502 || status == 504;
        if (!refusal && !serverError) {
            return Decision.ANSWER;
        }
        Optional<RetryAfter> asked = RetryAfter.of(outcome.response().getHeaders(), clock.instant());
        if (asked.isPresent() && left.isPresent() && asked.get().delay().compareTo(left.get()) >= 0) {
            // Waiting as asked would outlive the step: end the call now and say so.
            return Decision.fail(new TransientFailureException(
                    label + ": HTTP " + status + "; the server asked to wait "
                            + asked.get().delay() + " ("
                            + asked.get().asked() + ") before trying again, more than the " + left.get()
                            + " that step '" + call.get().step().stepId()
                            + "' has left before its deadline, so it was not waited for (try " + attempt + ")",
                    asked.get().delay(),
                    null));
        }
        if (!(refusal || mayResend) || attempt >= retry.maxAttempts()) {
            return Decision.ANSWER; // the caller maps it (a 5xx of a change is indeterminate there)
        }
        Duration wait = asked.map(RetryAfter::delay).orElseGet(() -> backoff(attempt));
        if (left.isPresent() && wait.compareTo(left.get()) >= 0) {
            return Decision.ANSWER;
        }
        return Decision.retryAfter(wait);
    }

    private Decision onError(
            Throwable error,
            String label,
            int attempt,
            boolean mayResend,
            Optional<AzureCall> call,
            Optional<Duration> limit,
            Optional<Duration> left) {
        if (error instanceof RollbackException r) {
            return Decision.fail(r);
        }
        if (error instanceof Error e) {
            throw e;
        }
        boolean notSent = notSent(error);
        boolean timedOut = AzureFailures.find(error, TimeoutException.class).isPresent();
        Duration cap = tryTimeoutOf(call);
        String what = timedOut
                ? "no answer within " + limit.orElse(cap) + " (" + Redaction.describe(error) + ")"
                : Redaction.describe(error);
        if (!notSent && !mayResend) {
            return Decision.fail(new IndeterminateOutcomeException(
                    label + ": " + what + " after the request was sent (try " + attempt
                            + "); it may have reached Azure and taken effect, so it is not sent again",
                    error));
        }
        // the try's timeout was the step's remaining time, so that time is spent
        boolean budgetSpent = timedOut && limit.isPresent() && limit.get().compareTo(cap) < 0;
        if (budgetSpent) {
            return Decision.fail(new RollbackException(
                    ErrorCode.STEP_TIMED_OUT,
                    label + ": " + what + ", the whole time step '"
                            + call.orElseThrow().step().stepId() + "' had left",
                    error));
        }
        Duration wait = backoff(attempt);
        if (attempt >= retry.maxAttempts() || left.isPresent() && wait.compareTo(left.get()) >= 0) {
            return Decision.fail(unchecked(error));
        }
        return Decision.retryAfter(wait);
    }

    /** Whether the error happened before the request could reach Azure (so any request may be sent again). */
    static boolean notSent(Throwable error) {
        return AzureFailures.find(error, ConnectException.class).isPresent()
                || AzureFailures.find(error, UnknownHostException.class).isPresent()
                || AzureFailures.find(error, NoRouteToHostException.class).isPresent()
                || AzureFailures.find(error, SSLHandshakeException.class).isPresent();
    }

    private Duration backoff(int attempt) {
        double base = retry.initialBackoff().toNanos() * Math.pow(retry.multiplier(), attempt - 1);
        double capped = Math.min(base, retry.maxBackoff().toNanos());
        double jitter =
                retry.jitter() == 0 ? 1 : 1 + (ThreadLocalRandom.current().nextDouble() * 2 - 1) * retry.jitter();
        return Duration.ofNanos(Math.max(1, (long) (capped * jitter)));
    }

    private static RuntimeException unchecked(Throwable error) {
        if (error instanceof RuntimeException r) {
            return r;
        }
        if (error instanceof IOException io) {
            return new UncheckedIOException(io);
        }
        return new IllegalStateException(error);
    }

    private static String label(HttpRequest request) {
        String path = request.getUrl() == null ? "?" : request.getUrl().getPath();
        return request.getHttpMethod() + " " + path;
    }

    @Override
    public String toString() {
        return "DeadlineAwareRetryPolicy[" + retry + ", try timeout " + tryTimeout + "]";
    }

    /**
     * Builds a {@link DeadlineAwareRetryPolicy}. Setters check their argument at once
     * (IllegalArgumentException naming the field and value); not thread-safe; {@link #build()} may be
     * called again.
     */
    public static final class Builder {
        private RetrySettings retry = RetrySettings.custom()
                .maxAttempts(4)
                .initialBackoff(Duration.ofMillis(800))
                .multiplier(2)
                .maxBackoff(Duration.ofSeconds(8))
                .jitter(0.2)
                .build();
        private Duration tryTimeout = Duration.ofSeconds(60);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /**
         * Tries per request and the backoff between them ({@code maxAttempts} counts the first try).
         * Default: 4 tries, 800 ms growing twice to at most 8 s, 20 % jitter.
         */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /**
         * The longest one try waits for its response (the step's remaining time, when shorter, wins);
         * a response slower than this is a timeout, never a success. 100 ms to 10 min. Default 60 s.
         */
        public Builder tryTimeout(Duration tryTimeout) {
            Arguments.requirePositive(tryTimeout, "tryTimeout", Duration.ofMinutes(10));
            if (tryTimeout.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("tryTimeout must be at least 100 ms, but was " + tryTimeout);
            }
            this.tryTimeout = tryTimeout;
            return this;
        }

        /** The wall clock an HTTP-date {@code Retry-After} is counted against. Default: the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The policy. */
        public DeadlineAwareRetryPolicy build() {
            return new DeadlineAwareRetryPolicy(this);
        }
    }
}
