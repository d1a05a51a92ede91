package dev.rollback.integrations;

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
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Revokes sessions or tokens kept in a table of the application's database: the runbook's
 * {@code clearTokenCache()} for tokens kept in a table, and the lockdown's "active sessions revoked".
 * (For sessions or tokens kept in Redis, use provider-redis's {@code SelectiveInvalidationStep}, SCAN
 * + UNLINK by key pattern; the compositions of this provider take either as a plain
 * {@link RollbackStep}.)
 *
 * <p>The rows are those matching the {@link Builder#where filters} (all rows without any), except
 * those matching a {@link Builder#keep keep} pair (the sessions of the break-glass role). By
 * default they are deleted; with {@link Builder#revokedAtColumn(String)} they are marked instead
 * ({@code revoked_at = now}, the application refusing marked sessions), which keeps them for the
 * audit. It works in batches of {@link Builder#batchSize(int) batchSize} rows by the id column, one
 * transaction each, with {@link StepContext#checkpoint()} in between, until a batch finds nothing.
 *
 * <p><b>Idempotent</b> (a repeat revokes what is still active: sessions opened in between, or
 * nothing). <b>Destructive</b> when it deletes (a plan declares {@code withoutSafeguard(...)}:
 * sessions hold no data of record, their users sign in again); marking is not destructive.
 * {@link #preflight} (read-only) counts. {@link #tookEffect}: no matching session is left active.
 *
 * <p>Evidence: {@value #REVOKED} (this attempt), {@value #KEPT} (sessions spared by a keep pair),
 * {@value #REMAINING} (active sessions left, 0 unless some were opened while it ran). It never reads
 * or shows a session's token. Immutable and thread-safe.
 */
public final class SessionRevocationStep implements RollbackStep {
    /** Evidence key: sessions revoked by this attempt. */
    public static final String REVOKED = "sessions.revoked";
    /** Evidence key: sessions kept because they match a keep pair. */
    public static final String KEPT = "sessions.kept";
    /** Evidence key: matching sessions still active after the step. */
    public static final String REMAINING = "sessions.remaining";

    private final DataSource dataSource;
    private final String id;
    private final String component;
    private final String table;
    private final Optional<String> database;
    private final String idColumn;
    private final Conditions where;
    private final Conditions keep;
    private final String revokedAtColumn;
    private final int batchSize;
    private final Duration statementTimeout;

    private SessionRevocationStep(Builder b) {
        this.dataSource = b.dataSource;
        this.id = b.id;
        this.component = b.component;
        this.table = b.table;
        this.database = Optional.ofNullable(b.database);
        this.idColumn = b.idColumn;
        this.where = b.where;
        this.keep = b.keep;
        this.revokedAtColumn = b.revokedAtColumn;
        this.batchSize = b.batchSize;
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

    /** Deleting sessions is destructive; marking them revoked is not. */
    @Override
    public boolean destructive() {
        return revokedAtColumn == null;
    }

    @Override
    public void preflight(StepContext context) {
        Jdbc.read(dataSource, "counting the sessions of " + table, c -> active(c, context));
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        String selection = " WHERE 1 = 1" + where.and() + keep.andNone()
                + (revokedAtColumn == null ? "" : " AND " + revokedAtColumn + " IS NULL");
        String batch = "SELECT " + idColumn + " FROM " + table + selection + " ORDER BY " + idColumn + " FETCH FIRST "
                + batchSize + " ROWS ONLY FOR UPDATE";
        String sql = revokedAtColumn == null
                ? "DELETE FROM " + table + " WHERE " + idColumn + " IN (" + batch + ")"
                : "UPDATE " + table + " SET " + revokedAtColumn + " = ? WHERE " + idColumn + " IN (" + batch + ")";
        long revoked = 0;
        while (true) {
            context.checkpoint();
            OffsetDateTime now = OffsetDateTime.ofInstant(context.clock().instant(), ZoneOffset.UTC);
            int n = Jdbc.inTransaction(dataSource, "revoking the sessions of " + table, c -> {
                try (PreparedStatement u = c.prepareStatement(sql)) {
                    Jdbc.limit(u, context, statementTimeout);
                    int i = 1;
                    if (revokedAtColumn != null) {
                        u.setObject(i++, now);
                    }
                    keep.bind(u, where.bind(u, i));
                    return u.executeUpdate();
                }
            });
            revoked += n;
            context.evidence(REVOKED, Long.toString(revoked));
            context.progress("revoked " + revoked + " sessions of " + table);
            if (n == 0) {
                break;
            }
        }
        long[] left = Jdbc.read(dataSource, "counting the sessions of " + table, c -> active(c, context));
        context.evidence(REMAINING, Long.toString(left[0]));
        context.evidence(KEPT, Long.toString(left[1]));
    }

    /** Whether no matching session (other than the kept ones) is left active. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        long[] left = Jdbc.read(dataSource, "counting the sessions of " + table, c -> active(c, context));
        return Optional.of(left[0] == 0);
    }

    /** {active sessions to revoke, sessions kept}. */
    private long[] active(Connection c, StepContext context) throws SQLException {
        StringBuilder keepAny = new StringBuilder();
        for (Conditions.Pair p : keep.pairs()) {
            keepAny.append(keepAny.length() == 0 ? "" : " OR ")
                    .append(p.column())
                    .append(" = ?");
        }
        String notRevoked = revokedAtColumn == null ? "" : " AND " + revokedAtColumn + " IS NULL";
        String sql = "SELECT coalesce(sum(CASE WHEN 1 = 1" + keep.andNone() + " THEN 1 ELSE 0 END), 0), "
                + (keep.isEmpty() ? "0" : "coalesce(sum(CASE WHEN " + keepAny + " THEN 1 ELSE 0 END), 0)") + " FROM "
                + table + " WHERE 1 = 1" + where.and() + notRevoked;
        try (PreparedStatement q = c.prepareStatement(sql)) {
            Jdbc.limit(q, context, statementTimeout);
            int i = keep.bind(q, 1);
            i = keep.bind(q, i);
            where.bind(q, i);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    @Override
    public String toString() {
        return "SessionRevocationStep[" + id + ", " + (revokedAtColumn == null ? "delete from " : "mark revoked in ")
                + table + " where " + where.describe(" and ")
                + (keep.isEmpty() ? "" : ", keeping " + keep.describe(" or ")) + "]";
    }

    /**
     * Builds a {@link SessionRevocationStep}: the table is required. Setters check their argument at
     * once; not thread-safe; reusable.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String id = "session-revocation";
        private String component = "application";
        private String table;
        private String database;
        private String idColumn = "id";
        private Conditions where = Conditions.none();
        private Conditions keep = Conditions.none();
        private String revokedAtColumn;
        private int batchSize = 1000;
        private Duration statementTimeout = Duration.ofSeconds(30);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The step id. Default {@code session-revocation}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The table of sessions or tokens. Required. */
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

        /** A unique column (the batches select by it). Default {@code id}. */
        public Builder idColumn(String idColumn) {
            this.idColumn = SqlNames.requireColumn(idColumn, "idColumn");
            return this;
        }

        /** Only the rows where {@code column} holds {@code value} (the tokens of one provider). Default: all rows. */
        public Builder where(String column, String value) {
            this.where = where.with(column, Objects.requireNonNull(value, "value"), "where");
            return this;
        }

        /** Spares the rows where {@code column} holds {@code value} (the break-glass role's sessions). */
        public Builder keep(String column, String value) {
            this.keep = keep.with(column, Objects.requireNonNull(value, "value"), "keep");
            return this;
        }

        /**
         * Marks revoked rows by setting this timestamp column to now instead of deleting them; rows
         * where it is already set count as revoked. Default: delete.
         */
        public Builder revokedAtColumn(String column) {
            this.revokedAtColumn = SqlNames.requireColumn(column, "revokedAtColumn");
            return this;
        }

        /** Rows per batch (one transaction each), 1-100,000. Default 1,000. */
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
         * The step.
         *
         * @throws IllegalStateException if the table is missing
         */
        public SessionRevocationStep build() {
            if (table == null) {
                throw new IllegalStateException("table is required");
            }
            return new SessionRevocationStep(this);
        }
    }
}
