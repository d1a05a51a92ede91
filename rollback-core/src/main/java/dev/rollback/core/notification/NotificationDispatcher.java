package dev.rollback.core.notification;

import dev.rollback.api.Redaction;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import dev.rollback.core.internal.RetryBackoff;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers every {@link Notification} through every configured {@link Notifier}, off the caller's
 * thread, retrying a failed delivery with exponential backoff, and records each delivery (attempts,
 * failures, when it was accepted) so that notification latencies can be measured and a report can
 * show who was never told.
 *
 * <p>Retry rule: any exception a notifier throws is retried up to {@link RetrySettings#maxAttempts()},
 * except a {@link RollbackException} that is not a {@link TransientFailureException} (a permanent
 * refusal, such as a webhook's 400), which fails at once. A Retry-After the receiver gave is honored,
 * capped at the settings' maximum backoff. Backoffs wait on the injected {@link RollbackClock}.
 *
 * <p>Thread-safe. {@link #dispatch} never blocks and never throws for a failed delivery: a
 * notification never holds up a rollback. {@link #close()} stops the dispatcher's own threads
 * (never an executor it was given). Latency counts the first delivery through <em>any</em> notifier,
 * so configure only notifiers that reach people when latencies matter.
 */
public final class NotificationDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotificationDispatcher.class);

    private final List<Notifier> notifiers;
    private final RollbackClock clock;
    private final RetrySettings retry;
    private final RetryBackoff backoff;
    private final Executor executor;
    private final Optional<ExecutorService> ownExecutor;
    private final ConcurrentLinkedQueue<NotificationDelivery> deliveries = new ConcurrentLinkedQueue<>();

    private NotificationDispatcher(Builder b) {
        this.notifiers = List.copyOf(b.notifiers);
        this.clock = b.clock;
        this.retry = b.retry;
        // Every failure may be retried, except a permanent RollbackException (checked in deliver).
        this.backoff = new RetryBackoff(b.retry, failure -> true);
        if (b.executor.isPresent()) {
            this.executor = b.executor.get();
            this.ownExecutor = Optional.empty();
        } else {
            ExecutorService own = Executors.newFixedThreadPool(b.threads, daemonThreads());
            this.executor = own;
            this.ownExecutor = Optional.of(own);
        }
    }

    /** A builder: system clock, 5 attempts from 1 s backoff doubling up to 30 s, two daemon threads. */
    public static Builder custom() {
        return new Builder();
    }

    /**
     * Delivers {@code notification} through every notifier, asynchronously. The future completes
     * with one delivery record per notifier once each was delivered or gave up; it never completes
     * exceptionally for a failed delivery. After {@link #close()} nothing is sent, and each delivery
     * is recorded as failed at once.
     */
    public CompletableFuture<List<NotificationDelivery>> dispatch(Notification notification) {
        Objects.requireNonNull(notification, "notification");
        List<CompletableFuture<NotificationDelivery>> each =
                notifiers.stream().map(n -> submit(notification, n)).toList();
        return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
                .thenApply(ignored -> each.stream().map(CompletableFuture::join).toList());
    }

    /** Every finished delivery, in the order they finished. */
    public List<NotificationDelivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The finished deliveries about one incident, in the order they finished. */
    public List<NotificationDelivery> deliveries(String incidentId) {
        Objects.requireNonNull(incidentId, "incidentId");
        return deliveries.stream()
                .filter(d -> d.notification().incidentId().equals(incidentId))
                .toList();
    }

    /** Stops the dispatcher's own threads, letting deliveries under way finish; an executor it was given is left alone. */
    @Override
    public void close() {
        ownExecutor.ifPresent(ExecutorService::shutdown);
    }

    private CompletableFuture<NotificationDelivery> submit(Notification notification, Notifier notifier) {
        try {
            return CompletableFuture.supplyAsync(() -> deliver(notification, notifier), executor);
        } catch (RejectedExecutionException closed) {
            LOG.warn(
                    "notification of incident {} to {} via {} not sent: the dispatcher is closed",
                    notification.incidentId(),
                    notification.stakeholder(),
                    notifier.name());
            NotificationDelivery refused = new NotificationDelivery(
                    notification,
                    notifier.name(),
                    List.of(new DeliveryAttempt(
                            1, clock.instant(), Optional.of("not sent: " + Redaction.describe(closed)))),
                    Optional.empty());
            deliveries.add(refused);
            return CompletableFuture.completedFuture(refused);
        }
    }

    private NotificationDelivery deliver(Notification notification, Notifier notifier) {
        List<DeliveryAttempt> attempts = new ArrayList<>();
        Optional<Instant> deliveredAt = Optional.empty();
        for (int n = 1; n <= retry.maxAttempts() && deliveredAt.isEmpty(); n++) {
            Instant at = clock.instant();
            try {
                notifier.send(notification);
                attempts.add(new DeliveryAttempt(n, at, Optional.empty()));
                deliveredAt = Optional.of(clock.instant());
            } catch (Exception failure) {
                String why = Redaction.describe(failure);
                attempts.add(new DeliveryAttempt(n, at, Optional.of(why)));
                boolean permanent =
                        failure instanceof RollbackException && !(failure instanceof TransientFailureException);
                if (permanent || n == retry.maxAttempts()) {
                    LOG.warn(
                            "notification of incident {} to {} via {} failed after {} attempt(s): {}",
                            notification.incidentId(),
                            notification.stakeholder(),
                            notifier.name(),
                            n,
                            why);
                    break;
                }
                Duration wait = capped(backoff.waitAfter(n, failure));
                LOG.info(
                        "notification of incident {} to {} via {} failed (attempt {}), retrying in {}: {}",
                        notification.incidentId(),
                        notification.stakeholder(),
                        notifier.name(),
                        n,
                        wait,
                        why);
                if (!sleep(wait)) {
                    break;
                }
            }
        }
        NotificationDelivery delivery = new NotificationDelivery(notification, notifier.name(), attempts, deliveredAt);
        deliveries.add(delivery);
        return delivery;
    }

    /** A receiver's Retry-After is honoured up to the settings' maximum backoff, never beyond. */
    private Duration capped(Duration wait) {
        return wait.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : wait;
    }

    private boolean sleep(Duration wait) {
        try {
            clock.sleep(wait);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "rollback-notifier-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builds a {@link NotificationDispatcher}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final List<Notifier> notifiers = new ArrayList<>();
        private RollbackClock clock = RollbackClock.system();
        private RetrySettings retry = RetrySettings.custom()
                .maxAttempts(5)
                .initialBackoff(Duration.ofSeconds(1))
                .maxBackoff(Duration.ofSeconds(30))
                .build();
        private Optional<Executor> executor = Optional.empty();
        private int threads = 2;

        private Builder() {}

        /** Adds a notifier; every notification goes through each. At least one is required. */
        public Builder addNotifier(Notifier notifier) {
            notifiers.add(Objects.requireNonNull(notifier, "notifier"));
            return this;
        }

        /** The clock deliveries are stamped with and backoffs wait on. Default: the system clock. */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How failed deliveries are retried. Default: 5 attempts, 1 s doubling to at most 30 s, jitter 0.5. */
        public Builder retry(RetrySettings retry) {
            this.retry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** The executor deliveries run on, owned by the caller. Default: the dispatcher's own daemon threads. */
        public Builder executor(Executor executor) {
            this.executor = Optional.of(Objects.requireNonNull(executor, "executor"));
            return this;
        }

        /** How many threads the dispatcher's own executor has; 1 to 64. Default 2. Ignored with {@link #executor}. */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 64) {
                throw new IllegalArgumentException("threads must be 1 to 64, but was " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Builds the dispatcher; needs at least one notifier. */
        public NotificationDispatcher build() {
            if (notifiers.isEmpty()) {
                throw new IllegalArgumentException("notifiers must hold at least one notifier, but was empty");
            }
            return new NotificationDispatcher(this);
        }
    }
}
