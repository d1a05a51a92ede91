package dev.rollback.core.notification;

import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notification;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The record of one notification sent through one notifier: every attempt, and when it was
 * delivered if it was. A delivery that failed every attempt stays recorded, so a report shows who
 * was never told. Immutable.
 *
 * @param notification what was sent
 * @param notifier the notifier's name ("log", "webhook:ops")
 * @param attempts every attempt, in order; at least one
 * @param deliveredAt when the notifier accepted it, if it did
 */
public record NotificationDelivery(
        Notification notification, String notifier, List<DeliveryAttempt> attempts, Optional<Instant> deliveredAt) {

    /** Validates and copies. */
    public NotificationDelivery {
        Objects.requireNonNull(notification, "notification");
        Arguments.requireText(notifier, "notifier");
        attempts = List.copyOf(attempts);
        if (attempts.isEmpty()) {
            throw new IllegalArgumentException("attempts must hold at least one attempt, but was empty");
        }
        Objects.requireNonNull(deliveredAt, "deliveredAt");
    }

    /** Whether it was delivered. */
    public boolean delivered() {
        return deliveredAt.isPresent();
    }

    /** The time from the incident's opening to delivery, if delivered. */
    public Optional<Duration> latency() {
        return deliveredAt.map(at -> Duration.between(notification.incidentOpenedAt(), at));
    }
}
