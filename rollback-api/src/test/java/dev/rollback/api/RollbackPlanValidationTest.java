package dev.rollback.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RollbackPlanValidationTest {

    private static final RecoveryObjectives THIRTY_MINUTES =
            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5));

    private static RollbackStep step(String id) {
        return RollbackStep.builder(id, "app").build();
    }

    private static RollbackPlan.Builder plan() {
        return RollbackPlan.builder("test-plan", THIRTY_MINUTES);
    }

    @Test
    void rejectsAnEmptyPlan() {
        assertThatThrownBy(() -> plan().build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessage("plan 'test-plan' has no steps");
    }

    @Test
    void rejectsDuplicateStepIdsAndNamesTheId() {
        assertThatThrownBy(() -> plan().step(step("swap")).step(step("swap")).build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("two steps with id 'swap'");
    }

    @Test
    void rejectsADependencyOnAnUnknownStepAndNamesBoth() {
        assertThatThrownBy(() ->
                        plan().step(step("swap"), s -> s.dependsOn("backup")).build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("step 'swap' depends on unknown step 'backup'");
    }

    @Test
    void rejectsACycleAndNamesItsSteps() {
        assertThatThrownBy(() -> plan().step(step("start"))
                        .step(step("a"), s -> s.dependsOn("start", "c"))
                        .step(step("b"), s -> s.dependsOn("a"))
                        .step(step("c"), s -> s.dependsOn("b"))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("dependency cycle")
                .satisfies(e -> assertThat(e.getMessage())
                        .containsAnyOf("a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("start"));
    }

    @Test
    void rejectsAStepThatDependsOnItself() {
        assertThatThrownBy(() -> plan().step(step("a"), s -> s.dependsOn("a")).build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("a -> a");
    }

    @Test
    void rejectsAComponentBudgetAboveThePlans() {
        assertThatThrownBy(() -> plan().component("db", RecoveryObjectives.of(Duration.ofMinutes(31), Duration.ZERO))
                        .step(step("a"))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("component 'db' an RTO of PT31M, above the plan's RTO of PT30M");
    }

    @Test
    void rejectsAStepTimeoutAboveItsComponentsBudget() {
        assertThatThrownBy(() -> plan().component("app", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                        .step(step("swap"), s -> s.timeout(Duration.ofMinutes(6)))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining(
                        "step 'swap' has a timeout of PT6M, above the RTO budget of its component 'app' (PT5M)");
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -1})
    void rejectsNonPositiveBudgetsAtOnce(long seconds) {
        assertThatThrownBy(() -> RecoveryObjectives.stateless(Duration.ofSeconds(seconds)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rto must be positive");
        assertThatThrownBy(() -> plan().step(step("a"), s -> s.timeout(Duration.ofSeconds(seconds))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be positive");
    }

    @Test
    void rejectsADestructiveStepWithNoSafeguardBeforeIt() {
        RollbackStep restore =
                RollbackStep.builder("restore", "db").destructive(true).build();
        assertThatThrownBy(() -> plan().step(step("check"))
                        .step(restore, s -> s.dependsOn("check"))
                        .build())
                .isInstanceOf(InvalidPlanException.class)
                .hasMessageContaining("step 'restore' is destructive but no safeguard step");
    }

    @Test
    void acceptsADestructiveStepAfterASafeguardAnywhereUpstream() {
        RollbackStep backup =
                RollbackStep.builder("backup", "db").safeguard(true).build();
        RollbackStep restore =
                RollbackStep.builder("restore", "db").destructive(true).build();
        RollbackPlan plan = plan().step(backup)
                .step(step("verify-backup"), s -> s.dependsOn("backup"))
                .step(restore, s -> s.dependsOn("verify-backup"))
                .build();
        assertThat(plan.steps()).extracting(PlannedStep::id).containsExactly("backup", "verify-backup", "restore");
    }

    @Test
    void acceptsADestructiveStepWithAnExplicitReasonAndKeepsTheReason() {
        RollbackStep flush =
                RollbackStep.builder("flush", "cache").destructive(true).build();
        RollbackPlan plan = plan().step(flush, s -> s.withoutSafeguard("a cache holds no data of record"))
                .build();
        assertThat(plan.step("flush").orElseThrow().withoutSafeguard()).contains("a cache holds no data of record");
    }

    @Test
    void rejectsBadIdsAtOnceNamingTheField() {
        assertThatThrownBy(() -> RollbackStep.builder("-rm", "app"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id must be")
                .hasMessageContaining("'-rm'");
    }

    @Test
    void aThousandRandomGraphsAreAcceptedExactlyWhenAcyclicAndOrderedTopologically() {
        Random random = new Random(20261125L);
        int accepted = 0;
        for (int graph = 0; graph < 1000; graph++) {
            int n = 2 + random.nextInt(30);
            Map<Integer, Set<Integer>> deps = new HashMap<>();
            for (int i = 0; i < n; i++) {
                Set<Integer> d = new HashSet<>();
                for (int j = 0; j < n; j++) {
                    // Mostly edges to earlier steps (acyclic); sometimes a back edge that may close a cycle.
                    if (j < i ? random.nextInt(8) == 0 : j != i && random.nextInt(150) == 0) {
                        d.add(j);
                    }
                }
                deps.put(i, d);
            }
            RollbackPlan.Builder b = RollbackPlan.builder("g" + graph, THIRTY_MINUTES);
            for (int i = 0; i < n; i++) {
                String[] on = deps.get(i).stream().map(j -> "s" + j).toArray(String[]::new);
                b.step(step("s" + i), s -> s.dependsOn(on));
            }
            boolean acyclic = isAcyclic(n, deps);
            if (acyclic) {
                RollbackPlan plan = b.build();
                accepted++;
                List<String> order = plan.steps().stream().map(PlannedStep::id).toList();
                assertThat(order).hasSize(n).doesNotHaveDuplicates();
                for (PlannedStep s : plan.steps()) {
                    for (String d : s.dependsOn()) {
                        assertThat(order.indexOf(d))
                                .as("%s before %s in graph %d", d, s.id(), graph)
                                .isLessThan(order.indexOf(s.id()));
                    }
                }
            } else {
                assertThatThrownBy(b::build)
                        .as("graph %d has a cycle", graph)
                        .isInstanceOf(InvalidPlanException.class)
                        .hasMessageContaining("cycle");
            }
        }
        assertThat(accepted).as("both kinds of graph were generated").isBetween(100, 999);
    }

    /** An independent check: depth-first search with colours. */
    private static boolean isAcyclic(int n, Map<Integer, Set<Integer>> deps) {
        int[] colour = new int[n];
        for (int i = 0; i < n; i++) {
            if (colour[i] == 0 && !visit(i, deps, colour)) {
                return false;
            }
        }
        return true;
    }

    private static boolean visit(int i, Map<Integer, Set<Integer>> deps, int[] colour) {
        colour[i] = 1;
        for (int d : deps.get(i)) {
            if (colour[d] == 1 || colour[d] == 0 && !visit(d, deps, colour)) {
                return false;
            }
        }
        colour[i] = 2;
        return true;
    }

    @Test
    void componentsWithoutDeclaredObjectivesUseThePlans() {
        RollbackPlan plan = plan().component("db", RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1)))
                .step(RollbackStep.builder("a", "app").build())
                .build();
        assertThat(plan.objectivesOf("app")).isEqualTo(THIRTY_MINUTES);
        assertThat(plan.objectivesOf("db").rto()).isEqualTo(Duration.ofMinutes(15));
        assertThat(plan.componentNames()).containsExactly("db", "app");
        assertThat(new ArrayList<>(plan.components().keySet())).containsExactly("db");
    }
}
