package dev.rollback.api.spi;

/**
 * Delivers {@link Notification}s to people: a log, a webhook, a pager, a chat channel. The caller (the
 * {@code NotificationDispatcher} of rollback-core) runs it off the rollback's threads, retries a failed delivery
 * with backoff and records every attempt, so a notifier never holds up a rollback.
 *
 * <p><b>One call, one attempt.</b> {@link #send(Notification)} tries once and returns when the
 * receiver accepted the notification; it never retries by itself, since the caller owns the retry
 * budget and the record of attempts.
 *
 * <p><b>What a failure means.</b> {@code send} throws when the notification was not accepted, or may
 * not have been (a timeout, a lost answer):
 * <ul>
 *   <li>{@link dev.rollback.api.TransientFailureException}: it may pass if tried again (a timeout, a
 *       reset, a 429 or 5xx answer), with the receiver's Retry-After when it gave one; retried;</li>
 *   <li>any other {@link dev.rollback.api.RollbackException}: a permanent refusal (a 400, a credential
 *       the receiver refused); not retried;</li>
 *   <li>any other exception: treated as transient and retried.</li>
 * </ul>
 * A retry after an answer was lost may deliver a notification twice: delivery is at least once.
 * Where the channel allows, a notifier sends a key derived from the notification, the same on every
 * attempt, so that a receiver can drop duplicates.
 *
 * <p><b>Blocking.</b> {@code send} blocks its thread for at most its own bounded timeouts (to connect,
 * for an answer), never indefinitely. Interrupted, it stops and throws
 * {@link InterruptedException} (or keeps the thread's interrupt flag set).
 *
 * <p><b>Secrets.</b> A notifier never puts its credentials (tokens, passwords, keys, the user info,
 * path or query of an endpoint that may carry a token) in {@link #name()}, {@code toString()}, a log
 * line or an exception message; when it logs a notification's text it redacts it first
 * ({@link dev.rollback.api.Redaction}).
 *
 * <p>Implementations are thread-safe: the caller sends from several threads at once.
 * {@code NotifierContract} in {@code rollback-testkit} checks these rules.
 */
public interface Notifier {

    /** A short, stable name for reports ("log", "webhook:ops"); never a secret. */
    String name();

    /**
     * Delivers one notification in one attempt; returns once the receiver accepted it.
     *
     * @param notification the notification
     * @throws Exception if delivery failed or may have failed, as described above; the caller records
     *     it and retries it unless it is a permanent refusal
     */
    void send(Notification notification) throws Exception;
}
