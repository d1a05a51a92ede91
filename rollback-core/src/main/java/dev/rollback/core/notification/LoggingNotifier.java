package dev.rollback.core.notification;

import dev.rollback.api.Redaction;
import dev.rollback.api.Severity;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Notifier} that writes each notification to the SLF4J logger
 * {@code dev.rollback.notifications}: at WARN for Sev 0 and Sev 1, at INFO otherwise, subject and
 * body redacted. For development, audits and as a companion to a notifier that reaches people.
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
            notification.incidentId(),
            notification.severity(),
            notification.stakeholder(),
            notification.recipients(),
            Redaction.redact(notification.subject()),
            Redaction.redact(notification.body())
        };
        if (notification.severity().isAtLeast(Severity.SEV1)) {
            LOG.warn(format, args);
        } else {
            LOG.info(format, args);
        }
    }
}
