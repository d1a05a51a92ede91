package dev.rollback.core.response;

import dev.rollback.api.Decision;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Verification;
import dev.rollback.api.spi.RunLease;
import dev.rollback.core.RollbackRun;
import dev.rollback.core.incident.Incident;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * One incident as an {@link IncidentResponse} on this node handles it: its key (the action, or the
 * rule of a manual review), its state, the incident once this node opened it, the run of its plan,
 * and the report it will complete with. A handle is read from any thread; only its response changes
 * it.
 */
public final class IncidentHandle {
    private final String key;
    private final Decision decision;
    private final CompletableFuture<IncidentReport> report = new CompletableFuture<>();
    private volatile IncidentState state;
    private volatile Incident incident;
    private volatile RollbackRun run;

    // Owned by the response (guarded by its lock).
    RollbackPlan plan;
    RunLease lease;
    Instant verifyingSince;
    Instant healthySince;
    List<Verification> lastChecks = List.of();
    final List<Double> errorRatioSamples = new ArrayList<>();
    OptionalLong usersAffected = OptionalLong.empty();
    final List<String> notes = new ArrayList<>();

    IncidentHandle(String key, Decision decision, IncidentState state) {
        this.key = key;
        this.decision = decision;
        this.state = state;
    }

    /** The incident's key: the decision's action, or {@code review:<rule>} for a manual review. */
    public String key() {
        return key;
    }

    /** The decision this node saw first for the incident. */
    public Decision decision() {
        return decision;
    }

    /** Where the incident stands on this node. */
    public IncidentState state() {
        return state;
    }

    /** The incident, once this node opened it; empty on a node that stands by or joined another's. */
    public Optional<Incident> incident() {
        return Optional.ofNullable(incident);
    }

    /** The run of its plan on this node, once it started. */
    public Optional<RollbackRun> run() {
        return Optional.ofNullable(run);
    }

    /**
     * Completes with the report when the incident reaches a final state on this node that has one
     * ({@link IncidentState#RECOVERED} or {@link IncidentState#NOT_RECOVERED}); a node whose decision
     * joined another node's incident completes with nothing and stays incomplete.
     */
    public CompletableFuture<IncidentReport> report() {
        return report;
    }

    void state(IncidentState next) {
        this.state = next;
    }

    void incident(Incident opened) {
        this.incident = opened;
    }

    void run(RollbackRun started) {
        this.run = started;
    }

    @Override
    public String toString() {
        return "IncidentHandle[" + key + ", " + state + (incident == null ? "" : ", " + incident.id()) + "]";
    }
}
