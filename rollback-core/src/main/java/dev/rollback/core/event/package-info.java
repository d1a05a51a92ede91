/**
 * Ready-made {@link dev.rollback.api.event.RollbackListener}s:
 * {@link dev.rollback.core.event.Slf4jRollbackListener} logs every event of every run through SLF4J,
 * with the run and step ids in the MDC, failures at WARN and the rest at INFO. Register one with
 * {@code RollbackExecutor.builder().listener(...)}.
 */
package dev.rollback.core.event;
