package dev.rollback.examples.drill;

import dev.rollback.core.response.IncidentReport;
import java.nio.file.Path;
import java.util.List;

/**
 * What one runbook drill found: each incident's report, the report files written, and every miss
 * (an incident not recovered, a component over its RTO or RPO, a failed verification, a drill
 * criterion not met). Immutable.
 *
 * @param incidents the incidents' reports, in the order they opened
 * @param reports the report files written
 * @param misses every miss, described; empty when the drill passed
 */
public record DrillResult(List<IncidentReport> incidents, List<Path> reports, List<String> misses) {

    /** Copies. */
    public DrillResult {
        incidents = List.copyOf(incidents);
        reports = List.copyOf(reports);
        misses = List.copyOf(misses);
    }

    /** Whether the drill found no miss. */
    public boolean passed() {
        return misses.isEmpty();
    }
}
