/**
 * Incident response: from a trigger's decision to a verified recovery. The
 * {@link dev.rollback.core.response.PlanCatalog} maps each decision action to its plan; the
 * {@link dev.rollback.core.response.IncidentResponse} opens the incident, pages, informs, authorizes,
 * runs the plan once per incident across nodes, verifies the recovery
 * ({@link dev.rollback.core.response.PostRollbackVerification}), heightens monitoring and reports
 * ({@link dev.rollback.core.response.IncidentReport}). See {@code docs/incident-response.md}.
 */
package dev.rollback.core.response;
