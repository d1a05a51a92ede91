package dev.rollback.api.report;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Verification;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The timeline of one step: when it started and ended, its attempts, its outcome, its duration
 * against the budget it was given, its verifications and evidence.
 *
 * @param stepId the step's id
 * @param component the step's component
 * @param dependsOn the ids of the steps it depended on
 * @param destructive whether the step is destructive
 * @param outcome how it ended
 * @param startedAt when its first attempt started, if it started
 * @param finishedAt when it ended, if it started
 * @param duration how long it ran, from first start to end (monotonic); zero if it never started
 * @param budget the time it was given when it started (its deadline minus its start); zero if it never started
 * @param attempts every attempt
 * @param verifications the verifications that ran after it
 * @param evidence the evidence it recorded, in order
 * @param reason why it failed, timed out or was skipped, if it did
 * @param withoutSafeguard the declared reason a destructive step ran with no safeguard, if any
 */
public record StepReport(
        String stepId,
        String component,
        List<String> dependsOn,
        boolean destructive,
        StepOutcome outcome,
        Optional<Instant> startedAt,
        Optional<Instant> finishedAt,
        Duration duration,
        Duration budget,
        List<Attempt> attempts,
        List<Verification> verifications,
        Map<String, String> evidence,
        Optional<String> reason,
        Optional<String> withoutSafeguard) {

    /** Validates and copies. */
    public StepReport {
        Objects.requireNonNull(stepId, "stepId");
        Objects.requireNonNull(component, "component");
        dependsOn = List.copyOf(dependsOn);
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(duration, "duration");
        Objects.requireNonNull(budget, "budget");
        attempts = List.copyOf(attempts);
        verifications = List.copyOf(verifications);
        evidence = Collections.unmodifiableMap(new LinkedHashMap<>(evidence));
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(withoutSafeguard, "withoutSafeguard");
    }

    /**
     * The evidence recorded under {@code key}, read as its type; empty when absent. A value that does
     * not read as the key's type is also empty: use {@link #evidence()} to tell the two apart.
     */
    public <T> Optional<T> evidence(EvidenceKey<T> key) {
        String text = evidence.get(key.name());
        return text == null ? Optional.empty() : key.read(text);
    }

    /** Whether the step ran within the budget it was given. */
    public boolean withinBudget() {
        return duration.compareTo(budget) <= 0;
    }
}
