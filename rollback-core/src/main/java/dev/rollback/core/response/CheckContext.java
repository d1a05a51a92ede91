package dev.rollback.core.response;

import dev.rollback.api.Initiator;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The context a post-rollback check runs in: the incident as the run, a deadline, no lock. */
final class CheckContext implements StepContext {
    private final String incidentId;
    private final String check;
    private final Instant deadline;
    private final RollbackClock clock;
    private final Initiator initiator;
    private final Map<String, String> evidence = new ConcurrentHashMap<>();

    CheckContext(String incidentId, String check, Instant deadline, RollbackClock clock, Initiator initiator) {
        this.incidentId = incidentId;
        this.check = check;
        this.deadline = deadline;
        this.clock = clock;
        this.initiator = initiator;
    }

    @Override
    public String runId() {
        return incidentId;
    }

    @Override
    public String planName() {
        return "post-rollback-verification";
    }

    @Override
    public String stepId() {
        return check;
    }

    @Override
    public String component() {
        return "system";
    }

    @Override
    public int attempt() {
        return 1;
    }

    @Override
    public Instant deadline() {
        return deadline;
    }

    @Override
    public Duration remaining() {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    @Override
    public long fencingToken() {
        return 0;
    }

    @Override
    public RollbackClock clock() {
        return clock;
    }

    @Override
    public boolean dryRun() {
        return false;
    }

    @Override
    public Initiator initiator() {
        return initiator;
    }

    @Override
    public void evidence(String key, String value) {
        evidence.put(key, value);
    }

    @Override
    public Optional<String> evidenceOf(String stepId, String key) {
        return stepId.equals(check) ? Optional.ofNullable(evidence.get(key)) : Optional.empty();
    }

    @Override
    public boolean stopRequested() {
        return Thread.currentThread().isInterrupted() || !clock.instant().isBefore(deadline);
    }

    @Override
    public void progress(String what) {}

    @Override
    public void checkpoint() {
        if (stopRequested()) {
            throw new StepInterruptedException("post-rollback check '" + check + "' passed its deadline " + deadline);
        }
    }
}
