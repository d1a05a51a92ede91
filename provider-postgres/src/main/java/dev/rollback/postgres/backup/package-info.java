/**
 * The runbook's "create emergency backup" and "verify backup integrity":
 * {@link dev.rollback.postgres.backup.EmergencyBackupStep} runs {@code pg_dump} without a shell,
 * with the password only in a temporary 0600 file, and gives the dump its final name only after it
 * succeeded; {@link dev.rollback.postgres.backup.BackupVerificationStep} checks its checksum, its
 * table of contents and, optionally, a full restore into a scratch database. A backup is not good
 * until it was verified; destructive steps are placed after both.
 */
package dev.rollback.postgres.backup;
