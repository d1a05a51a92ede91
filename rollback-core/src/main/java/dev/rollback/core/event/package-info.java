/** Ready-made {@link dev.rollback.api.event.RollbackListener}s: logging through SLF4J. */
package dev.rollback.core.event;
