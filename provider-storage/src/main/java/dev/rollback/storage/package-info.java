/**
 * Rollback steps and verifiers for Azure Storage: the geo-replication status and its RPO gate
 * ({@link dev.rollback.storage.ReplicationStatusCheck}) and account failover
 * ({@link dev.rollback.storage.AccountFailoverStep}); start at
 * {@link dev.rollback.storage.StorageRollback}.
 */
package dev.rollback.storage;
