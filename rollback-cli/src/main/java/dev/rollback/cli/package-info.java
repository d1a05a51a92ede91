/**
 * The {@code rollback} command line ({@link dev.rollback.cli.RollbackCli}) and the one interface an
 * application implements for it: {@link dev.rollback.cli.PlanCatalogProvider}, which hands it the
 * plans it resumes runs with.
 */
package dev.rollback.cli;
