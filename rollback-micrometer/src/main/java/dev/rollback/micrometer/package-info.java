/**
 * Micrometer integration. {@link dev.rollback.micrometer.TriggerMeterRegistry} is a child meter
 * registry that feeds a {@link dev.rollback.core.trigger.TriggerEngine} from the request timer an
 * application already records ({@code http.server.requests}), so triggers need no second
 * recording. {@link dev.rollback.micrometer.RollbackMetrics} publishes runs, steps, RTO budget
 * left, decisions and rule states; {@link dev.rollback.micrometer.JournalMetrics} times journal
 * appends.
 */
package dev.rollback.micrometer;
