/**
 * Micrometer integration: {@link dev.rollback.micrometer.TriggerMeterRegistry} is a child meter
 * registry that feeds a {@link dev.rollback.core.trigger.TriggerEngine} from the request timer an
 * application already records ({@code http.server.requests}), so triggers need no second
 * recording.
 */
package dev.rollback.micrometer;
