package dev.rollback.integrations;

import dev.rollback.api.RollbackStep;

/** Checks shared by the compositions' builders. */
final class Compositions {
    private Compositions() {}

    static void require(Object value, String field) {
        if (value == null) {
            throw new IllegalStateException(field + " is required");
        }
    }

    static void requireComponent(RollbackStep step, String field, String component) {
        if (!step.component().equals(component)) {
            throw new IllegalStateException(field + " step '" + step.id() + "' belongs to component '"
                    + step.component() + "'; build it with component '" + component
                    + "' so it runs within this rollback's RTO budget");
        }
    }

    static void requireDistinctIds(RollbackStep step, String... taken) {
        for (String id : taken) {
            if (step.id().equals(id)) {
                throw new IllegalStateException(
                        "step id '" + id + "' is taken by the fragment; give the step you pass another id");
            }
        }
    }
}
