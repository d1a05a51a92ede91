package dev.rollback.api;

import dev.rollback.api.internal.Arguments;
import dev.rollback.api.internal.PlanDigest;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A rollback plan: a directed acyclic graph of {@link RollbackStep}s grouped by component, with
 * recovery objectives for the plan and for each component, and verifiers for the whole plan.
 *
 * <p>Immutable and thread-safe. {@link Builder#build()} validates everything before anything
 * runs (see there), so a plan that exists is a plan that can run.
 */
public final class RollbackPlan {
    private final String name;
    private final String key;
    private final RecoveryObjectives objectives;
    private final Map<String, RecoveryObjectives> components;
    private final List<PlannedStep> steps;
    private final Map<String, PlannedStep> stepsById;
    private final List<Verifier> verifiers;
    private final boolean failFast;
    private final RetrySettings defaultRetry;
    private final Set<String> carriesOut;
    private final String digest;

    private RollbackPlan(Builder b, List<PlannedStep> steps) {
        this.name = b.name;
        this.key = b.key == null ? b.name : b.key;
        this.objectives = b.objectives;
        this.components = Collections.unmodifiableMap(new LinkedHashMap<>(b.components));
        this.steps = List.copyOf(steps);
        Map<String, PlannedStep> byId = new LinkedHashMap<>();
        for (PlannedStep s : steps) {
            byId.put(s.id(), s);
        }
        this.stepsById = Collections.unmodifiableMap(byId);
        this.verifiers = List.copyOf(b.verifiers);
        this.failFast = b.failFast;
        this.defaultRetry = b.defaultRetry;
        this.carriesOut = Collections.unmodifiableSet(new LinkedHashSet<>(b.carriesOut));
        this.digest = PlanDigest.of(this);
    }

    /** Starts a plan with a name and the plan-wide objectives. */
    public static Builder builder(String name, RecoveryObjectives objectives) {
        return new Builder(name, objectives);
    }

    /** The plan's name. */
    public String name() {
        return name;
    }

    /** The key that one run at a time holds (the run lock's key). Default: the name. */
    public String key() {
        return key;
    }

    /** The plan-wide objectives; every component's budget lies inside them. */
    public RecoveryObjectives objectives() {
        return objectives;
    }

    /** The objectives declared per component, in declaration order. */
    public Map<String, RecoveryObjectives> components() {
        return components;
    }

    /** The objectives of a component: its own, or the plan's when it declared none. */
    public RecoveryObjectives objectivesOf(String component) {
        return components.getOrDefault(component, objectives);
    }

    /** The names of every component with a step or declared objectives, in order of first appearance. */
    public List<String> componentNames() {
        LinkedHashMap<String, Boolean> names = new LinkedHashMap<>();
        components.keySet().forEach(c -> names.put(c, true));
        steps.forEach(s -> names.put(s.component(), true));
        return List.copyOf(names.keySet());
    }

    /** The steps in a topological order (every step after all it depends on). */
    public List<PlannedStep> steps() {
        return steps;
    }

    /** A step by id. */
    public Optional<PlannedStep> step(String id) {
        return Optional.ofNullable(stepsById.get(id));
    }

    /** The verifiers that run after all steps. */
    public List<Verifier> verifiers() {
        return verifiers;
    }

    /** Whether the first failed step stops the whole run (otherwise independent branches go on). */
    public boolean failFast() {
        return failFast;
    }

    /** The retry settings of steps that declare none. */
    public RetrySettings defaultRetry() {
        return defaultRetry;
    }

    /**
     * The decision actions this plan carries out ({@link Builder#carriesOut(String...)}): an automatic run
     * of it is pre-authorized only for a ROLLBACK decision whose action is one of these.
     */
    public Set<String> carriesOut() {
        return carriesOut;
    }

    /**
     * The plan's digest: lowercase hex SHA-256 over what the plan declares, so that a run cannot be turned
     * into another one. {@code RUN_STARTED} records it, an {@link dev.rollback.api.governance.Approval} is
     * bound to it, and a resume refuses a plan whose digest changed. What goes in, each field
     * length-prefixed, in this order: a version tag; the name and key; the plan's RTO and RPO; fail-fast;
     * the default retry; each declared component with its RTO and RPO (by name); the actions it carries
     * out (sorted); then for each step in plan order its id, component, class, idempotent, destructive and
     * safeguard flags, {@link RollbackStep#actsOn() actsOn}, dependencies (sorted), timeout, stall timeout,
     * retry, reason to run without a safeguard, and its verifiers' names; last the plan verifiers' names.
     * What a step's code does is not in it (code cannot be digested), only what the step declares; a
     * provider step names its target, so a step pointed at another resource changes the digest.
     */
    public String digest() {
        return digest;
    }

    @Override
    public String toString() {
        return "RollbackPlan[" + name + ", " + steps.size() + " steps, rto=" + objectives.rto() + "]";
    }

    /**
     * Builds a {@link RollbackPlan}. Not thread-safe. {@link #build()} rejects, with an
     * {@link InvalidPlanException} that names the culprit: an empty plan, duplicate step ids, a
     * dependency on an unknown step, a cycle (naming its steps), a component budget above the
     * plan's, a step timeout above its component's budget, and a destructive step with no
     * safeguard step before it (unless {@link PlannedStep.Builder#withoutSafeguard(String)}).
     */
    public static final class Builder {
        private final String name;
        private String key;
        private final RecoveryObjectives objectives;
        private final Map<String, RecoveryObjectives> components = new LinkedHashMap<>();
        private final List<PlannedStep.Builder> steps = new ArrayList<>();
        private final List<Verifier> verifiers = new ArrayList<>();
        private boolean failFast;
        private RetrySettings defaultRetry = RetrySettings.ofDefaults();
        private final Set<String> carriesOut = new LinkedHashSet<>();

        private Builder(String name, RecoveryObjectives objectives) {
            this.name = Arguments.requireId(name, "name");
            this.objectives = Objects.requireNonNull(objectives, "objectives");
        }

        /** The key one run at a time holds; default: the plan's name. */
        public Builder key(String key) {
            this.key = Arguments.requireText(key, "key");
            return this;
        }

        /** Declares a component's objectives; its steps' deadlines come from its RTO. */
        public Builder component(String component, RecoveryObjectives objectives) {
            components.put(
                    Arguments.requireId(component, "component"), Objects.requireNonNull(objectives, "objectives"));
            return this;
        }

        /** Adds a step with no options (no dependency, the default retry and budgets). */
        public Builder step(RollbackStep step) {
            return step(step, options -> {});
        }

        /** Adds a step and sets its options: dependencies, timeout, retry, verifiers. */
        public Builder step(RollbackStep step, Consumer<PlannedStep.Builder> options) {
            PlannedStep.Builder b = PlannedStep.builder(step);
            Objects.requireNonNull(options, "options").accept(b);
            steps.add(b);
            return this;
        }

        /** Adds a verifier that runs after all steps. */
        public Builder verifier(Verifier verifier) {
            verifiers.add(Objects.requireNonNull(verifier, "verifier"));
            return this;
        }

        /** Whether the first failure stops the run. Default: false (independent branches go on). */
        public Builder failFast(boolean failFast) {
            this.failFast = failFast;
            return this;
        }

        /**
         * Declares decision actions this plan carries out (the runbook's {@code application-rollback},
         * {@code database-failover}, ..., or the application's own): an automatic run of the plan is
         * pre-authorized only for a ROLLBACK decision of one of them, and a plan catalog maps an action only
         * to a plan that declares it. Each an id (letters, digits, '.', '-', '_'). Default: none.
         */
        public Builder carriesOut(String... actions) {
            Objects.requireNonNull(actions, "actions");
            for (String action : actions) {
                carriesOut.add(Arguments.requireId(action, "action"));
            }
            return this;
        }

        /** Retry settings for steps that declare none. Default: {@link RetrySettings#ofDefaults()}. */
        public Builder defaultRetry(RetrySettings retry) {
            this.defaultRetry = Objects.requireNonNull(retry, "retry");
            return this;
        }

        /** Validates and builds the plan; see the class comment for what is rejected. */
        public RollbackPlan build() {
            if (steps.isEmpty()) {
                throw invalid("has no steps");
            }
            Map<String, PlannedStep> byId = new LinkedHashMap<>();
            for (PlannedStep.Builder sb : steps) {
                PlannedStep s = sb.build();
                Arguments.requireId(s.id(), "step id");
                Arguments.requireId(s.component(), "component of step '" + s.id() + "'");
                if (byId.putIfAbsent(s.id(), s) != null) {
                    throw invalid("has two steps with id '" + s.id() + "'");
                }
            }
            for (Map.Entry<String, RecoveryObjectives> c : components.entrySet()) {
                if (c.getValue().rto().compareTo(objectives.rto()) > 0) {
                    throw invalid("gives component '" + c.getKey() + "' an RTO of "
                            + c.getValue().rto() + ", above the plan's RTO of " + objectives.rto());
                }
            }
            for (PlannedStep s : byId.values()) {
                for (String dep : s.dependsOn()) {
                    if (!byId.containsKey(dep)) {
                        throw invalid("step '" + s.id() + "' depends on unknown step '" + dep + "'");
                    }
                }
                Duration budget =
                        components.getOrDefault(s.component(), objectives).rto();
                if (s.timeout().isPresent() && s.timeout().get().compareTo(budget) > 0) {
                    throw invalid("step '" + s.id() + "' has a timeout of "
                            + s.timeout().get() + ", above the RTO budget of its component '" + s.component() + "' ("
                            + budget + ")");
                }
                if (s.stallTimeout().isPresent()
                        && s.stallTimeout().get().compareTo(s.timeout().orElse(budget)) >= 0) {
                    throw invalid("step '" + s.id() + "' has a stall timeout of "
                            + s.stallTimeout().get()
                            + ", not shorter than its "
                            + (s.timeout().isPresent() ? "timeout" : "component's RTO budget")
                            + " (" + s.timeout().orElse(budget) + "), so it could never fire");
                }
            }
            List<PlannedStep> order = topologicalOrder(byId);
            for (PlannedStep s : order) {
                if (s.step().destructive() && s.withoutSafeguard().isEmpty() && !hasSafeguardBefore(s, byId)) {
                    throw invalid("step '" + s.id() + "' is destructive but no safeguard step (an emergency backup)"
                            + " runs before it; make it depend on one, or declare withoutSafeguard(reason)");
                }
            }
            return new RollbackPlan(this, order);
        }

        private InvalidPlanException invalid(String what) {
            return new InvalidPlanException("plan '" + name + "' " + what);
        }

        private static boolean hasSafeguardBefore(PlannedStep step, Map<String, PlannedStep> byId) {
            Deque<String> todo = new ArrayDeque<>(step.dependsOn());
            Set<String> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                PlannedStep s = byId.get(todo.pop());
                if (!seen.add(s.id())) {
                    continue;
                }
                if (s.step().safeguard()) {
                    return true;
                }
                todo.addAll(s.dependsOn());
            }
            return false;
        }

        /** Kahn's algorithm, stable in declaration order; on a cycle, finds and names one. */
        private List<PlannedStep> topologicalOrder(Map<String, PlannedStep> byId) {
            Map<String, Integer> indegree = new HashMap<>();
            Map<String, List<String>> dependents = new HashMap<>();
            for (PlannedStep s : byId.values()) {
                indegree.put(s.id(), s.dependsOn().size());
                for (String dep : s.dependsOn()) {
                    dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(s.id());
                }
            }
            Deque<String> ready = new ArrayDeque<>();
            for (PlannedStep s : byId.values()) {
                if (s.dependsOn().isEmpty()) {
                    ready.add(s.id());
                }
            }
            List<PlannedStep> order = new ArrayList<>(byId.size());
            while (!ready.isEmpty()) {
                String id = ready.poll();
                order.add(byId.get(id));
                for (String d : dependents.getOrDefault(id, List.of())) {
                    if (indegree.merge(d, -1, Integer::sum) == 0) {
                        ready.add(d);
                    }
                }
            }
            if (order.size() < byId.size()) {
                throw invalid("has a dependency cycle: " + findCycle(byId, indegree));
            }
            return order;
        }

        private static String findCycle(Map<String, PlannedStep> byId, Map<String, Integer> indegree) {
            // Every step left with a positive indegree lies on or behind a cycle; walking back
            // along dependencies that are also left must revisit a step, and that loop is a cycle.
            String start = indegree.entrySet().stream()
                    .filter(e -> e.getValue() > 0)
                    .map(Map.Entry::getKey)
                    .filter(byId::containsKey)
                    .findFirst()
                    .orElseThrow();
            List<String> path = new ArrayList<>();
            Map<String, Integer> position = new HashMap<>();
            String current = start;
            while (!position.containsKey(current)) {
                position.put(current, path.size());
                path.add(current);
                current = byId.get(current).dependsOn().stream()
                        .filter(d -> indegree.getOrDefault(d, 0) > 0)
                        .findFirst()
                        .orElseThrow();
            }
            List<String> cycle = new ArrayList<>(path.subList(position.get(current), path.size()));
            Collections.reverse(cycle);
            cycle.add(cycle.get(0));
            return String.join(" -> ", cycle);
        }
    }
}
