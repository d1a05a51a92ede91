/**
 * The executor: {@link dev.rollback.core.RollbackExecutor} runs a
 * {@link dev.rollback.api.RollbackPlan} against its RTO budgets, in parallel where the plan's
 * graph allows, with bounded retries, verifiers, events, a journal and a run lock, and returns a
 * {@link dev.rollback.api.report.RollbackReport}.
 */
package dev.rollback.core;
