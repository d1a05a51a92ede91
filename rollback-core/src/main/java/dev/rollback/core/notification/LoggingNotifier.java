package dev.rollback.core.notification;

import dev.rollback.api.Severity;
import dev.rollback.api.internal.SafeText;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Notifier} that writes each notification to the SLF4J logger
 * {@code dev.rollback.notifications}: at WARN for Sev 0 and Sev 1, at INFO otherwise, subject and
 * body redacted and every text's control characters escaped (a multi-line body stays one log
 * line). For development, audits and as a companion to a notifier that reaches people.
 *
 * <p>Stateless and thread-safe. It never fails and never reaches a person by itself.
 */
public final class LoggingNotifier implements Notifier {
    private static final Logger LOG = LoggerFactory.getLogger("dev.rollback.notifications");

    /** A logging notifier. */
    public LoggingNotifier() {
        // stateless
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void send(Notification notification) {
        String format = "incident {} [{}] to {} {}: {} | {}";
        Object[] args = {
            SafeText.of(notification.incidentId()),
            notification.severity(),
            SafeText.of(notification.stakeholder()),
            SafeText.of(notification.recipients()),
            SafeText.of(notification.subject()),
            SafeText.of(notification.body())
        };
        if (notification.severity().isAtLeast(Severity.SEV1)) {
            LOG.warn(format, args);
        } else {
            LOG.info(format, args);
        }
    }
}
