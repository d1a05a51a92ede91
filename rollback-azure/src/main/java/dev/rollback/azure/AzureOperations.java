package dev.rollback.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Waits for an Azure long-running operation inside a step's deadline, instead of the SDK's
 * {@code waitForCompletion} (which sleeps whatever the server asks between polls and knows no
 * deadline). One poll at a time: each answered poll is reported with
 * {@link StepContext#progress(String)} (so a stall timeout sees it), the run's abort and the deadline
 * are checked before each ({@link StepContext#checkpoint()}), and the wait before the next poll is
 * the server's {@code Retry-After} when it sends a positive one, else {@code pollInterval}. When that
 * wait would end later than the step's remaining time less {@code reserve} (the time the step keeps
 * for reading the resource afterwards), it stops at once with an
 * {@link OperationStillRunningException} naming the wait and the budget: the operation goes on in
 * Azure.
 *
 * <p>A poll that fails is mapped by the call ({@link AzureCall#failure}): for a
 * {@link AzureCall.Kind#CHANGE change}, whose operation was accepted, that is an
 * {@link dev.rollback.api.IndeterminateOutcomeException}. An operation that Azure reports Failed or
 * Canceled is an {@link ErrorCode#EXTERNAL_FAILURE} naming Azure's error code: a definite failure.
 *
 * <p>Stateless and thread-safe.
 */
public final class AzureOperations {
    private static final Pattern ARM_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]{1,100})\"");
    private static final Pattern ARM_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"([^\"]{1,300})\"");

    private AzureOperations() {}

    /**
     * Polls {@code poller} (returned by an SDK {@code begin...} method given {@code call.context()})
     * until the operation ends, and returns its final result.
     *
     * @param poller the operation, already started
     * @param call the call that started it; its step bounds the wait
     * @param pollInterval the wait between polls when the server sends no positive Retry-After
     *     (the client's own poll interval); positive
     * @param reserve time to keep back from the step's deadline for the step's own work afterwards;
     *     zero to wait until the deadline
     * @return the final result (null for operations without one)
     * @throws OperationStillRunningException if the operation was still running when the wait had to stop
     * @throws RollbackException for a failed operation or a failed poll, as mapped by the call
     */
    public static <T> T await(SyncPoller<?, T> poller, AzureCall call, Duration pollInterval, Duration reserve) {
        return await(poller, call, pollInterval, reserve, polls -> {});
    }

    /**
     * As {@link #await(SyncPoller, AzureCall, Duration, Duration)}, telling {@code onAnsweredPoll} the
     * number of answered polls so far after each one (for a step's evidence).
     *
     * @param onAnsweredPoll called on the step's thread with 1, 2, 3... after each answered poll
     */
    public static <T> T await(
            SyncPoller<?, T> poller,
            AzureCall call,
            Duration pollInterval,
            Duration reserve,
            IntConsumer onAnsweredPoll) {
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(onAnsweredPoll, "onAnsweredPoll");
        Objects.requireNonNull(call, "call");
        requireNonNegative(pollInterval, "pollInterval");
        if (pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be positive, but was " + pollInterval);
        }
        requireNonNegative(reserve, "reserve");
        StepContext step = call.step();
        int polls = 0;
        while (true) {
            step.checkpoint();
            PollResponse<?> answer;
            try {
                answer = poller.poll();
            } catch (RuntimeException e) {
                throw call.failure(e);
            }
            polls++;
            onAnsweredPoll.accept(polls);
            LongRunningOperationStatus status = answer.getStatus();
            step.progress(call.what() + ": " + status + " (poll " + polls + ")");
            if (status == LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                try {
                    return poller.getFinalResult();
                } catch (RuntimeException e) {
                    throw call.failure(e);
                }
            }
            if (status.isComplete()) {
                throw failed(call, poller, answer, status);
            }
            Duration asked = answer.getRetryAfter();
            boolean serverAsked = asked != null && !asked.isZero() && !asked.isNegative();
            Duration wait = serverAsked ? asked : pollInterval;
            Duration left = step.remaining().minus(reserve);
            if (wait.compareTo(left) >= 0) {
                throw new OperationStillRunningException(
                        call.what() + " was accepted by Azure and is still running (" + status + " after " + polls
                                + " poll(s)); the next poll would come " + wait
                                + (serverAsked ? " later, as the server asked (Retry-After)" : " later")
                                + ", but step '" + step.stepId() + "' has " + step.remaining()
                                + " left before its deadline"
                                + (reserve.isZero() ? "" : " and keeps " + reserve + " of it")
                                + ", so it stopped waiting; the operation may still complete in Azure",
                        polls);
            }
            try {
                step.clock().sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StepInterruptedException(call.what() + ": interrupted while waiting for the operation");
            }
        }
    }

    private static RollbackException failed(
            AzureCall call, SyncPoller<?, ?> poller, PollResponse<?> answer, LongRunningOperationStatus status) {
        String prefix = call.what() + " failed: Azure reports the operation " + status;
        if (answer.getValue() instanceof PollResult<?> result && result.getError() != null) {
            PollResult.Error error = result.getError();
            String body = String.valueOf(error.getResponseBody());
            Matcher code = ARM_CODE.matcher(body);
            Matcher message = ARM_MESSAGE.matcher(body);
            return new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    prefix
                            + (code.find() ? " with " + code.group(1) : "")
                            + (message.find() ? ": " + Redaction.redact(message.group(1)) : ""));
        }
        try {
            poller.getFinalResult();
        } catch (RuntimeException e) {
            String code = AzureFailures.armCode(e);
            return new RollbackException(
                    ErrorCode.EXTERNAL_FAILURE,
                    prefix + (code.isEmpty() ? "" : " with " + code) + ": "
                            + Redaction.redact(String.valueOf(e.getMessage())
                                    .lines()
                                    .findFirst()
                                    .orElse("")),
                    e);
        }
        return new RollbackException(ErrorCode.EXTERNAL_FAILURE, prefix);
    }

    private static void requireNonNegative(Duration d, String field) {
        Objects.requireNonNull(d, field);
        if (d.isNegative()) {
            throw new IllegalArgumentException(field + " must not be negative, but was " + d);
        }
    }
}
