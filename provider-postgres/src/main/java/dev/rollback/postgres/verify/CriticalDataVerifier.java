package dev.rollback.postgres.verify;

import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.Jdbc;
import dev.rollback.postgres.internal.SingleStatement;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The runbook's "validate critical data consistency": configured queries (users, organizations,
 * clients), each returning one number that must reach its minimum. The queries are the operator's
 * own SQL and run in a read-only transaction, so a mistaken one cannot write.
 *
 * <p>Read-only; safe to call again. Immutable and thread-safe.
 */
public final class CriticalDataVerifier implements Verifier {
    /**
     * One configured check.
     *
     * @param label what it counts ("users")
     * @param sql a query returning one number: one statement, run in a read-only transaction (a
     *     second statement, which could end that transaction, is refused)
     * @param minimum the least acceptable value
     */
    public record Check(String label, String sql, long minimum) {
        /** Validates. */
        public Check {
            Arguments.requireText(label, "label");
            SingleStatement.require(Arguments.requireText(sql, "sql"), "sql");
        }
    }

    private final String name;
    private final DataSource dataSource;
    private final List<Check> checks;

    private CriticalDataVerifier(Builder b) {
        this.name = b.name;
        this.dataSource = b.dataSource;
        this.checks = List.copyOf(b.checks);
    }

    /** A builder; dataSource and at least one check are required. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) throws SQLException {
        Map<String, String> details = new LinkedHashMap<>();
        List<String> belowMinimum = new ArrayList<>();
        try (Connection c = Jdbc.readOnly(dataSource)) {
            for (Check check : checks) {
                long value = Jdbc.queryLong(c, check.sql());
                details.put(check.label(), value + " (minimum " + check.minimum() + ")");
                if (value < check.minimum()) {
                    belowMinimum.add(check.label() + " = " + value + " < " + check.minimum());
                }
            }
            c.rollback();
        }
        return new Verification(
                name,
                belowMinimum.isEmpty(),
                checks.size() + " critical counts reach their minimums",
                belowMinimum.isEmpty() ? "all reached" : String.join("; ", belowMinimum),
                details);
    }

    @Override
    public String toString() {
        return "CriticalDataVerifier[" + name + ", " + checks.size() + " checks]";
    }

    /**
     * Builds a {@link CriticalDataVerifier}. Setters check their argument at once; not
     * thread-safe; {@link #build()} may be called again and never changes a verifier already built.
     */
    public static final class Builder {
        private String name = "critical-data";
        private DataSource dataSource;
        private final List<Check> checks = new ArrayList<>();

        private Builder() {}

        /** The check's name. Default: {@code critical-data}. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /** The database to check. Required. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** Adds a query ({@code SELECT count(*) FROM "User"}) whose number must be at least {@code minimum}. */
        public Builder addCheck(String label, String sql, long minimum) {
            checks.add(new Check(label, sql, minimum));
            return this;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if dataSource is missing or no check was added
         */
        public CriticalDataVerifier build() {
            if (dataSource == null) {
                throw new IllegalStateException("dataSource is required");
            }
            if (checks.isEmpty()) {
                throw new IllegalStateException("at least one check is required (addCheck)");
            }
            return new CriticalDataVerifier(this);
        }
    }
}
