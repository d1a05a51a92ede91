package dev.rollback.spring;

import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.IncidentState;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * The {@code rollback} health contributor: DOWN while an incident of this node was not recovered (its
 * rollback failed, or recovery was not verified in time: a person must resolve it), UP otherwise; its
 * details say whether triggers are enabled, which rules are firing, how many runs are live and which
 * incidents are open.
 *
 * <p>It reads only what is in memory: it opens no journal, no lock and no connection. Thread-safe.
 */
public class RollbackHealthIndicator extends AbstractHealthIndicator {
    private final RollbackExecutor executor;
    private final Optional<TriggerEngine> engine;
    private final Optional<IncidentResponse> response;

    /**
     * @param executor the executor whose live runs are counted
     * @param engine the trigger engine whose firing rules are listed, if triggers are enabled
     * @param response the incident response whose incidents are judged, if triggers are enabled
     */
    public RollbackHealthIndicator(
            RollbackExecutor executor, Optional<TriggerEngine> engine, Optional<IncidentResponse> response) {
        super("rollback health check failed");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.response = Objects.requireNonNull(response, "response");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        List<IncidentHandle> incidents =
                response.map(IncidentResponse::incidents).orElse(List.of());
        List<String> notRecovered = incidents.stream()
                .filter(h -> h.state() == IncidentState.NOT_RECOVERED)
                .map(h -> h.incident().map(i -> i.id()).orElse(h.key()))
                .toList();
        List<String> open = incidents.stream()
                .filter(h -> !h.state().isFinal())
                .map(h -> h.incident().map(i -> i.id()).orElse(h.key()))
                .toList();
        List<String> firing = engine.map(e -> e.matrix().rules().stream()
                        .map(TriggerRule::name)
                        .filter(rule -> e.state(rule) == RuleState.FIRING)
                        .toList())
                .orElse(List.of());
        long liveRuns =
                executor.activeRuns().values().stream().filter(r -> !r.isDone()).count();
        (notRecovered.isEmpty() ? builder.up() : builder.down())
                .withDetail("triggers", engine.isPresent() ? "enabled" : "disabled")
                .withDetail("firingRules", firing)
                .withDetail("liveRuns", liveRuns)
                .withDetail("openIncidents", open)
                .withDetail("notRecoveredIncidents", notRecovered);
    }
}
