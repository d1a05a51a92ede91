package dev.rollback.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.util.Context;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One call a step makes through an Azure SDK client: what it does (for messages), whether sending it
 * twice is safe, and the step whose deadline bounds it. Pass {@link #context()} to the SDK method
 * (every inner-client method has an overload that takes a {@link Context}; long-running ones carry
 * it to their polls), and {@link DeadlineAwareRetryPolicy} in the client's pipeline reads it:
 *
 * <pre>{@code
 * AzureCall call = AzureCall.change(ctx, "swapping slot blue-previous of shop into production");
 * try {
 *     SyncPoller<PollResult<Void>, Void> swap = webApps.beginSwapSlot(rg, "shop", "blue-previous", entity, call.context());
 *     AzureOperations.await(swap, call, pollInterval, Duration.ZERO);
 * } catch (RuntimeException e) {
 *     throw call.failure(e); // IndeterminateOutcomeException when the swap may have happened
 * }
 * }</pre>
 *
 * <p>Three kinds: {@link Kind#READ} (a GET, or a POST that changes nothing: always safe to send
 * again), {@link Kind#IDEMPOTENT_CHANGE} (a change that has the same effect sent twice, such as a PATCH
 * that sets the whole traffic-routing rule set; say so only where the service documents it) and
 * {@link Kind#CHANGE} (anything else: a swap, a reboot, a failover, a create). A CHANGE whose request
 * may have reached Azure is never sent again by the pipeline, and {@link #failure(RuntimeException)}
 * turns its unknown outcome into an {@link dev.rollback.api.IndeterminateOutcomeException}.
 *
 * <p>Immutable and thread-safe; one per call (it is cheap). It never holds a secret: {@code what} is
 * redacted in every message.
 */
public final class AzureCall {
    /** The {@link Context} key under which the pipeline finds the call. */
    static final String CONTEXT_KEY = "dev.rollback.azure.call";

    /** Whether a call may be sent twice. */
    public enum Kind {
        /** Changes nothing (a GET, or a read-only POST): the pipeline may re-send it. */
        READ,
        /** A change with the same effect sent once or twice, as the service documents: may be re-sent. */
        IDEMPOTENT_CHANGE,
        /** Any other change: never re-sent once it may have reached Azure; its unknown outcome is indeterminate. */
        CHANGE
    }

    private final StepContext step;
    private final String what;
    private final Kind kind;
    private final Duration tryTimeout;

    private AzureCall(StepContext step, String what, Kind kind, Duration tryTimeout) {
        this.step = Objects.requireNonNull(step, "step");
        this.what = Arguments.requireText(what, "what");
        this.kind = kind;
        this.tryTimeout = tryTimeout;
    }

    private AzureCall(StepContext step, String what, Kind kind) {
        this(step, what, kind, null);
    }

    /**
     * The same call, each of whose tries (the request, and each poll of its long-running operation)
     * waits at most {@code tryTimeout} for its answer, when that is shorter than the pipeline policy's
     * {@link DeadlineAwareRetryPolicy.Builder#tryTimeout(Duration) tryTimeout} and than what the step has
     * left (the shortest wins). A step's own request timeout goes here. 100 ms to 10 min.
     *
     * @return a copy with the limit; this call is unchanged
     * @throws IllegalArgumentException naming the value if it is out of range
     */
    public AzureCall tryTimeout(Duration tryTimeout) {
        Arguments.requirePositive(tryTimeout, "tryTimeout", Duration.ofMinutes(10));
        if (tryTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("tryTimeout must be at least 100 ms, but was " + tryTimeout);
        }
        return new AzureCall(step, what, kind, tryTimeout);
    }

    /** The limit on one try of this call set by {@link #tryTimeout(Duration)}; empty when the pipeline's applies. */
    public Optional<Duration> tryTimeout() {
        return Optional.ofNullable(tryTimeout);
    }

    /** A call that changes nothing, bounded by {@code step}'s deadline. */
    public static AzureCall read(StepContext step, String what) {
        return new AzureCall(step, what, Kind.READ);
    }

    /** A change that the service documents as idempotent, bounded by {@code step}'s deadline. */
    public static AzureCall idempotentChange(StepContext step, String what) {
        return new AzureCall(step, what, Kind.IDEMPOTENT_CHANGE);
    }

    /** A change that must never be sent twice, bounded by {@code step}'s deadline. */
    public static AzureCall change(StepContext step, String what) {
        return new AzureCall(step, what, Kind.CHANGE);
    }

    /** What the call does, for messages ("force reboot (AllNodes) of Azure Cache for Redis rg/cache"). */
    public String what() {
        return what;
    }

    /** Whether it may be sent twice. */
    public Kind kind() {
        return kind;
    }

    /** The step whose deadline bounds the call. */
    public StepContext step() {
        return step;
    }

    /** How long the step has left; never negative. */
    public Duration remaining() {
        return step.remaining();
    }

    /** The SDK {@link Context} that carries this call to the pipeline; pass it to the SDK method. */
    public Context context() {
        return new Context(CONTEXT_KEY, this);
    }

    /**
     * Whether the pipeline may send a request of this call again after it may have reached Azure:
     * always for GET, HEAD and OPTIONS (polls included); otherwise only for a READ or an
     * IDEMPOTENT_CHANGE.
     */
    boolean mayResend(HttpMethod method) {
        return safe(method) || kind != Kind.CHANGE;
    }

    /** Whether a request of this method may be sent again whatever call it belongs to. */
    static boolean safe(HttpMethod method) {
        return method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS;
    }

    /** The call a pipeline request belongs to, if the SDK method was given its {@link #context()}. */
    static Optional<AzureCall> of(HttpPipelineCallContext context) {
        return context.getData(CONTEXT_KEY).filter(AzureCall.class::isInstance).map(AzureCall.class::cast);
    }

    /**
     * What {@code failure}, thrown by the SDK during this call, means for the step; see
     * {@link AzureFailures#map(AzureCall, RuntimeException)}.
     */
    public RollbackException failure(RuntimeException failure) {
        return AzureFailures.map(this, failure);
    }

    @Override
    public String toString() {
        return "AzureCall[" + kind + ", " + what + (tryTimeout == null ? "" : ", try timeout " + tryTimeout) + "]";
    }
}
