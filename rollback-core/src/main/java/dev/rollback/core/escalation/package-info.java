/**
 * Paging: the runbook's emergency contact escalation ladder, who is paged to help and when
 * (0-15, 15-60, 60+ minutes), run by the {@link dev.rollback.core.escalation.EscalationScheduler}.
 * Kept apart from {@link dev.rollback.core.notification stakeholder notifications}, which say who is
 * informed. See {@code docs/governance.md}.
 */
package dev.rollback.core.escalation;
