package dev.rollback.core.trigger;

import dev.rollback.api.Decision;
import dev.rollback.api.Policy;
import dev.rollback.api.Severity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The trigger policy: an ordered set of {@link TriggerRule}s, each naming the decision to take
 * when its condition holds. {@link #ofDefaults()} is the runbook's "Rollback Decision Matrix"
 * (every threshold and duration of it can be changed with {@link Builder#configure}); actions are
 * names the application binds to plans.
 *
 * <p>Immutable and thread-safe; it holds no signal and reads no clock (the {@link TriggerEngine}
 * does).
 */
public final class DecisionMatrix implements Policy {
    /** Action: roll the application back to its previous slot. */
    public static final String APPLICATION_ROLLBACK = "application-rollback";
    /** Action: fail the database over. */
    public static final String DATABASE_FAILOVER = "database-failover";
    /** Action: lock the whole system down. */
    public static final String FULL_SYSTEM_LOCKDOWN = "full-system-lockdown";
    /** Action: restore the database to a point in time before the corruption. */
    public static final String POINT_IN_TIME_RECOVERY = "point-in-time-recovery";
    /** Action of every warning threshold: open a manual review. */
    public static final String MANUAL_REVIEW = "manual-review";

    /** Rule: error rate &gt; 1% for 5+ minutes. */
    public static final String ERROR_RATE = "error-rate";
    /** Rule: response time &gt; 5 s for 10+ minutes. */
    public static final String RESPONSE_TIME = "response-time";
    /** Rule: database connection failures &gt; 50% for 2 minutes. */
    public static final String DATABASE_CONNECTION_FAILURES = "database-connection-failures";
    /** Rule: security breach detected. */
    public static final String SECURITY_BREACH = "security-breach";
    /** Rule: data corruption indicators. */
    public static final String DATA_CORRUPTION = "data-corruption";
    /** Warning rule: error rate 0.5-1% for 15+ minutes. */
    public static final String ERROR_RATE_WARNING = "error-rate-warning";
    /** Warning rule: response time 2-5 s for 30+ minutes. */
    public static final String RESPONSE_TIME_WARNING = "response-time-warning";
    /** Warning rule: memory usage &gt; 90% for 20+ minutes. */
    public static final String MEMORY_USAGE_WARNING = "memory-usage-warning";
    /** Warning rule: disk space &gt; 95% for 10+ minutes. */
    public static final String DISK_SPACE_WARNING = "disk-space-warning";
    /** Warning rule: failed health checks &gt; 3 consecutive. */
    public static final String FAILED_HEALTH_CHECKS_WARNING = "failed-health-checks-warning";

    private static final DecisionMatrix RUNBOOK = runbook();

    private final String name;
    private final List<TriggerRule> rules;

    private DecisionMatrix(String name, List<TriggerRule> rules) {
        this.name = name;
        this.rules = List.copyOf(rules);
    }

    /**
     * The runbook's decision matrix. Windowed rules compute over a 1-minute window, need 100
     * requests (10 connection attempts) in it, and hold 1 minute before they resolve; the
     * severities follow the runbook's incident classification:
     *
     * <table>
     * <caption>The preset</caption>
     * <tr><th>rule</th><th>condition</th><th>decision</th><th>severity</th></tr>
     * <tr><td>error-rate</td><td>error rate &gt; 1% for 5m</td><td>application-rollback</td><td>SEV1</td></tr>
     * <tr><td>response-time</td><td>p95 &gt; 5 s for 10m</td><td>application-rollback</td><td>SEV1 (degradation &gt; 5 s)</td></tr>
     * <tr><td>database-connection-failures</td><td>&gt; 50% for 2m</td><td>database-failover</td><td>SEV1 (&gt; 50% of users)</td></tr>
     * <tr><td>security-breach</td><td>alarm</td><td>full-system-lockdown</td><td>SEV0</td></tr>
     * <tr><td>data-corruption</td><td>alarm</td><td>point-in-time-recovery</td><td>SEV0</td></tr>
     * <tr><td>error-rate-warning</td><td>error rate in (0.5%, 1%] for 15m</td><td>manual review</td><td>SEV2</td></tr>
     * <tr><td>response-time-warning</td><td>p95 in (2 s, 5 s] for 30m</td><td>manual review</td><td>SEV2 (2-5 s)</td></tr>
     * <tr><td>memory-usage-warning</td><td>&gt; 90% for 20m</td><td>manual review</td><td>SEV2</td></tr>
     * <tr><td>disk-space-warning</td><td>&gt; 95% for 10m</td><td>manual review</td><td>SEV2</td></tr>
     * <tr><td>failed-health-checks-warning</td><td>&gt; 3 consecutive</td><td>manual review</td><td>SEV2</td></tr>
     * </table>
     */
    public static DecisionMatrix ofDefaults() {
        return RUNBOOK;
    }

    /** An empty builder. */
    public static Builder custom() {
        return new Builder("custom", List.of());
    }

    /** A builder that starts from every rule of {@code base}. */
    public static Builder from(DecisionMatrix base) {
        Objects.requireNonNull(base, "base");
        return new Builder(base.name, base.rules);
    }

    /** The matrix's name, as reports show it ("runbook" for the preset). */
    @Override
    public String name() {
        return name;
    }

    /** The rules, in the order they are evaluated. */
    public List<TriggerRule> rules() {
        return rules;
    }

    /** The rule named {@code ruleName}, if there is one. */
    public Optional<TriggerRule> rule(String ruleName) {
        Objects.requireNonNull(ruleName, "ruleName");
        return rules.stream().filter(r -> r.name().equals(ruleName)).findFirst();
    }

    @Override
    public String toString() {
        return "DecisionMatrix[" + name + ", " + rules.size() + " rules]";
    }

    private static DecisionMatrix runbook() {
        Duration minute = Duration.ofMinutes(1);
        TriggerRule.Builder rollback =
                TriggerRule.custom().kind(Decision.Kind.ROLLBACK).holdTime(minute);
        TriggerRule.Builder review = TriggerRule.custom()
                .kind(Decision.Kind.MANUAL_REVIEW)
                .severity(Severity.SEV2)
                .action(MANUAL_REVIEW)
                .holdTime(minute);
        return new Builder("runbook", List.of())
                .addRule(rollback.name(ERROR_RATE)
                        .signal(Signal.ERROR_RATE)
                        .above(0.01)
                        .sustain(Duration.ofMinutes(5))
                        .action(APPLICATION_ROLLBACK)
                        .severity(Severity.SEV1)
                        .build())
                .addRule(rollback.name(RESPONSE_TIME)
                        .signal(Signal.RESPONSE_TIME)
                        .above(Duration.ofSeconds(5))
                        .sustain(Duration.ofMinutes(10))
                        .build())
                .addRule(rollback.name(DATABASE_CONNECTION_FAILURES)
                        .signal(Signal.DATABASE_CONNECTION_FAILURES)
                        .above(0.5)
                        .minimumEvents(10)
                        .sustain(Duration.ofMinutes(2))
                        .action(DATABASE_FAILOVER)
                        .build())
                .addRule(TriggerRule.custom()
                        .name(SECURITY_BREACH)
                        .signal(Signal.SECURITY_BREACH)
                        .action(FULL_SYSTEM_LOCKDOWN)
                        .severity(Severity.SEV0)
                        .build())
                .addRule(TriggerRule.custom()
                        .name(DATA_CORRUPTION)
                        .signal(Signal.DATA_CORRUPTION)
                        .action(POINT_IN_TIME_RECOVERY)
                        .severity(Severity.SEV0)
                        .build())
                .addRule(review.name(ERROR_RATE_WARNING)
                        .signal(Signal.ERROR_RATE)
                        .between(0.005, 0.01)
                        .sustain(Duration.ofMinutes(15))
                        .build())
                .addRule(review.name(RESPONSE_TIME_WARNING)
                        .signal(Signal.RESPONSE_TIME)
                        .between(Duration.ofSeconds(2), Duration.ofSeconds(5))
                        .sustain(Duration.ofMinutes(30))
                        .build())
                .addRule(review.name(MEMORY_USAGE_WARNING)
                        .signal(Signal.MEMORY_USAGE)
                        .above(90)
                        .sustain(Duration.ofMinutes(20))
                        .build())
                .addRule(review.name(DISK_SPACE_WARNING)
                        .signal(Signal.DISK_SPACE)
                        .above(95)
                        .sustain(Duration.ofMinutes(10))
                        .build())
                .addRule(review.name(FAILED_HEALTH_CHECKS_WARNING)
                        .signal(Signal.FAILED_HEALTH_CHECKS)
                        .above(3)
                        .sustain(Duration.ZERO)
                        .holdTime(Duration.ZERO)
                        .build())
                .build();
    }

    /**
     * Builds a {@link DecisionMatrix}. Not thread-safe; reusable: building again never changes a
     * matrix already built.
     */
    public static final class Builder {
        private String name;
        private final List<TriggerRule> rules;

        private Builder(String name, List<TriggerRule> rules) {
            this.name = name;
            this.rules = new ArrayList<>(rules);
        }

        /** The matrix's name; not blank, default "custom" (or the base's). */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, but was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /** Adds a rule; its name must not be taken. */
        public Builder addRule(TriggerRule rule) {
            Objects.requireNonNull(rule, "rule");
            if (indexOf(rule.name()) >= 0) {
                throw new IllegalArgumentException("rule '" + rule.name() + "' is already in the matrix");
            }
            rules.add(rule);
            return this;
        }

        /**
         * Changes the rule named {@code ruleName}:
         * {@code configure("error-rate", r -> r.sustain(Duration.ofMinutes(3)))}. The rule keeps
         * its place; it may not be renamed to a name another rule has.
         */
        public Builder configure(String ruleName, UnaryOperator<TriggerRule.Builder> change) {
            Objects.requireNonNull(change, "change");
            int index = requireRule(ruleName);
            TriggerRule changed = Objects.requireNonNull(
                            change.apply(TriggerRule.from(rules.get(index))), "changed rule")
                    .build();
            int clash = indexOf(changed.name());
            if (clash >= 0 && clash != index) {
                throw new IllegalArgumentException("rule '" + ruleName + "' cannot be renamed to '" + changed.name()
                        + "': another rule has that name");
            }
            rules.set(index, changed);
            return this;
        }

        /** Removes the rule named {@code ruleName}, which must be in the matrix. */
        public Builder removeRule(String ruleName) {
            rules.remove(requireRule(ruleName));
            return this;
        }

        /** Builds; a matrix has at least one rule. */
        public DecisionMatrix build() {
            if (rules.isEmpty()) {
                throw new IllegalArgumentException("rules must not be empty (matrix '" + name + "')");
            }
            return new DecisionMatrix(name, rules);
        }

        private int requireRule(String ruleName) {
            Objects.requireNonNull(ruleName, "ruleName");
            int index = indexOf(ruleName);
            if (index < 0) {
                throw new IllegalArgumentException("ruleName '" + ruleName + "' is not in the matrix; it has "
                        + rules.stream().map(TriggerRule::name).toList());
            }
            return index;
        }

        private int indexOf(String ruleName) {
            for (int i = 0; i < rules.size(); i++) {
                if (rules.get(i).name().equals(ruleName)) {
                    return i;
                }
            }
            return -1;
        }
    }
}
