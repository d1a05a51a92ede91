/**
 * Stakeholder notifications: who is informed and by when ({@link dev.rollback.core.notification.StakeholderGroup}),
 * delivered through a {@link dev.rollback.api.spi.Notifier} by the
 * {@link dev.rollback.core.notification.NotificationDispatcher} with retries and a record of every
 * delivery; the logging and webhook notifiers. See {@code docs/governance.md}.
 */
package dev.rollback.core.notification;
