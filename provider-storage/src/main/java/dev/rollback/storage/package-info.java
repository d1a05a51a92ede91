/**
 * Rollback steps and verifiers for Azure Storage: the geo-replication status and its RPO gate
 * ({@link dev.rollback.storage.ReplicationStatusCheck}), account failover
 * ({@link dev.rollback.storage.AccountFailoverStep}), blob container sync
 * ({@link dev.rollback.storage.BlobSyncStep}) and its integrity check
 * ({@link dev.rollback.storage.BlobIntegrityVerifier}), and backups kept in a blob container
 * ({@link dev.rollback.storage.BackupUploadStep}, {@link dev.rollback.storage.BackupDownloadStep});
 * start at
 * {@link dev.rollback.storage.StorageRollback}.
 */
package dev.rollback.storage;
