package dev.rollback.azure;

import com.azure.core.exception.ClientAuthenticationException;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.TransientFailureException;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of what the Azure SDK throws to what a step throws, shared by every Azure provider, so
 * that the executor gets the same answer for the same failure everywhere:
 *
 * <ul>
 *   <li>401 and 403, and a token that could not be obtained: {@link ErrorCode#CREDENTIAL_PROBLEM},
 *       saying "credential problem" and nothing of the response body (it may echo a claim).</li>
 *   <li>408, 429 and 503, the service's refusals (nothing was done):
 *       {@link TransientFailureException}, carrying the server-asked wait in any of its forms
 *       ({@link RetryAfter}).</li>
 *   <li>500, 502, 504 and a broken or timed-out connection: transient for a
 *       {@link AzureCall.Kind#READ read} or an {@link AzureCall.Kind#IDEMPOTENT_CHANGE idempotent
 *       change}; for a {@link AzureCall.Kind#CHANGE change} whose request may have reached Azure, or
 *       whose long-running operation was accepted and then lost from sight (a poll that failed), an
 *       {@link IndeterminateOutcomeException}: the step must read the resource, never send it again
 *       blindly.</li>
 *   <li>what {@link DeadlineAwareRetryPolicy} decided (an indeterminate outcome, a wait longer than
 *       the step has left): kept as it is, with the call's description in front.</li>
 *   <li>any other status: {@link ErrorCode#EXTERNAL_FAILURE} naming the status and the ARM error code
 *       ({@code ServerAlreadyExists}, {@code SwapFailed}).</li>
 * </ul>
 *
 * <p>Every message is redacted and starts with what the call was doing. Stateless and thread-safe.
 */
public final class AzureFailures {
    private static final Pattern ENTRA_ERROR = Pattern.compile("AADSTS\\d{4,9}");

    private AzureFailures() {}

    /** What {@code failure}, thrown by the SDK during {@code call}, means for the step. */
    public static RollbackException map(AzureCall call, RuntimeException failure) {
        Objects.requireNonNull(call, "call");
        return map(call.what(), call.kind(), failure, Clock.systemUTC().instant());
    }

    /** What {@code failure}, thrown by the SDK while doing {@code what} (a read: never indeterminate), means. */
    public static RollbackException map(String what, RuntimeException failure) {
        return map(what, AzureCall.Kind.READ, failure, Clock.systemUTC().instant());
    }

    static RollbackException map(String what, AzureCall.Kind kind, RuntimeException failure, Instant now) {
        Objects.requireNonNull(failure, "failure");
        Optional<IndeterminateOutcomeException> decided = IndeterminateOutcomeException.in(failure);
        if (decided.isPresent()) {
            return new IndeterminateOutcomeException(what + ": " + decided.get().getMessage(), failure);
        }
        if (failure instanceof TransientFailureException t) {
            return t.retryAfter().isPresent()
                    ? new TransientFailureException(
                            what + ": " + t.getMessage(), t.retryAfter().get(), t)
                    : new TransientFailureException(what + ": " + t.getMessage(), t);
        }
        if (failure instanceof RollbackException r) {
            return r;
        }
        if (find(failure, InterruptedException.class).isPresent()) {
            Thread.currentThread().interrupt();
            return new StepInterruptedException(what + " was interrupted");
        }
        Optional<HttpResponseException> http = find(failure, HttpResponseException.class);
        int status = http.map(AzureFailures::status).orElse(0);
        if (status == 0 && (find(failure, ClientAuthenticationException.class).isPresent() || tokenFailure(failure))) {
            // Never the message: an identity provider's refusal may quote the client secret it was sent.
            String code = entraErrorCode(failure);
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (no access token could be obtained"
                            + (code.isEmpty() ? "" : ", Entra ID error " + code) + ")");
        }
        if (status > 0) {
            return mapStatus(what, kind, http.get(), status, now);
        }
        if (brokenConnection(failure)) {
            String message = what + " failed on the connection: " + Redaction.describe(failure);
            if (kind == AzureCall.Kind.CHANGE) {
                return new IndeterminateOutcomeException(
                        message + "; the change may have reached Azure, so it is not sent again", failure);
            }
            return new TransientFailureException(message, failure);
        }
        return new RollbackException(
                ErrorCode.EXTERNAL_FAILURE, what + " failed: " + Redaction.describe(failure), failure);
    }

    private static RollbackException mapStatus(
            String what, AzureCall.Kind kind, HttpResponseException e, int status, Instant now) {
        if (status == 401 || status == 403) {
            // Never the body nor the SDK's message: an auth failure may echo a token or a claim.
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    what + " failed: credential problem (HTTP " + status
                            + (status == 401 ? ", the access token was refused" : ", the identity lacks permission")
                            + ")");
        }
        String code = armCode(e);
        String message = what + " failed: HTTP " + status + (code.isEmpty() ? "" : " " + code) + ": "
                + Redaction.redact(firstLine(e.getMessage()));
        boolean onAPoll = kind == AzureCall.Kind.CHANGE && requestWasSafe(e);
        Optional<RetryAfter> wait = RetryAfter.of(e.getResponse().getHeaders(), now);
        boolean refusal = status == 408 || status == 429 || status == 503;
        boolean serverError = status == 500 || status == 502 || status == 504;
        if (kind == AzureCall.Kind.CHANGE && (onAPoll ? refusal || serverError || status == 404 : serverError)) {
            return new IndeterminateOutcomeException(
                    message
                            + (onAPoll
                                    ? "; the change was accepted and its outcome could not be read, so it may still"
                                            + " take effect"
                                    : "; the change may have been applied, so it is not sent again"),
                    e);
        }
        if (refusal || serverError) {
            return wait.isPresent()
                    ? new TransientFailureException(
                            message + " (" + wait.get().asked() + ")",
                            wait.get().delay(),
                            e)
                    : new TransientFailureException(message, e);
        }
        return new AzureErrorAnswer(message, status, code, e);
    }

    /** The HTTP status of the first response in {@code failure}'s causes; 0 when there is none. */
    public static int status(Throwable failure) {
        return find(failure, AzureErrorAnswer.class)
                .map(AzureErrorAnswer::status)
                .or(() -> find(failure, HttpResponseException.class).map(AzureFailures::status))
                .orElse(0);
    }

    private static int status(HttpResponseException e) {
        HttpResponse response = e.getResponse();
        return response == null ? 0 : response.getStatusCode();
    }

    /** The ARM error code ({@code ServerAlreadyExists}) of the first Azure error in {@code failure}'s causes; "" if none. */
    public static String armCode(Throwable failure) {
        return find(failure, AzureErrorAnswer.class)
                .map(AzureErrorAnswer::armCode)
                .or(() -> find(failure, ManagementException.class)
                        .map(m -> m.getValue() == null
                                ? ""
                                : Objects.toString(m.getValue().getCode(), "")))
                .orElse("");
    }

    private static boolean requestWasSafe(HttpResponseException e) {
        HttpRequest request = e.getResponse() == null ? null : e.getResponse().getRequest();
        return request != null && AzureCall.safe(request.getHttpMethod());
    }

    /** Whether the failure is a broken, refused or timed-out connection rather than an answer. */
    static boolean brokenConnection(Throwable failure) {
        if (find(failure, IOException.class).isPresent()
                || find(failure, TimeoutException.class).isPresent()) {
            return true;
        }
        Throwable c = failure;
        for (int i = 0; c != null && i < 10; i++, c = c.getCause() == c ? null : c.getCause()) {
            String name = c.getClass().getName();
            if (name.contains("PrematureClose")
                    || name.contains("ConnectException")
                    || name.contains("Channel")
                    || name.contains("Timeout")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether {@code failure} comes from getting a token: azure-identity's synchronous credentials throw
     * MSAL's exception wrapped in plain {@code RuntimeException}s, not a {@link ClientAuthenticationException}.
     */
    static boolean tokenFailure(Throwable failure) {
        Throwable c = failure;
        for (int i = 0; c != null && i < 10; i++) {
            String name = c.getClass().getName();
            if (name.startsWith("com.microsoft.aad.msal4j.") || name.startsWith("com.azure.identity.")) {
                return true;
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return false;
    }

    /** The first Entra ID error code ({@code AADSTS7000215}) in the messages of {@code failure}'s chain, or "". */
    static String entraErrorCode(Throwable failure) {
        Throwable c = failure;
        for (int i = 0; c != null && i < 10; i++) {
            Matcher code = ENTRA_ERROR.matcher(String.valueOf(c.getMessage()));
            if (code.find()) {
                return code.group();
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return "";
    }

    static <T extends Throwable> Optional<T> find(Throwable t, Class<T> type) {
        Throwable c = t;
        for (int i = 0; c != null && i < 10; i++) {
            if (type.isInstance(c)) {
                return Optional.of(type.cast(c));
            }
            for (Throwable s : c.getSuppressed()) {
                if (type.isInstance(s)) {
                    return Optional.of(type.cast(s));
                }
            }
            c = c.getCause() == c ? null : c.getCause();
        }
        return Optional.empty();
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("");
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }
}
