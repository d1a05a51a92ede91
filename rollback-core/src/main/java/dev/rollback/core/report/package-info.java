/**
 * Renders a {@link dev.rollback.api.report.RollbackReport}: as JSON with a stable, documented
 * schema ({@code docs/report-schema.md}) for tools, and as Markdown for humans.
 */
package dev.rollback.core.report;
