package dev.rollback.postgres.verify;

import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The runbook's "verify table counts match expected baseline": every table of a
 * {@link TableCountBaseline} must exist in the checked database with a count in tolerance, taken
 * the same way as the baseline's (exact {@code count(*)} for small tables, {@code reltuples} for
 * large ones; the details say which, per table). Exact counts may differ by at most
 * {@code exactTolerance} (default 0, a ratio of the baseline), estimates by
 * {@code estimateTolerance} (default 0.1).
 *
 * <p>Read-only (one read-only transaction); safe to call again. Never writes. Immutable and
 * thread-safe.
 */
public final class TableCountVerifier implements Verifier {
    private final String name;
    private final DataSource dataSource;
    private final TableCountBaseline baseline;
    private final double exactTolerance;
    private final double estimateTolerance;

    private TableCountVerifier(Builder b) {
        this.name = b.name;
        this.dataSource = b.dataSource;
        this.baseline = b.baseline;
        this.exactTolerance = b.exactTolerance;
        this.estimateTolerance = b.estimateTolerance;
    }

    /** A builder; dataSource and baseline are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) throws SQLException {
        Map<String, TableCountBaseline.Count> now;
        try (Connection c = Jdbc.readOnly(dataSource)) {
            now = TableCountBaseline.count(c, baseline.largeTableThreshold());
            c.rollback();
        }
        List<String> problems = new ArrayList<>();
        Map<String, String> details = new LinkedHashMap<>();
        int exact = 0;
        int estimated = 0;
        for (Map.Entry<String, TableCountBaseline.Count> e : baseline.counts().entrySet()) {
            TableCountBaseline.Count expected = e.getValue();
            TableCountBaseline.Count seen = now.get(e.getKey());
            if (seen == null) {
                problems.add(e.getKey() + " is missing");
                continue;
            }
            boolean exactMode = expected.mode() == TableCountBaseline.Mode.EXACT;
            long measured = seen.rows();
            if (exactMode && seen.mode() != TableCountBaseline.Mode.EXACT) {
                measured = exactCount(e.getKey());
            }
            double tolerance = exactMode ? exactTolerance : estimateTolerance;
            if (Math.abs(measured - expected.rows()) > tolerance * expected.rows()) {
                problems.add(e.getKey() + " has " + measured + " rows, baseline " + expected.rows());
            }
            if (exactMode) {
                exact++;
            } else {
                estimated++;
            }
            details.put(
                    e.getKey(),
                    measured + " (" + (exactMode ? "exact" : "estimate") + ", baseline " + expected.rows() + ")");
        }
        String checked = baseline.counts().size() + " tables against the baseline of " + baseline.takenAt() + " ("
                + exact + " exact, " + estimated + " by statistics)";
        String observed = problems.isEmpty() ? "all within tolerance" : String.join("; ", problems);
        return new Verification(name, problems.isEmpty(), checked, observed, details);
    }

    private long exactCount(String table) throws SQLException {
        String[] parts = table.split("\\.", 2);
        try (Connection c = Jdbc.readOnly(dataSource)) {
            return Jdbc.queryLong(c, "SELECT count(*) FROM " + Jdbc.qualified(parts[0], parts[1]));
        }
    }

    @Override
    public String toString() {
        return "TableCountVerifier[" + name + ", " + baseline + "]";
    }

    /**
     * Builds a {@link TableCountVerifier}. Setters check their argument at once; not thread-safe;
     * {@link #build()} may be called again.
     */
    public static final class Builder {
        private String name = "table-counts";
        private DataSource dataSource;
        private TableCountBaseline baseline;
        private double exactTolerance;
        private double estimateTolerance = 0.1;

        private Builder() {}

        /** The check's name. Default: {@code table-counts}. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /** The database to check (after the rollback). Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The counts taken before the rollback. Required. */
        public Builder baseline(TableCountBaseline baseline) {
            this.baseline = Objects.requireNonNull(baseline, "baseline");
            return this;
        }

        /** How far an exact count may differ, as a ratio of the baseline, in [0, 1]. Default: 0. */
        public Builder exactTolerance(double exactTolerance) {
            this.exactTolerance = ratio(exactTolerance, "exactTolerance");
            return this;
        }

        /** How far an estimate may differ, as a ratio of the baseline, in [0, 1]. Default: 0.1. */
        public Builder estimateTolerance(double estimateTolerance) {
            this.estimateTolerance = ratio(estimateTolerance, "estimateTolerance");
            return this;
        }

        private static double ratio(double value, String field) {
            if (!(value >= 0 && value <= 1)) {
                throw new IllegalArgumentException(field + " must be in [0, 1], but was " + value);
            }
            return value;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if dataSource or baseline is missing
         */
        public TableCountVerifier build() {
            if (dataSource == null || baseline == null) {
                throw new IllegalStateException((dataSource == null ? "dataSource" : "baseline") + " is required");
            }
            return new TableCountVerifier(this);
        }
    }
}
