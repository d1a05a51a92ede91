package dev.rollback.integrations;

import dev.rollback.api.EvidenceKey;
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
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The runbook's {@code clearAIProcessingQueue()}, without losing a job: the pending jobs of a
 * queue kept in a table of the application's database are moved to a parked state (a status value
 * the workers do not pick up), and {@link #unpark()} moves them back. Nothing is ever deleted: the
 * step only runs {@code UPDATE}s of the status column.
 *
 * <p>It works in batches of {@link Builder#batchSize(int) batchSize} rows, one transaction each, with
 * {@link StepContext#checkpoint()} between them (an abort or the deadline stops it between two
 * batches, every batch whole):
 * <pre>{@code
 * UPDATE jobs SET status = 'PARKED' WHERE status = 'PENDING' AND queue = ? AND id IN (
 *   SELECT id FROM jobs WHERE status = 'PENDING' AND queue = ? ORDER BY id FETCH FIRST 500 ROWS ONLY FOR UPDATE)
 * }</pre>
 * (SQL:2008 {@code FETCH FIRST}, as PostgreSQL writes it). A job a worker claims in between is no
 * longer pending and is left alone. It stops when a batch parks nothing.
 *
 * <p>Evidence, counted over the rows that match the {@link Builder#where filters}:
 * {@value #TOTAL_BEFORE}, {@value #PENDING_BEFORE}, {@value #PARKED_BEFORE}, {@value #MOVED},
 * {@value #PENDING_AFTER}, {@value #PARKED_AFTER}, {@value #TOTAL_AFTER} (jobs added by the application
 * while it ran make the total grow; the step itself never makes it shrink), and
 * {@link EvidenceKey#RECORDS_LOST} zero.
 *
 * <p><b>Idempotent</b> (a repeat moves what is still pending, nothing after a complete run), not
 * destructive. {@link #preflight} (read-only) counts. {@link #tookEffect}: no job is left in the
 * state it moves from. Use a parked value that only the rollback sets, so that {@link #unpark()}
 * gives back only what the rollback parked. Immutable and thread-safe.
 */
public final class QueueParkStep implements RollbackStep {
    /** Evidence key: jobs in the queue before. */
    public static final String TOTAL_BEFORE = "queue.total.before";
    /** Evidence key: pending jobs before. */
    public static final String PENDING_BEFORE = "queue.pending.before";
    /** Evidence key: parked jobs before. */
    public static final String PARKED_BEFORE = "queue.parked.before";
    /** Evidence key: jobs this attempt moved. */
    public static final String MOVED = "queue.moved";
    /** Evidence key: pending jobs after. */
    public static final String PENDING_AFTER = "queue.pending.after";
    /** Evidence key: parked jobs after. */
    public static final String PARKED_AFTER = "queue.parked.after";
    /** Evidence key: jobs in the queue after. */
    public static final String TOTAL_AFTER = "queue.total.after";

    private final DataSource dataSource;
    private final String id;
    private final String component;
    private final String table;
    private final Optional<String> database;
    private final String idColumn;
    private final String statusColumn;
    private final String pending;
    private final String parked;
    private final Conditions where;
    private final int batchSize;
    private final boolean unpark;
    private final Duration statementTimeout;

    private QueueParkStep(Builder b, boolean unpark, String id) {
        this.dataSource = b.dataSource;
        this.id = id;
        this.component = b.component;
        this.table = b.table;
        this.database = Optional.ofNullable(b.database);
        this.idColumn = b.idColumn;
        this.statusColumn = b.statusColumn;
        this.pending = b.pending;
        this.parked = b.parked;
        this.where = b.where;
        this.batchSize = b.batchSize;
        this.unpark = unpark;
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

    /** Whether this step moves parked jobs back to pending. */
    public boolean isUnpark() {
        return unpark;
    }

    /** The step that moves the parked jobs back to pending, with id {@code <id>-unpark} (or back). */
    public QueueParkStep unpark() {
        Builder b = new Builder(dataSource);
        b.component = component;
        b.table = table;
        b.idColumn = idColumn;
        b.statusColumn = statusColumn;
        b.pending = pending;
        b.parked = parked;
        b.where = where;
        b.batchSize = batchSize;
        b.statementTimeout = statementTimeout;
        String other = id.endsWith("-unpark") ? id.substring(0, id.length() - "-unpark".length()) : id + "-unpark";
        return new QueueParkStep(b, !unpark, Arguments.requireId(other, "id"));
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        Jdbc.read(dataSource, "counting the jobs of " + table, c -> counts(c, context));
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        String from = unpark ? parked : pending;
        String to = unpark ? pending : parked;
        Counts before = Jdbc.read(dataSource, "counting the jobs of " + table, c -> counts(c, context));
        context.evidence(TOTAL_BEFORE, Long.toString(before.total));
        context.evidence(PENDING_BEFORE, Long.toString(before.pending));
        context.evidence(PARKED_BEFORE, Long.toString(before.parked));
        String sql = "UPDATE " + table + " SET " + statusColumn + " = ? WHERE " + statusColumn + " = ?" + where.and()
                + " AND " + idColumn + " IN (SELECT " + idColumn + " FROM " + table + " WHERE " + statusColumn + " = ?"
                + where.and() + " ORDER BY " + idColumn + " FETCH FIRST " + batchSize + " ROWS ONLY FOR UPDATE)";
        long moved = 0;
        while (true) {
            context.checkpoint();
            int n = Jdbc.inTransaction(
                    dataSource, "moving jobs of " + table + " from '" + from + "' to '" + to + "'", c -> {
                        try (PreparedStatement u = c.prepareStatement(sql)) {
                            Jdbc.limit(u, context, statementTimeout);
                            u.setString(1, to);
                            u.setString(2, from);
                            int i = where.bind(u, 3);
                            u.setString(i, from);
                            where.bind(u, i + 1);
                            return u.executeUpdate();
                        }
                    });
            moved += n;
            context.evidence(MOVED, Long.toString(moved));
            context.progress("moved " + moved + " jobs of " + table + " to '" + to + "'");
            if (n == 0) {
                break;
            }
        }
        Counts after = Jdbc.read(dataSource, "counting the jobs of " + table, c -> counts(c, context));
        context.evidence(PENDING_AFTER, Long.toString(after.pending));
        context.evidence(PARKED_AFTER, Long.toString(after.parked));
        context.evidence(TOTAL_AFTER, Long.toString(after.total));
        context.evidence(EvidenceKey.RECORDS_LOST, 0L);
    }

    /** Whether no job is left in the state this step moves from. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        Counts now = Jdbc.read(dataSource, "counting the jobs of " + table, c -> counts(c, context));
        return Optional.of((unpark ? now.parked : now.pending) == 0);
    }

    private Counts counts(Connection c, StepContext context) throws SQLException {
        String sql = "SELECT count(*), coalesce(sum(CASE WHEN " + statusColumn + " = ? THEN 1 ELSE 0 END), 0),"
                + " coalesce(sum(CASE WHEN " + statusColumn + " = ? THEN 1 ELSE 0 END), 0) FROM " + table
                + " WHERE 1 = 1" + where.and();
        try (PreparedStatement q = c.prepareStatement(sql)) {
            Jdbc.limit(q, context, statementTimeout);
            q.setString(1, pending);
            q.setString(2, parked);
            where.bind(q, 3);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return new Counts(rs.getLong(1), rs.getLong(2), rs.getLong(3));
            }
        }
    }

    private record Counts(long total, long pending, long parked) {}

    @Override
    public String toString() {
        return "QueueParkStep[" + id + ", " + table + " where " + where.describe(" and ") + ": " + statusColumn + " '"
                + (unpark ? parked + "' -> '" + pending : pending + "' -> '" + parked) + "']";
    }

    /**
     * Builds a {@link QueueParkStep}: the table is required. Setters check their argument at once;
     * not thread-safe; reusable.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String id = "queue-park";
        private String component = "application";
        private String table;
        private String database;
        private String idColumn = "id";
        private String statusColumn = "status";
        private String pending = "PENDING";
        private String parked = "PARKED";
        private Conditions where = Conditions.none();
        private int batchSize = 500;
        private Duration statementTimeout = Duration.ofSeconds(30);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The step id. Default {@code queue-park}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The queue's table. Required. */
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

        /** A unique column of the table (the batches select by it). Default {@code id}. */
        public Builder idColumn(String idColumn) {
            this.idColumn = SqlNames.requireColumn(idColumn, "idColumn");
            return this;
        }

        /** The column holding a job's state. Default {@code status}. */
        public Builder statusColumn(String statusColumn) {
            this.statusColumn = SqlNames.requireColumn(statusColumn, "statusColumn");
            return this;
        }

        /** The state of a job waiting for a worker. Default {@code PENDING}. */
        public Builder pending(String pending) {
            this.pending = Arguments.requireText(pending, "pending");
            return this;
        }

        /** The state parked jobs get; one the workers never pick up. Default {@code PARKED}. */
        public Builder parked(String parked) {
            this.parked = Arguments.requireText(parked, "parked");
            return this;
        }

        /** Only the jobs where {@code column} holds {@code value} (one queue of a shared table). */
        public Builder where(String column, String value) {
            this.where = where.with(column, Objects.requireNonNull(value, "value"), "where");
            return this;
        }

        /** Jobs per batch (one transaction each), 1-100,000. Default 500. */
        public Builder batchSize(int batchSize) {
            this.batchSize = Arguments.requireInRange(batchSize, "batchSize", 1, 100_000);
            return this;
        }

        /** The longest one statement may run (the step's remaining budget caps it further). Default 30 s. */
        public Builder statementTimeout(Duration statementTimeout) {
            this.statementTimeout =
                    Arguments.requirePositive(statementTimeout, "statementTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The step that parks.
         *
         * @throws IllegalStateException if the table is missing, the states are equal, or a filter
         *     is on the status or id column
         */
        public QueueParkStep build() {
            if (table == null) {
                throw new IllegalStateException("table is required");
            }
            if (pending.equals(parked)) {
                throw new IllegalStateException("pending and parked must differ, but both were '" + pending + "'");
            }
            for (Conditions.Pair p : where.pairs()) {
                if (p.column().equalsIgnoreCase(statusColumn) || p.column().equalsIgnoreCase(idColumn)) {
                    throw new IllegalStateException(
                            "where must not filter on the status or id column, but was " + p.describe());
                }
            }
            return new QueueParkStep(this, false, id);
        }
    }
}
