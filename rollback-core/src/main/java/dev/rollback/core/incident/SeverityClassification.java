package dev.rollback.core.incident;

import dev.rollback.api.Decision;
import dev.rollback.api.Severity;
import dev.rollback.api.internal.Arguments;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An incident's severity and what decided it: the runbook criterion (with its evidence) for an
 * incident opened by hand, or the trigger rule for one opened by a {@link Decision}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param severity the severity
 * @param criterion the runbook criterion that decided it, when classified from {@link IncidentFacts}
 * @param decidedBy what decided it, in words ("performance degradation >5 seconds (response time PT6.2S)",
 *                  "trigger rule 'error-rate': error rate 1.3% > 1% for 5m")
 */
public record SeverityClassification(Severity severity, Optional<IncidentCriterion> criterion, String decidedBy) {

    /** Validates. */
    public SeverityClassification {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(criterion, "criterion");
        Arguments.requireText(decidedBy, "decidedBy");
    }

    /**
     * Classifies facts: the most severe criterion met decides; among criteria of equal severity,
     * the runbook's order (the order of {@link IncidentCriterion}) does.
     */
    public static SeverityClassification of(IncidentFacts facts) {
        Objects.requireNonNull(facts, "facts");
        Map.Entry<IncidentCriterion, String> deciding = facts.criteria().entrySet().stream()
                .min(Comparator.comparing((Map.Entry<IncidentCriterion, String> e) ->
                                e.getKey().severity())
                        .thenComparing(Map.Entry::getKey))
                .orElseThrow(() -> new IllegalArgumentException("facts name no criterion"));
        IncidentCriterion criterion = deciding.getKey();
        return new SeverityClassification(
                criterion.severity(),
                Optional.of(criterion),
                criterion.description() + " (" + deciding.getValue() + ")");
    }

    /** The severity a trigger's decision carries, decided by its rule. */
    public static SeverityClassification of(Decision decision) {
        Objects.requireNonNull(decision, "decision");
        return new SeverityClassification(
                decision.severity(),
                Optional.empty(),
                "trigger rule '" + decision.rule() + "': " + decision.description());
    }

    /** One line for reports and notifications: "SEV1 (High): decidedBy". */
    public String explanation() {
        return severity + " (" + severity.label() + "): " + decidedBy;
    }
}
