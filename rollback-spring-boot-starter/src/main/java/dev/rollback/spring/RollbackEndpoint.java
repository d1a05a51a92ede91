package dev.rollback.spring;

import dev.rollback.api.Decision;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.core.trigger.TriggerRule;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The {@code rollback} actuator endpoint: the trigger rules' states (what each last saw, its threshold),
 * the live runs with the RTO budget each component has left, the incidents of this node, and a write
 * operation that aborts a live run.
 *
 * <p><b>Secured like other actuator writes.</b> Its default access is read-only: the abort operation
 * exists only when the application grants {@code management.endpoint.rollback.access=unrestricted}, and
 * the endpoint is reachable over HTTP only when the application exposes it
 * ({@code management.endpoints.web.exposure.include=rollback}); with Spring Security, actuator endpoints
 * other than health need an authenticated user. The abort records the authenticated user's name as who
 * aborted ("actuator" without one).
 *
 * <p>Thread-safe: it only reads the executor, the engine and the incident response, and aborts through
 * the run's own thread-safe handle.
 */
@Endpoint(id = "rollback", defaultAccess = Access.READ_ONLY)
public class RollbackEndpoint {
    private final RollbackExecutor executor;
    private final Optional<TriggerEngine> engine;
    private final Optional<IncidentResponse> response;

    /**
     * @param executor the executor whose live runs are shown and aborted
     * @param engine the trigger engine whose rules are shown, if triggers are enabled
     * @param response the incident response whose incidents are shown, if triggers are enabled
     */
    public RollbackEndpoint(
            RollbackExecutor executor, Optional<TriggerEngine> engine, Optional<IncidentResponse> response) {
        this.executor = Objects.requireNonNull(executor, "executor");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.response = Objects.requireNonNull(response, "response");
    }

    /** Rules, live runs and incidents. */
    @ReadOperation
    public Map<String, Object> rollback() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("triggers", engine.isPresent() ? "enabled" : "disabled");
        body.put("rules", rules());
        body.put("runs", runs());
        body.put("incidents", incidents());
        return body;
    }

    /**
     * Aborts the live run {@code runId}: no further step is scheduled, running steps are interrupted, and
     * its report records who aborted it and why.
     *
     * @param runId the run's id, as the read operation lists it
     * @param reason why, recorded in the run's report; default "aborted through the actuator endpoint"
     * @return {@code aborted: true} and the run, or {@code aborted: false} and why not
     */
    @WriteOperation
    public Map<String, Object> abort(@Selector String runId, @Nullable String reason, SecurityContext securityContext) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("runId", runId);
        Optional<RollbackRun> run = executor.activeRuns().values().stream()
                .filter(r -> r.runId().equals(runId) && !r.isDone())
                .findFirst();
        if (run.isEmpty()) {
            body.put("aborted", false);
            body.put("reason", "no live run has this id on this node");
            return body;
        }
        Principal principal = securityContext == null ? null : securityContext.getPrincipal();
        String who = principal == null ? "actuator" : principal.getName();
        String why = reason == null || reason.isBlank() ? "aborted through the actuator endpoint" : reason;
        run.get().abort(why, who);
        body.put("aborted", true);
        body.put("plan", run.get().planName());
        body.put("by", who);
        body.put("reason", why);
        return body;
    }

    private List<Map<String, Object>> rules() {
        List<Map<String, Object>> rules = new ArrayList<>();
        engine.ifPresent(e -> {
            for (TriggerRule rule : e.matrix().rules()) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("name", rule.name());
                r.put("signal", rule.signal().name());
                r.put("state", e.state(rule.name()).name());
                e.observed(rule.name()).ifPresent(v -> r.put("observed", v));
                r.put("threshold", rule.threshold());
                e.heightenedThreshold(rule.name()).ifPresent(v -> r.put("heightenedThreshold", v));
                r.put("unit", rule.unit());
                r.put("action", rule.action());
                r.put("kind", rule.kind().name());
                r.put("severity", rule.severity().name());
                rules.add(r);
            }
        });
        return rules;
    }

    private List<Map<String, Object>> runs() {
        List<Map<String, Object>> runs = new ArrayList<>();
        executor.activeRuns().forEach((key, run) -> {
            if (run.isDone()) {
                return;
            }
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("runId", run.runId());
            r.put("plan", run.planName());
            r.put("planKey", key);
            Map<String, String> budget = new LinkedHashMap<>();
            for (Map.Entry<String, Duration> left : run.budgetLeft().entrySet()) {
                budget.put(left.getKey(), left.getValue().toString());
            }
            r.put("budgetLeft", budget);
            runs.add(r);
        });
        return runs;
    }

    private List<Map<String, Object>> incidents() {
        List<Map<String, Object>> incidents = new ArrayList<>();
        response.ifPresent(resp -> {
            for (IncidentHandle h : resp.incidents()) {
                Map<String, Object> i = new LinkedHashMap<>();
                i.put("key", h.key());
                h.incident().ifPresent(inc -> i.put("id", inc.id()));
                i.put("state", h.state().name());
                Decision d = h.decision();
                i.put("rule", d.rule());
                i.put("action", d.action());
                i.put("severity", d.severity().name());
                h.run().ifPresent(run -> i.put("runId", run.runId()));
                incidents.add(i);
            }
        });
        return incidents;
    }
}
