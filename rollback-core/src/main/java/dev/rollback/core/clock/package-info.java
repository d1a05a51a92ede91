/**
 * Clocks for tests and replays: {@link dev.rollback.core.clock.ManualClock} is a
 * {@link dev.rollback.api.RollbackClock} that moves only when told to, keeps wall time and
 * monotonic time apart (so a test can jump the wall clock and prove that budgets ignore it) and
 * turns sleeps into instant, exact advances.
 */
package dev.rollback.core.clock;
