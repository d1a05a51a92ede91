package dev.rollback.core.response;

import dev.rollback.api.RollbackClock;
import dev.rollback.api.spi.Journal;
import dev.rollback.api.spi.JournalRecord;
import dev.rollback.core.internal.RunRecords;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The durable history of the incidents of one key (an action, or a manual review's rule), kept in
 * the journal every node shares as a log of {@code DECISION} records under its own id
 * ({@code incident-log-<key>}): each incident opened (its id and the breach it answers), the run of
 * its plan, its resolution. Written only by the holder of the key's incident lock, whose fencing
 * token the records carry, so a node that takes the lock later reads what happened: an incident still
 * open (adopted), or one resolved after its own breach began (its decision came late: nothing runs).
 */
final class IncidentLog {
    private static final String EVENT = "event";
    private static final String INCIDENT = "incident";

    private final Journal journal;
    private final String logId;
    private final RollbackClock clock;

    /**
     * What the log says of the key's latest incident.
     *
     * @param incidentId its id
     * @param breachBegan when the breach it answers began
     * @param runId the run of its plan, once it started
     * @param resolvedAt when it was resolved, if it was
     */
    record Entry(String incidentId, Instant breachBegan, Optional<String> runId, Optional<Instant> resolvedAt) {
        Entry {
            Objects.requireNonNull(incidentId, "incidentId");
            Objects.requireNonNull(breachBegan, "breachBegan");
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(resolvedAt, "resolvedAt");
        }
    }

    IncidentLog(Journal journal, String key, RollbackClock clock) {
        this.journal = journal;
        this.logId = "incident-log-" + key.replace(':', '-');
        this.clock = clock;
    }

    /** Whether the journal keeps anything at all; {@link Journal#NONE} does not. */
    boolean durable() {
        return journal != Journal.NONE;
    }

    /** The key's latest incident, if the log has one. */
    Optional<Entry> last() {
        Entry last = null;
        for (JournalRecord r : journal.records(logId)) {
            Map<String, String> d = r.data();
            switch (d.getOrDefault(EVENT, "")) {
                case "opened" ->
                    last = new Entry(
                            d.get(INCIDENT), Instant.parse(d.get("breachBegan")), Optional.empty(), Optional.empty());
                case "run" -> {
                    if (last != null && last.incidentId().equals(d.get(INCIDENT))) {
                        last = new Entry(
                                last.incidentId(), last.breachBegan(), Optional.of(d.get("run")), last.resolvedAt());
                    }
                }
                case "resolved" -> {
                    if (last != null && last.incidentId().equals(d.get(INCIDENT))) {
                        last = new Entry(last.incidentId(), last.breachBegan(), last.runId(), Optional.of(r.at()));
                    }
                }
                default -> {}
            }
        }
        return Optional.ofNullable(last);
    }

    void opened(String incidentId, Instant breachBegan, long fencingToken) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(EVENT, "opened");
        data.put(INCIDENT, incidentId);
        data.put("breachBegan", breachBegan.toString());
        append(data, fencingToken);
    }

    void run(String incidentId, String runId, long fencingToken) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(EVENT, "run");
        data.put(INCIDENT, incidentId);
        data.put("run", runId);
        append(data, fencingToken);
    }

    void resolved(String incidentId, String by, long fencingToken) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(EVENT, "resolved");
        data.put(INCIDENT, incidentId);
        data.put("by", by);
        append(data, fencingToken);
    }

    /** How the run of {@code runId} ended, from its RUN_FINISHED record; empty while it has none. */
    Optional<String> outcomeOf(String runId) {
        List<JournalRecord> records = journal.records(runId);
        return records.stream()
                .filter(r -> r.type() == JournalRecord.Type.RUN_FINISHED)
                .reduce((a, b) -> b)
                .map(r -> r.data().getOrDefault(RunRecords.OUTCOME, "?"));
    }

    private void append(Map<String, String> data, long fencingToken) {
        // Only the holder of the key's incident lock writes, so the next sequence is the count read.
        long next = journal.records(logId).size();
        journal.append(new JournalRecord(
                logId, next, JournalRecord.Type.DECISION, clock.instant(), Optional.empty(), fencingToken, data));
    }
}
