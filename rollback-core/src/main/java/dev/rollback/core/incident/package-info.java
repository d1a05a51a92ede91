/**
 * Incidents: an {@link dev.rollback.core.incident.Incident} classified by the runbook's criteria
 * ({@link dev.rollback.core.incident.IncidentFacts}, {@link dev.rollback.core.incident.SeverityClassification}),
 * its timeline, and the runbook's success metrics computed by one formula
 * ({@link dev.rollback.core.incident.RollbackSuccessMetrics}). See {@code docs/governance.md}.
 */
package dev.rollback.core.incident;
