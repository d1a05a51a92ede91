/**
 * Internal: how the executor schedules, times, retries and reports. Not part of the API; may
 * change in any release.
 */
package dev.rollback.core.internal;
