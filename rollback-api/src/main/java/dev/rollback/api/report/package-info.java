/**
 * What a run reports: its outcome, the timeline of every step, each component's RTO and RPO
 * against its target, every verification with its evidence, and the runbook's success metrics.
 * Every type here is immutable.
 */
package dev.rollback.api.report;
