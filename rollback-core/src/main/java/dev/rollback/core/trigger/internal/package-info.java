/**
 * Internal data structures of the trigger engine: the striped sliding window of counters, the
 * layout of the log-linear latency histogram and the ticker that lets recording threads skip a
 * clock read. Public only because the engine in {@code dev.rollback.core.trigger} uses them; not part
 * of the API; may change in any release.
 */
package dev.rollback.core.trigger.internal;
