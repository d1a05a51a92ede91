package dev.rollback.testkit.azure;

import com.github.tomakehurst.wiremock.http.Fault;
import java.time.Duration;
import java.util.Objects;

/**
 * A fault that the {@link AzureControlPlaneSimulator} injects into the next requests of one
 * {@link AzureOperation}, given to {@link AzureControlPlaneSimulator#inject(AzureOperation,
 * AzureFault)}.
 *
 * <p>Three families: the request is refused before it has any effect ({@link #status(int)},
 * {@link #tooManyRequests(Duration)}, {@link #connectionReset()}, {@link #network(Fault)}); it
 * takes effect and then the answer is spoiled ({@link #slowResponse(Duration)},
 * {@link #resetAfterAccepting()}); or a long-running operation is accepted and then fails
 * ({@link #operationFailed(String, String)}), or it takes effect and is still reported failed
 * ({@link #operationFailedAfterEffect(String, String)}). Each fault applies to {@link #times(int) one}
 * request by default, after which the operation behaves normally again.
 *
 * <p>Immutable and thread-safe; {@link #times(int)} returns a copy.
 */
public final class AzureFault {

    /** How the fault acts on the request it applies to. */
    enum Kind {
        /** Answer with an error status; the request has no effect. */
        STATUS,
        /** Break the connection (a WireMock {@link Fault}); the request has no effect. */
        NETWORK,
        /** Apply the request, then answer after a delay. */
        SLOW,
        /** Apply the request, then reset the connection instead of answering. */
        RESET_AFTER_ACCEPTING,
        /** Accept a long-running operation, then report it failed when polled; it has no effect. */
        OPERATION_FAILED,
        /** Accept a long-running operation, apply its effect when it completes, and report it failed. */
        OPERATION_FAILED_AFTER_EFFECT;

        /** Whether the fault rides on the long-running operation the request starts. */
        boolean onOperation() {
            return this == OPERATION_FAILED || this == OPERATION_FAILED_AFTER_EFFECT;
        }
    }

    private final Kind kind;
    private final int status;
    private final String code;
    private final String message;
    private final Duration duration;
    private final RetryAfterForm retryAfterForm;
    private final Fault networkFault;
    private final int times;

    private AzureFault(
            Kind kind,
            int status,
            String code,
            String message,
            Duration duration,
            RetryAfterForm retryAfterForm,
            Fault networkFault,
            int times) {
        this.kind = kind;
        this.status = status;
        this.code = code;
        this.message = message;
        this.duration = duration;
        this.retryAfterForm = retryAfterForm;
        this.networkFault = networkFault;
        this.times = times;
    }

