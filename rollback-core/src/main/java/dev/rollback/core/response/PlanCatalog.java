package dev.rollback.core.response;

import dev.rollback.api.Decision;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.internal.Arguments;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerRule;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which plan carries out each action of a {@link DecisionMatrix}: the runbook's
 * application-rollback, database-failover, point-in-time-recovery and full-system-lockdown, and
 * the application's own. Built against the matrix it serves, so that an action some rule can take
 * and no plan carries out is a configuration error when the catalog is built, not when the incident
 * happens.
 *
 * <p>Immutable and thread-safe; build with {@link #forMatrix(DecisionMatrix)}.
 */
public final class PlanCatalog {
    private final String matrix;
    private final Map<String, RollbackPlan> plans;

    private PlanCatalog(Builder b) {
        this.matrix = b.matrix.name();
        this.plans = Collections.unmodifiableMap(new LinkedHashMap<>(b.plans));
    }

    /** A builder for the actions of {@code matrix}. */
    public static Builder forMatrix(DecisionMatrix matrix) {
        return new Builder(Objects.requireNonNull(matrix, "matrix"));
    }

    /** The plan that carries out {@code action}, if one is mapped. */
    public Optional<RollbackPlan> plan(String action) {
        return Optional.ofNullable(plans.get(Objects.requireNonNull(action, "action")));
    }

    /**
     * The plan a rollback decision runs.
     *
     * @throws IllegalArgumentException for a manual-review decision (a person chooses the plan) or an
     *     action this catalog does not carry out
     */
    public RollbackPlan planFor(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        if (decision.kind() != Decision.Kind.ROLLBACK) {
            throw new IllegalArgumentException("decision of rule '" + decision.rule()
                    + "' asks for a manual review; a person chooses the plan (IncidentResponse.approve)");
        }
        return plan(decision.action())
                .orElseThrow(() -> new IllegalArgumentException("no plan carries out action '" + decision.action()
                        + "' of rule '" + decision.rule() + "'; catalog actions: " + plans.keySet()));
    }

    /** The actions mapped, in the order they were added. */
    public Set<String> actions() {
        return plans.keySet();
    }

    /** The name of the matrix this catalog serves. */
    public String matrix() {
        return matrix;
    }

    @Override
    public String toString() {
        return "PlanCatalog[" + matrix + ": " + plans.keySet() + "]";
    }

    /** Builds a {@link PlanCatalog}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private final DecisionMatrix matrix;
        private final Map<String, RollbackPlan> plans = new LinkedHashMap<>();

        private Builder(DecisionMatrix matrix) {
            this.matrix = matrix;
        }

        /**
         * Maps {@code action} to the plan that carries it out. The action must be one a rule of the
         * matrix takes; mapping it again replaces the plan.
         *
         * @throws IllegalArgumentException for an action no rule of the matrix takes (a typo would
         *     otherwise leave the real action unmapped), or a plan that does not declare it
         *     {@link RollbackPlan#carriesOut() carries it out}
         */
        public Builder map(String action, RollbackPlan plan) {
            Arguments.requireId(action, "action");
            Objects.requireNonNull(plan, "plan");
            Set<String> known = rollbackActions(matrix).keySet();
            if (!known.contains(action)) {
                throw new IllegalArgumentException("action '" + action + "' is taken by no rollback rule of matrix '"
                        + matrix.name() + "'; its actions are " + known);
            }
            if (!plan.carriesOut().contains(action)) {
                throw new IllegalArgumentException("plan '" + plan.name() + "' does not declare that it carries out"
                        + " action '" + action + "' (it declares " + plan.carriesOut() + "); add carriesOut(\""
                        + action + "\") to its builder, so that an automatic run of it is pre-authorized");
            }
            plans.put(action, plan);
            return this;
        }

        /**
         * Builds the catalog.
         *
         * @throws IllegalStateException naming every action a rule of the matrix can take that no plan
         *     carries out, and the rules that take it
         */
        public PlanCatalog build() {
            List<String> missing = new ArrayList<>();
            rollbackActions(matrix).forEach((action, rules) -> {
                if (!plans.containsKey(action)) {
                    missing.add("'" + action + "' (rules " + rules + ")");
                }
            });
            if (!missing.isEmpty()) {
                throw new IllegalStateException("plan catalog for matrix '" + matrix.name()
                        + "' maps no plan to " + String.join(", ", missing)
                        + ": a decision would have nothing to run; map(action, plan) each");
            }
            return new PlanCatalog(this);
        }

        private static Map<String, Set<String>> rollbackActions(DecisionMatrix matrix) {
            Map<String, Set<String>> actions = new LinkedHashMap<>();
            for (TriggerRule rule : matrix.rules()) {
                if (rule.kind() == Decision.Kind.ROLLBACK) {
                    actions.computeIfAbsent(rule.action(), a -> new LinkedHashSet<>())
                            .add(rule.name());
                }
            }
            return actions;
        }
    }
}
