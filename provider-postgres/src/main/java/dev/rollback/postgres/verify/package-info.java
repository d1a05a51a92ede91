/**
 * Read-only verifiers that decide whether a restored database is fit to serve: row counts against
 * a baseline taken before the rollback ({@link dev.rollback.postgres.verify.TableCountBaseline},
 * {@link dev.rollback.postgres.verify.TableCountVerifier}), orphaned foreign keys
 * ({@link dev.rollback.postgres.verify.ReferentialIntegrityVerifier}), the operator's critical-data
 * queries ({@link dev.rollback.postgres.verify.CriticalDataVerifier}) and no row newer than the
 * restore target, with the records lost as typed RPO evidence
 * ({@link dev.rollback.postgres.verify.RestoreSanityVerifier}).
 */
package dev.rollback.postgres.verify;