    /**
     * Answers with an ARM error: {@code {"error":{"code":...,"message":...}}}, the code named after
     * the status ({@code TooManyRequests}, {@code InternalServerError}, {@code ServiceUnavailable},
     * {@code AuthenticationFailed}, {@code AuthorizationFailed}, {@code ResourceNotFound},
     * {@code BadRequest}, else {@code Error}). The request has no effect.
     *
     * @param status an HTTP error status, 400 to 599
     * @return the fault
     * @throws IllegalArgumentException if {@code status} is not an error status
     */
    public static AzureFault status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be 400..599, was " + status);
        }
        return new AzureFault(
                Kind.STATUS, status, codeOf(status), "Injected fault: HTTP " + status + ".", null, null, null, 1);
    }

    /** The header, and the form of its value, in which a throttling answer asks the client to wait. */
    public enum RetryAfterForm {
        /** {@code Retry-After: 2}: delta-seconds (whole seconds only). */
        SECONDS,
        /**
         * {@code Retry-After: Wed, 21 Oct 2015 07:28:00 GMT}: the moment of the answer plus the wait on
         * the system clock, cut to whole seconds (a client counts it against its own wall clock, so it
         * may wait up to a second less). Whole seconds only.
         */
        HTTP_DATE,
        /** {@code retry-after-ms: 2500}: milliseconds, as Azure sends it. */
        RETRY_AFTER_MS,
        /** {@code x-ms-retry-after-ms: 2500}: milliseconds, as Azure sends it. */
        X_MS_RETRY_AFTER_MS
    }

    /**
     * Answers 429 with {@code Retry-After} in its delay-seconds form, e.g. {@code Retry-After: 2}.
     *
     * @param retryAfter how long the client is told to wait: whole seconds, zero or more
     * @return the fault
     * @throws IllegalArgumentException if {@code retryAfter} is negative or not whole seconds
     */
    public static AzureFault tooManyRequests(Duration retryAfter) {
        return throttled(429, retryAfter, RetryAfterForm.SECONDS);
    }

    /**
     * Answers 429 with {@code Retry-After} in its HTTP-date form
     * ({@code Retry-After: Wed, 21 Oct 2015 07:28:00 GMT}), the date being the moment of the answer
     * plus {@code retryAfter} on the system clock, cut to whole seconds (a client compares it with its
     * own wall clock; azure-core counts the whole seconds until it, so it may wait up to a second
     * less than {@code retryAfter}).
     *
     * @param retryAfter how long after the answer the client may retry: whole seconds, zero or more
     * @return the fault
     * @throws IllegalArgumentException if {@code retryAfter} is negative or not whole seconds
     */
    public static AzureFault tooManyRequestsUntilDate(Duration retryAfter) {
        return throttled(429, retryAfter, RetryAfterForm.HTTP_DATE);
    }

    /**
     * Answers 429 asking the client to wait {@code retryAfter}, in the given form.
     *
     * @param retryAfter the wait, zero or more; whole seconds for {@link RetryAfterForm#SECONDS} and
     *     {@link RetryAfterForm#HTTP_DATE}, whole milliseconds for the others
     * @param form the header and the form of its value
     * @return the fault
     * @throws IllegalArgumentException if {@code retryAfter} is negative or finer than its form
     */
    public static AzureFault tooManyRequests(Duration retryAfter, RetryAfterForm form) {
        return throttled(429, retryAfter, form);
    }

    /**
     * Answers an error status that asks the client to wait (429, 503), in the given form.
     *
     * @param status 429 or 503
     * @param retryAfter the wait, zero or more; see {@link #tooManyRequests(Duration, RetryAfterForm)}
     * @param form the header and the form of its value
     * @return the fault
     * @throws IllegalArgumentException if the status is neither, or the wait is negative or finer than its form
     */
    public static AzureFault throttled(int status, Duration retryAfter, RetryAfterForm form) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        Objects.requireNonNull(form, "form");
        if (status != 429 && status != 503) {
            throw new IllegalArgumentException("status must be 429 or 503, was " + status);
        }
        boolean seconds = form == RetryAfterForm.SECONDS || form == RetryAfterForm.HTTP_DATE;
        if (retryAfter.isNegative()
                || seconds && retryAfter.getNano() != 0
                || !seconds && retryAfter.getNano() % 1_000_000 != 0) {
            throw new IllegalArgumentException("retryAfter must be whole " + (seconds ? "seconds" : "milliseconds")
                    + ", zero or more, for " + form + ", was " + retryAfter);
        }
        return new AzureFault(
                Kind.STATUS,
                status,
                codeOf(status),
                status == 429 ? "Injected fault: throttled." : "Injected fault: HTTP 503.",
                retryAfter,
                form,
                null,
                1);
    }

    /**
     * Resets the connection ({@link Fault#CONNECTION_RESET_BY_PEER}) before the request has any
     * effect.
     *
     * @return the fault
     */
    public static AzureFault connectionReset() {
        return network(Fault.CONNECTION_RESET_BY_PEER);
    }

    /**
     * Breaks the connection with any WireMock fault (an empty response, a malformed chunk, random
     * data) before the request has any effect.
     *
     * @param fault the WireMock fault
     * @return the fault
     */
    public static AzureFault network(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        return new AzureFault(Kind.NETWORK, 0, null, null, null, null, fault, 1);
    }

    /**
     * Applies the request, then sends the normal answer only after {@code delay}: a client whose
     * read timeout is shorter sees a timeout although the change was made.
     *
     * @param delay the delay, positive
     * @return the fault
     * @throws IllegalArgumentException if {@code delay} is not positive
     */
    public static AzureFault slowResponse(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isZero() || delay.isNegative()) {
            throw new IllegalArgumentException("delay must be positive, was " + delay);
        }
        return new AzureFault(Kind.SLOW, 0, null, null, delay, null, null, 1);
    }

    /**
     * Applies the request (a create is accepted, its long-running operation starts), then resets
     * the connection instead of answering: the client cannot tell whether the server acted.
     *
     * @return the fault
     */
    public static AzureFault resetAfterAccepting() {
        return new AzureFault(Kind.RESET_AFTER_ACCEPTING, 0, null, null, null, null, null, 1);
    }

    /**
     * Accepts a long-running operation normally, then reports it {@code Failed} with this error
     * when it completes; it has no effect (a restored server is removed again). Applies only to
     * operations that start a long-running operation ({@link AzureOperation#WEB_APP_SWAP},
     * {@link AzureOperation#SLOT_SWAP}, {@link AzureOperation#STORAGE_ACCOUNT_FAILOVER},
     * {@link AzureOperation#FLEXIBLE_SERVER_CREATE}, {@link AzureOperation#FLEXIBLE_SERVER_RESTART}).
     *
     * @param code the ARM error code, e.g. {@code SwapFailed}
     * @param message the error message
     * @return the fault
     */
    public static AzureFault operationFailed(String code, String message) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return new AzureFault(Kind.OPERATION_FAILED, 0, code, message, null, null, null, 1);
    }

    /**
     * Accepts a long-running operation normally and, when it completes, applies its effect and then
     * reports it {@code Failed} with this error: a late phase of the operation failed after its effect
     * was in place (a swap that exchanged the slots, then failed). A client that believes the report
     * and not the resource is wrong. Applies only to long-running operations, as
     * {@link #operationFailed(String, String)}.
     *
     * @param code the ARM error code, e.g. {@code SwapFailed}
     * @param message the error message
     * @return the fault
     */
    public static AzureFault operationFailedAfterEffect(String code, String message) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        return new AzureFault(Kind.OPERATION_FAILED_AFTER_EFFECT, 0, code, message, null, null, null, 1);
    }

    /**
     * The same fault for the next {@code times} requests of its operation instead of one.
     *
     * @param times how many requests it applies to, at least 1
     * @return a copy applying {@code times} times
     * @throws IllegalArgumentException if {@code times} is less than 1
     */
    public AzureFault times(int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + times);
        }
        return new AzureFault(kind, status, code, message, duration, retryAfterForm, networkFault, times);
    }

    Kind kind() {
        return kind;
    }

    int statusCode() {
        return status;
    }

    String code() {
        return code;
    }

    String message() {
        return message;
    }

    /** The Retry-After of a 429, or the delay of a slow response; null otherwise. */
    Duration duration() {
        return duration;
    }

    /** The form of the wait a throttling answer asks for; null for other faults. */
    RetryAfterForm retryAfterForm() {
        return retryAfterForm;
    }

    Fault networkFault() {
        return networkFault;
    }

    int count() {
        return times;
    }

    private static String codeOf(int status) {
        return switch (status) {
            case 400 -> "BadRequest";
            case 401 -> "AuthenticationFailed";
            case 403 -> "AuthorizationFailed";
            case 404 -> "ResourceNotFound";
            case 429 -> "TooManyRequests";
            case 500 -> "InternalServerError";
            case 503 -> "ServiceUnavailable";
            default -> "Error";
        };
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case STATUS ->
                "HTTP " + status
                        + (duration == null
                                ? ""
                                : switch (retryAfterForm) {
                                    case SECONDS -> ", Retry-After " + duration.getSeconds() + " s";
                                    case HTTP_DATE -> ", Retry-After " + duration.getSeconds() + " s as HTTP-date";
                                    case RETRY_AFTER_MS -> ", retry-after-ms " + duration.toMillis();
                                    case X_MS_RETRY_AFTER_MS -> ", x-ms-retry-after-ms " + duration.toMillis();
                                });
            case NETWORK -> networkFault.name();
            case SLOW -> "slow response after " + duration;
            case RESET_AFTER_ACCEPTING -> "connection reset after accepting";
            case OPERATION_FAILED -> "operation failed with " + code;
            case OPERATION_FAILED_AFTER_EFFECT -> "operation failed with " + code + " after its effect";
        };
        return what + " (" + times + "x)";
    }
}
