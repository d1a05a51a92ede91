/**
 * Governance: the runbook's people side. {@link dev.rollback.core.governance.Incident}s classified
 * by the runbook's criteria; who may start which rollback ({@link dev.rollback.core.governance.RunbookApprovalPolicy},
 * the technical and business {@link dev.rollback.core.governance.AuthorityMatrix}, an
 * {@link dev.rollback.core.governance.IdentityDirectory}); who is told when
 * ({@link dev.rollback.core.governance.EscalationScheduler}, {@link dev.rollback.core.governance.NotificationDispatcher},
 * the logging and webhook notifiers); and whether the recovery met the runbook's success metrics
 * ({@link dev.rollback.core.governance.RollbackSuccessMetrics}). See {@code docs/governance.md}.
 */
package dev.rollback.core.governance;
