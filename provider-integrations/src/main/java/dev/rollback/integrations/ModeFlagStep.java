package dev.rollback.integrations;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Conditions;
import dev.rollback.integrations.internal.Jdbc;
import dev.rollback.integrations.internal.SqlNames;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Sets mode flags in the application's own tables: the runbook's
 * {@code db.integrationSetting.updateMany({where: {provider: 'quickbooks'}, data: {autoSync: false,
 * status: 'MAINTENANCE'}})}, manual processing mode, maintenance mode. The rows are chosen by
 * column-equals-value pairs ({@link Builder#where}), the flags set by others ({@link Builder#set});
 * text, booleans and whole numbers, always bound as parameters; table and column names are plain SQL
 * names, checked when set.
 *
 * <p>One transaction: the matching rows are read {@code FOR UPDATE} (so the evidence of what they
 * held before is exact), fewer than {@link Builder#minRows(int) minRows} (default 1) fails the step
 * before any change (a mistyped provider name never "succeeds" on zero rows), then one
 * {@code UPDATE}. To undo it, place a second step that sets the values back (the evidence
 * {@value #BEFORE} says what they were).
 *
 * <p>With {@link Builder#dataLossWindowSince(String)} (the runbook's "RPO 15 minutes (last
 * successful sync)"), the step also records {@link EvidenceKey#DATA_LOSS_WINDOW}: the time from the
 * newest value of that timestamp column among the rows to now, which the report compares with the
 * component's RPO.
 *
 * <p>With {@link Builder#recordChange(String, String)} the rows it changes also record who changed
 * them (the run's initiator and id) and when: the lockdown's "recorded unlock".
 *
 * <p><b>Idempotent</b> (setting a flag to the value it holds changes nothing, and rows that hold
 * the values are not touched, not even their change record), not destructive.
 * {@link #preflight} (read-only) checks the table, the columns and the row count. {@link #tookEffect}
 * reads whether every matching row holds the values. Connection failures are transient.
 *
 * <p>Evidence: {@value #TABLE}, {@value #MATCH}, {@value #SET}, {@value #ROWS}, {@value #CHANGED},
 * {@value #BEFORE}. Immutable and thread-safe.
 */
public final class ModeFlagStep implements RollbackStep {
    /** Evidence key: the table. */
    public static final String TABLE = "mode.table";
    /** Evidence key: which rows ({@code provider = 'quickbooks'}). */
    public static final String MATCH = "mode.match";
    /** Evidence key: what was set ({@code auto_sync = false, status = 'MAINTENANCE'}). */
    public static final String SET = "mode.set";
    /** Evidence key: rows that match. */
    public static final String ROWS = "mode.rows";
    /** Evidence key: rows this attempt changed (the others already held the values). */
    public static final String CHANGED = "mode.changed";
    /** Evidence key: the values the rows held before, with their counts ({@code auto_sync = true, status = 'ACTIVE' (2 rows)}). */
    public static final String BEFORE = "mode.before";

    private final DataSource dataSource;
    private final String id;
    private final String component;
    private final String table;
    private final Optional<String> database;
    private final Conditions where;
    private final Conditions set;
    private final int minRows;
    private final String lossWindowColumn;
    private final String changedByColumn;
    private final String changedAtColumn;
    private final Duration statementTimeout;

    private ModeFlagStep(Builder b) {
        this.dataSource = b.dataSource;
        this.id = b.id;
        this.component = b.component;
        this.table = b.table;
        this.database = Optional.ofNullable(b.database);
        this.where = b.where;
        this.set = b.set;
        this.minRows = b.minRows;
        this.lossWindowColumn = b.lossWindowColumn;
        this.changedByColumn = b.changedByColumn;
        this.changedAtColumn = b.changedAtColumn;
        this.statementTimeout = b.statementTimeout;
    }

    /** A builder over the application's database. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The table the step changes, in its database: {@code database/table}, when the database was named ({@link
     * Builder#database(String)}); empty otherwise. */
    @Override
    public Optional<String> actsOn() {
        return database.map(d -> d + "/" + table);
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** {@code table: a = 'x' -> b = true}, for messages. */
    public String describe() {
        return table + " where " + where.describe(" and ") + ": set " + set.describe(", ");
    }

    @Override
    public void preflight(StepContext context) {
        Snapshot s =
                Jdbc.read(dataSource, "reading " + table + " for step '" + id + "'", c -> snapshot(c, context, false));
        requireRows(s);
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        context.evidence(TABLE, table);
        context.evidence(MATCH, where.describe(" and "));
        context.evidence(SET, set.describe(", "));
        Instant now = context.clock().instant();
        String changedBy = context.initiator().kind().name().toLowerCase(Locale.ROOT) + ":"
                + context.initiator().principal() + " (run " + context.runId() + ")";
        Snapshot s = Jdbc.inTransaction(dataSource, "setting " + describe(), c -> {
            Snapshot before = snapshot(c, context, true);
            requireRows(before);
            if (before.rows > before.alreadySet) {
                StringBuilder sql = new StringBuilder("UPDATE ")
                        .append(table)
                        .append(" SET ")
                        .append(set.assignments());
                if (changedByColumn != null) {
                    sql.append(", ")
                            .append(changedByColumn)
                            .append(" = ?, ")
                            .append(changedAtColumn)
                            .append(" = ?");
                }
                sql.append(" WHERE 1 = 1").append(where.and()).append(" AND NOT (");
                for (int i = 0; i < set.pairs().size(); i++) {
                    String col = set.pairs().get(i).column();
                    sql.append(i == 0 ? "" : " AND ")
                            .append(col)
                            .append(" IS NOT NULL AND ")
                            .append(col)
                            .append(" = ?");
                }
                sql.append(")");
                try (PreparedStatement u = c.prepareStatement(sql.toString())) {
                    Jdbc.limit(u, context, statementTimeout);
                    int i = set.bind(u, 1);
                    if (changedByColumn != null) {
                        u.setString(i++, changedBy.length() > 256 ? changedBy.substring(0, 256) : changedBy);
                        u.setObject(i++, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                    }
                    set.bind(u, where.bind(u, i));
                    before.changed = u.executeUpdate();
                }
            }
            return before;
        });
        context.evidence(ROWS, Long.toString(s.rows));
        context.evidence(CHANGED, Long.toString(s.changed));
        context.evidence(BEFORE, s.describeBefore());
        if (lossWindowColumn != null) {
            s.newest.ifPresent(newest -> {
                Duration window = Duration.between(newest, context.clock().instant());
                context.evidence(EvidenceKey.DATA_LOSS_WINDOW, window.isNegative() ? Duration.ZERO : window);
            });
        }
    }

    /** Whether at least {@code minRows} rows match and every one holds the values. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Snapshot s =
                Jdbc.read(dataSource, "reading " + table + " for step '" + id + "'", c -> snapshot(c, context, false));
        return Optional.of(s.rows >= minRows && s.rows == s.alreadySet);
    }

    private void requireRows(Snapshot s) {
        if (s.rows < minRows) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "step '" + id + "': " + s.rows + " row(s) of " + table + " where " + where.describe(" and ")
                            + ", fewer than the " + minRows + " required; nothing was changed");
        }
    }

    private Snapshot snapshot(Connection c, StepContext context, boolean lock) throws SQLException {
        String sql = "SELECT " + set.columns() + (lossWindowColumn == null ? "" : ", " + lossWindowColumn) + " FROM "
                + table + " WHERE 1 = 1" + where.and() + (lock ? " FOR UPDATE" : "");
        Snapshot s = new Snapshot();
        try (PreparedStatement q = c.prepareStatement(sql)) {
            Jdbc.limit(q, context, statementTimeout);
            where.bind(q, 1);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    s.rows++;
                    boolean all = true;
                    StringBuilder before = new StringBuilder();
                    for (int i = 0; i < set.pairs().size(); i++) {
                        Conditions.Pair p = set.pairs().get(i);
                        all &= p.matches(rs, i + 1);
                        Object current = rs.getObject(i + 1);
                        if (before.length() > 0) {
                            before.append(", ");
                        }
                        before.append(p.column())
                                .append(" = ")
                                .append(current == null ? "NULL" : Conditions.literal(asValue(current)));
                    }
                    if (all) {
                        s.alreadySet++;
                    }
                    s.before.merge(before.toString(), 1L, Long::sum);
                    if (lossWindowColumn != null) {
                        Timestamp t = rs.getTimestamp(set.pairs().size() + 1);
                        if (t != null && (s.newest.isEmpty() || t.toInstant().isAfter(s.newest.get()))) {
                            s.newest = Optional.of(t.toInstant());
                        }
                    }
                }
            }
        }
        return s;
    }

    private static Object asValue(Object jdbcValue) {
        if (jdbcValue instanceof Boolean || jdbcValue instanceof String) {
            return jdbcValue;
        }
        if (jdbcValue instanceof Number n) {
            return n.longValue();
        }
        return jdbcValue.toString();
    }

    private static final class Snapshot {
        long rows;
        long alreadySet;
        long changed;
        final Map<String, Long> before = new LinkedHashMap<>();
        Optional<Instant> newest = Optional.empty();

        String describeBefore() {
            if (before.isEmpty()) {
                return "(no rows)";
            }
            StringBuilder sb = new StringBuilder();
            int shown = 0;
            for (Map.Entry<String, Long> e : before.entrySet()) {
                if (shown++ == 10) {
                    sb.append("; ...");
                    break;
                }
                if (sb.length() > 0) {
                    sb.append("; ");
                }
                sb.append(e.getKey()).append(" (").append(e.getValue()).append(e.getValue() == 1 ? " row)" : " rows)");
            }
            return Redaction.redact(sb.toString());
        }
    }

    @Override
    public String toString() {
        return "ModeFlagStep[" + id + ", " + describe() + "]";
    }

    /**
     * Builds a {@link ModeFlagStep}: {@link #table}, at least one {@link #where} and one
     * {@link #set} are required. Setters check their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String id = "mode-flag";
        private String component = "application";
        private String table;
        private String database;
        private Conditions where = Conditions.none();
        private Conditions set = Conditions.none();
        private int minRows = 1;
        private String lossWindowColumn;
        private String changedByColumn;
        private String changedAtColumn;
        private Duration statementTimeout = Duration.ofSeconds(30);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The step id. Default {@code mode-flag}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The table holding the flags ({@code integration_setting}, {@code app.system_mode}). Required. */
        public Builder table(String table) {
            this.table = SqlNames.requireTable(table, "table");
            return this;
        }

        /**
         * The name of the database the data source reaches ({@code host:port/database}, or the application's
         * name for it; never a URL with credentials): with the table, what the step {@link #build() built}
         * reports it acts on. Default: none, and the step then declares no target (drill mode refuses it).
         */
        public Builder database(String database) {
            this.database = Arguments.requireText(database, "database");
            return this;
        }

        /** Rows where {@code column} holds the text {@code value}. At least one where is required. */
        public Builder where(String column, String value) {
            this.where = where.with(column, Objects.requireNonNull(value, "value"), "where");
            return this;
        }

        /** Rows where {@code column} holds {@code value}. */
        public Builder where(String column, boolean value) {
            this.where = where.with(column, value, "where");
            return this;
        }

        /** Rows where {@code column} holds {@code value}. */
        public Builder where(String column, long value) {
            this.where = where.with(column, value, "where");
            return this;
        }

        /** Sets {@code column} to the text {@code value}. At least one set is required. */
        public Builder set(String column, String value) {
            this.set = set.with(column, Objects.requireNonNull(value, "value"), "set");
            return this;
        }

        /** Sets {@code column} to {@code value}. */
        public Builder set(String column, boolean value) {
            this.set = set.with(column, value, "set");
            return this;
        }

        /** Sets {@code column} to {@code value}. */
        public Builder set(String column, long value) {
            this.set = set.with(column, value, "set");
            return this;
        }

        /** The fewest rows that must match, 1-1,000,000; fewer fails the step before any change. Default 1. */
        public Builder minRows(int minRows) {
            this.minRows = Arguments.requireInRange(minRows, "minRows", 1, 1_000_000);
            return this;
        }

        /**
         * A timestamp column of the rows (the last successful sync); the step records
         * {@link EvidenceKey#DATA_LOSS_WINDOW} from its newest value to now. Default: none.
         */
        public Builder dataLossWindowSince(String column) {
            this.lossWindowColumn = SqlNames.requireColumn(column, "dataLossWindowSince");
            return this;
        }

        /**
         * Records who changed a row and when, in two columns of it: {@code byColumn} gets the run's
         * initiator and id ({@code manual:alice (run 4f2c...)}), {@code atColumn} (a timestamp with
         * time zone) the step's clock. Only rows the step changes are stamped. Default: no record.
         */
        public Builder recordChange(String byColumn, String atColumn) {
            String by = SqlNames.requireColumn(byColumn, "byColumn");
            String at = SqlNames.requireColumn(atColumn, "atColumn");
            if (by.equalsIgnoreCase(at)) {
                throw new IllegalArgumentException("byColumn and atColumn must differ, but both were '" + by + "'");
            }
            this.changedByColumn = by;
            this.changedAtColumn = at;
            return this;
        }

        /** The longest one statement may run (the step's remaining budget caps it further). Default 30 s. */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout =
                    Arguments.requirePositive(statementTimeout, "statementTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the table, a where or a set is missing, or a column is
         *     both matched and set
         */
        public ModeFlagStep build() {
            if (table == null) {
                throw new IllegalStateException("table is required");
            }
            if (where.isEmpty()) {
                throw new IllegalStateException(
                        "at least one where(column, value) is required, so that no step sets a flag on every row by accident");
            }
            if (set.isEmpty()) {
                throw new IllegalStateException("at least one set(column, value) is required");
            }
            for (Conditions.Pair p : set.pairs()) {
                for (Conditions.Pair w : where.pairs()) {
                    if (p.column().equalsIgnoreCase(w.column())) {
                        throw new IllegalStateException("column '" + p.column() + "' is both matched (" + w.describe()
                                + ") and set (" + p.describe() + "); after the change the rows would no longer"
                                + " match, so a repeat could not tell it is done: match on another column");
                    }
                }
            }
            if (changedByColumn != null) {
                for (Conditions.Pair p : set.pairs()) {
                    if (p.column().equalsIgnoreCase(changedByColumn)
                            || p.column().equalsIgnoreCase(changedAtColumn)) {
                        throw new IllegalStateException(
                                "column '" + p.column() + "' is both set and used by recordChange(" + changedByColumn
                                        + ", " + changedAtColumn + ")");
                    }
                }
            }
            return new ModeFlagStep(this);
        }
    }
}
