package dev.rollback.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rollback.api.RollbackException;
import dev.rollback.api.Severity;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The {@link Notifier} contract as tests: extend it with a factory for your notifier and, if the
 * receiver can be watched and made to refuse, a {@link Receiver}; the kit checks what the
 * {@code Notifier} javadoc states (a stable name, one delivery per call, sends from several threads,
 * a transient refusal thrown as retryable and a permanent one as permanent, no secret in the name,
 * {@code toString} or a failure's message).
 *
 * <pre>{@code
 * class MyNotifierTest extends NotifierContract {
 *     @Override
 *     protected Notifier createNotifier() {
 *         return MyNotifier.to(receiverUrl, token);
 *     }
 *
 *     @Override
 *     protected Optional<Receiver> receiver() {
 *         return Optional.of(myReceiver);           // counts and refuses what it receives
 *     }
 *
 *     @Override
 *     protected Set<String> secrets() {
 *         return Set.of(token.reveal());
 *     }
 * }
 * }</pre>
 */
public abstract class NotifierContract {

    /**
     * The notifier under test, delivering to the {@link #receiver()} when there is one.
     *
     * @return the notifier
     * @throws Exception if it cannot be built
     */
    protected abstract Notifier createNotifier() throws Exception;

    /**
     * The receiver the notifier delivers to, to count deliveries and make it refuse; empty if it
     * cannot be watched (a log), which skips the tests that need it.
     *
     * @return the receiver, or empty
     */
    protected Optional<Receiver> receiver() {
        return Optional.empty();
    }

    /**
     * The notifier's credentials (a token, a password, an endpoint's secret path), which must never
     * appear in its name, {@code toString} or a failure's message. Default: none.
     *
     * @return the secrets
     */
    protected Set<String> secrets() {
        return Set.of();
    }

    /**
     * The other end of a notifier, as a test sees it. It accepts every delivery at the start of each
     * test (reset it in a {@code @BeforeEach} of the subclass).
     */
    public interface Receiver {
        /**
         * How many times the receiver accepted a notification about {@code incidentId}.
         *
         * @param incidentId the notification's incident
         * @return the count
         * @throws Exception if it cannot tell
         */
        int accepted(String incidentId) throws Exception;

        /**
         * From now on, refuses every delivery in a way worth retrying (busy, unavailable, timing out).
         *
         * @throws Exception if it cannot
         */
        void refuseTransiently() throws Exception;

        /**
         * From now on, refuses every delivery for good (a bad request, a refused credential); throw
         * {@link UnsupportedOperationException} if this channel has no such refusal, which skips that
         * test.
         *
         * @throws Exception if it cannot
         */
        void refusePermanently() throws Exception;
    }

    /** A notification about a new incident of its own, carrying no secret. */
    protected static Notification notification() {
        Instant now = Instant.parse("2026-03-01T12:00:00Z");
        return new Notification(
                "incident-" + UUID.randomUUID(),
                "technical-team",
                List.of("oncall@example.com"),
                Severity.SEV1,
                "Rollback started",
                "Application rollback of the API, \"quoted\" and\nmultiline",
                now,
                now.plusSeconds(30));
    }

    private Receiver requireReceiver() {
        Optional<Receiver> receiver = receiver();
        assumeTrue(receiver.isPresent(), "the receiver cannot be watched (receiver() is empty)");
        return receiver.get();
    }

    @Test
    void hasAShortStableNameOnOneLine() throws Exception {
        Notifier notifier = createNotifier();
        assertThat(notifier.name()).isNotBlank().doesNotContain("\n", "\r");
        assertThat(notifier.name()).isEqualTo(notifier.name());
        assertNoSecretIn(notifier.name());
        assertNoSecretIn(notifier.toString());
    }

    @Test
    void aSendThatReturnedWasAcceptedOnce() throws Exception {
        Receiver receiver = requireReceiver();
        Notification n = notification();
        createNotifier().send(n);
        assertThat(receiver.accepted(n.incidentId())).isEqualTo(1);
    }

    @Test
    void sendsFromSeveralThreadsAtOnceAreEachDelivered() throws Exception {
        Notifier notifier = createNotifier();
        int threads = 4;
        CyclicBarrier start = new CyclicBarrier(threads);
        List<Notification> sent = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Notification n = notification();
                sent.add(n);
                work.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    notifier.send(n);
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        Optional<Receiver> receiver = receiver();
        if (receiver.isPresent()) {
            for (Notification n : sent) {
                assertThat(receiver.get().accepted(n.incidentId())).isEqualTo(1);
            }
        }
    }

    @Test
    void aTransientRefusalThrowsAFailureTheCallerRetries() throws Exception {
        Receiver receiver = requireReceiver();
        receiver.refuseTransiently();
        Notification n = notification();
        Notifier notifier = createNotifier();
        assertThatThrownBy(() -> notifier.send(n))
                .as("a transient failure is a TransientFailureException or not a RollbackException")
                .satisfies(e -> assertThat(!(e instanceof RollbackException) || e instanceof TransientFailureException)
                        .isTrue())
                .satisfies(this::assertNoSecretInMessages);
        assertThat(receiver.accepted(n.incidentId())).isZero();
    }

    @Test
    void aPermanentRefusalThrowsAFailureTheCallerDoesNotRetry() throws Exception {
        Receiver receiver = requireReceiver();
        try {
            receiver.refusePermanently();
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "this channel has no permanent refusal");
        }
        Notifier notifier = createNotifier();
        assertThatThrownBy(() -> notifier.send(notification()))
                .as("a permanent refusal is a RollbackException that is not a TransientFailureException")
                .isInstanceOf(RollbackException.class)
                .isNotInstanceOf(TransientFailureException.class)
                .satisfies(this::assertNoSecretInMessages);
    }

    private void assertNoSecretInMessages(Throwable thrown) {
        for (Throwable t = thrown; t != null; t = t.getCause()) {
            assertNoSecretIn(String.valueOf(t.getMessage()));
            assertNoSecretIn(t.toString());
        }
    }

    private void assertNoSecretIn(String text) {
        for (String secret : secrets()) {
            assertThat(text).doesNotContain(secret);
        }
    }
}
