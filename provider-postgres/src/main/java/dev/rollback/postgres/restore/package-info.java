/**
 * Point-in-time restore, the runbook's database recovery: for a self-hosted cluster from a base
 * backup and the WAL archive into a new cluster
 * ({@link dev.rollback.postgres.restore.BaseBackupStep},
 * {@link dev.rollback.postgres.restore.SelfHostedPointInTimeRestoreStep}), and for Azure Database
 * for PostgreSQL flexible server into a new server
 * ({@link dev.rollback.postgres.restore.FlexibleServerPointInTimeRestoreStep} through
 * {@link dev.rollback.postgres.restore.FlexibleServerControlPlane}, the one entry to the Azure SDK,
 * an optional dependency). The source is only ever read; a target outside the restore window is
 * refused before any effect.
 */
package dev.rollback.postgres.restore;
