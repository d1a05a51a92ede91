package dev.rollback.api.spi;

/**
 * Delivers {@link Notification}s: a log, a webhook, a pager. A failed delivery is recorded and
 * retried by the caller, and never blocks a rollback.
 *
 * <p>Implementations are thread-safe.
 */
public interface Notifier {

    /** A short name for reports ("log", "webhook:ops"). */
    String name();

    /**
     * Delivers one notification; returns once it was accepted.
     *
     * @throws Exception if delivery failed; the caller records and retries it
     */
    void send(Notification notification) throws Exception;
}
