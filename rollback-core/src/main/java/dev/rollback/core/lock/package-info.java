/**
 * {@link dev.rollback.api.spi.RunLock} implementations: {@link dev.rollback.core.lock.InProcessRunLock}
 * for the threads of one JVM and {@link dev.rollback.core.lock.FileRunLock} for the processes of one
 * host. Both hand out fencing tokens that only grow.
 */
package dev.rollback.core.lock;
