package dev.rollback.core.incident;

import dev.rollback.api.Decision;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Severity;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import dev.rollback.core.notification.NotificationDispatcher;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Shared test data for the governance tests. */
public final class Fixtures {
    public static final Instant T0 = Instant.parse("2026-03-02T09:00:00Z");

    private Fixtures() {}

    public static RollbackPlan plan(String name) {
        return RollbackPlan.builder(name, RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5)))
                .step(RollbackStep.builder("swap", "app").build())
                .build();
    }

    public static Decision decision(Severity severity, Instant breachBegan, Instant decidedAt) {
        return new Decision(
                "application-rollback",
                Decision.Kind.ROLLBACK,
                severity,
                "error-rate",
                0.013,
                0.01,
                "ratio",
                "error rate 1.3% > 1% for 5m",
                breachBegan,
                decidedAt);
    }

    /** A dispatcher that delivers on the calling thread, once, so tests see every delivery at once. */
    public static NotificationDispatcher directDispatcher(Notifier notifier, RollbackClock clock) {
        return NotificationDispatcher.custom()
                .addNotifier(notifier)
                .clock(clock)
                .executor(Runnable::run)
                .retry(RetrySettings.none())
                .build();
    }

    /** A notifier that remembers what it was given. */
    public static final class RecordingNotifier implements Notifier {
        private final List<Notification> sent = new CopyOnWriteArrayList<>();

        /** Every notification sent, in order; a live view. */
        public List<Notification> sent() {
            return sent;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public void send(Notification notification) {
            sent.add(notification);
        }
    }
}
