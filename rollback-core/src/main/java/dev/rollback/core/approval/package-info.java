/**
 * Who may start which rollback: the runbook's authorization rules as a
 * {@link dev.rollback.api.governance.ApprovalPolicy} ({@link dev.rollback.core.approval.RunbookApprovalPolicy}),
 * the technical and business {@link dev.rollback.core.approval.AuthorityMatrix}, what a rollback reverts
 * ({@link dev.rollback.core.approval.RollbackClassification}) and who holds which role
 * ({@link dev.rollback.core.approval.IdentityDirectory}). See {@code docs/governance.md}.
 */
package dev.rollback.core.approval;
