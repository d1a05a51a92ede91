/**
 * The whole AdvisorOS runbook as one drill ({@link dev.rollback.examples.drill.RunbookDrill}, the
 * README's run command): real servers started for it, the Azure control plane simulated, the
 * Kubernetes API mocked, traffic replayed on an accelerated clock into the trigger engine, the
 * incident response running the mapped plans, and the reports written as Markdown, JSON and HTML.
 */
package dev.rollback.examples.drill;
