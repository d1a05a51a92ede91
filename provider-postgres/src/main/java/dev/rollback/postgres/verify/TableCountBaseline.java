package dev.rollback.postgres.verify;

import dev.rollback.postgres.internal.Jdbc;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The row count of every user table, taken before a rollback for {@link TableCountVerifier} to
 * compare with afterwards. A table whose planner estimate ({@code pg_class.reltuples}) is below a
 * threshold is counted exactly ({@code count(*)}); a larger one keeps the estimate, and says so.
 * Immutable and thread-safe; capturing only reads.
 */
public final class TableCountBaseline {
    /** How a count was taken. */
    public enum Mode {
        /** {@code count(*)}. */
        EXACT,
        /** The planner's statistics, {@code pg_class.reltuples}. */
        ESTIMATE
    }

    /**
     * One table's baseline.
     *
     * @param rows the row count
     * @param mode how it was taken
     */
    public record Count(long rows, Mode mode) {
        /** Validates. */
        public Count {
            Objects.requireNonNull(mode, "mode");
        }
    }

    private final Map<String, Count> counts;
    private final long largeTableThreshold;
    private final Instant takenAt;

    private TableCountBaseline(Map<String, Count> counts, long largeTableThreshold, Instant takenAt) {
        this.counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
        this.largeTableThreshold = largeTableThreshold;
        this.takenAt = takenAt;
    }

    /**
     * Counts every user table of {@code dataSource}'s database.
     *
     * @param largeTableThreshold tables estimated at this many rows or more keep the estimate; 0 or
     *     more ({@link Long#MAX_VALUE} counts everything exactly)
     * @param takenAt when (for the evidence)
     */
    public static TableCountBaseline capture(DataSource dataSource, long largeTableThreshold, Instant takenAt)
            throws SQLException {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(takenAt, "takenAt");
        if (largeTableThreshold < 0) {
            throw new IllegalArgumentException("largeTableThreshold must be >= 0, but was " + largeTableThreshold);
        }
        try (Connection c = Jdbc.readOnly(dataSource)) {
            Map<String, Count> counts = count(c, largeTableThreshold);
            c.rollback();
            return new TableCountBaseline(counts, largeTableThreshold, takenAt);
        }
    }

    /** The counts of every user table on {@code c}, in the same modes a baseline would take. */
    static Map<String, Count> count(Connection c, long largeTableThreshold) throws SQLException {
        Map<String, Count> counts = new LinkedHashMap<>();
        Map<String, String[]> names = new LinkedHashMap<>();
        Map<String, Long> estimates = new LinkedHashMap<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT n.nspname, c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid ="
                                + " c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN"
                                + " ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%' ORDER BY 1, 2")) {
            while (rs.next()) {
                String key = rs.getString(1) + "." + rs.getString(2);
                names.put(key, new String[] {rs.getString(1), rs.getString(2)});
                estimates.put(key, rs.getLong(3));
            }
        }
        for (Map.Entry<String, String[]> e : names.entrySet()) {
            long estimate = estimates.get(e.getKey());
            if (estimate >= 0 && estimate >= largeTableThreshold) {
                counts.put(e.getKey(), new Count(estimate, Mode.ESTIMATE));
            } else {
                long exact =
                        Jdbc.queryLong(c, "SELECT count(*) FROM " + Jdbc.qualified(e.getValue()[0], e.getValue()[1]));
                counts.put(e.getKey(), new Count(exact, Mode.EXACT));
            }
        }
        return counts;
    }

    /** Every table ("schema.table") and its count, in name order. */
    public Map<String, Count> counts() {
        return counts;
    }

    /** The estimate from which a table kept its estimate instead of an exact count. */
    public long largeTableThreshold() {
        return largeTableThreshold;
    }

    /** When it was taken. */
    public Instant takenAt() {
        return takenAt;
    }

    @Override
    public String toString() {
        return "TableCountBaseline[" + counts.size() + " tables at " + takenAt + "]";
    }
}
