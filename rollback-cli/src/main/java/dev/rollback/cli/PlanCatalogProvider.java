package dev.rollback.cli;

import dev.rollback.core.response.PlanCatalog;

/**
 * How the command line gets the application's plans, for {@code rollback runs resume}: the
 * application implements it in a public class with a public no-argument constructor, puts its jar on
 * the command line's class path, and names the class with {@code --catalog com.acme.RollbackPlans}.
 * The command line loads exactly that class (it never scans the class path) and asks it once for the
 * catalog; a run is resumed with the catalog's plan of the same name as the plan the run started
 * with.
 *
 * <p>An implementation builds the same plans the application runs (same names, steps and
 * objectives), from its own configuration; it may read environment variables for connection details,
 * never command-line arguments for secrets.
 */
@FunctionalInterface
public interface PlanCatalogProvider {

    /** The application's plan catalog. */
    PlanCatalog planCatalog();
}
