/**
 * Deciding when to roll back: a {@link dev.rollback.core.trigger.TriggerEngine} records live
 * signals (requests, connection attempts, gauges, health checks, alarms) into sliding windows and
 * evaluates a {@link dev.rollback.core.trigger.DecisionMatrix} of
 * {@link dev.rollback.core.trigger.TriggerRule}s over them (thresholds with sustain, hysteresis and
 * k-of-n), handing each decision to its {@link dev.rollback.core.trigger.DecisionListener}s.
 * {@link dev.rollback.core.trigger.Replay} plays a recorded trace through the same engine on a
 * manual clock to tune thresholds before trusting them.
 */
package dev.rollback.core.trigger;
