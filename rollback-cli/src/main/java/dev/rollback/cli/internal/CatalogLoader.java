package dev.rollback.cli.internal;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.cli.PlanCatalogProvider;
import dev.rollback.core.response.PlanCatalog;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/** Loads the {@link PlanCatalogProvider} class named on the command line, and only that class. */
final class CatalogLoader {
    private CatalogLoader() {}

    /** The catalog of the provider class {@code className}, from the class path. */
    static PlanCatalog load(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, CatalogLoader.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw fail("--catalog: class '" + className + "' is not on the class path (" + e + "); put the"
                    + " application's jar on it (ROLLBACK_CLASSPATH for the rollback script)");
        }
        if (!PlanCatalogProvider.class.isAssignableFrom(type)) {
            throw fail(
                    "--catalog: class '" + className + "' does not implement " + PlanCatalogProvider.class.getName());
        }
        PlanCatalogProvider provider;
        try {
            Constructor<?> constructor = type.getConstructor();
            provider = (PlanCatalogProvider) constructor.newInstance();
        } catch (NoSuchMethodException e) {
            throw fail("--catalog: class '" + className + "' has no public constructor without arguments");
        } catch (InvocationTargetException e) {
            throw fail("--catalog: constructing '" + className + "' failed: " + e.getCause());
        } catch (ReflectiveOperationException e) {
            throw fail("--catalog: cannot construct '" + className + "': " + e);
        }
        return Objects.requireNonNull(provider.planCatalog(), className + ".planCatalog() returned null");
    }

    /** The catalog's plan named {@code planName}. */
    static RollbackPlan plan(PlanCatalog catalog, String planName, String className) {
        Set<String> names = new LinkedHashSet<>();
        for (String action : catalog.actions()) {
            RollbackPlan plan = catalog.plan(action).orElseThrow();
            if (plan.name().equals(planName)) {
                return plan;
            }
            names.add(plan.name());
        }
        throw fail("the catalog of " + className + " has no plan named '" + planName + "'; its plans are " + names);
    }

    private static RollbackException fail(String message) {
        return new RollbackException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
