package dev.rollback.integrations;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Conditions;
import dev.rollback.integrations.internal.Jdbc;
import dev.rollback.integrations.internal.SqlNames;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Caps the sessions the application already handed out at a maximum age from now: the runbook's
 * emergency authentication configuration ({@code session: {maxAge: 30 * 60}}) applied to the
 * sessions that exist, not only to new ones. One statement:
 * {@code UPDATE sessions SET expires_at = now + maxAge WHERE expires_at > now + maxAge} (and the
 * {@link Builder#where filters}); a session that expires sooner is left alone, so a session is never
 * extended. "Now" is the step's clock. The column should be a {@code TIMESTAMP WITH TIME ZONE}.
 *
 * <p><b>Idempotent</b> (a repeat caps only sessions opened since with a longer life, and never
 * extends one), not destructive. {@link #preflight} (read-only) counts the sessions it would cap.
 * {@link #tookEffect}: no matching session expires later than {@code maxAge} from now.
 *
 * <p>Evidence: {@value #CAPPED}, {@value #CAP_AT}. Immutable and thread-safe.
 */
public final class SessionCapStep implements RollbackStep {
    /** Evidence key: sessions whose expiry this attempt moved forward. */
    public static final String CAPPED = "sessions.capped";
    /** Evidence key: the expiry they were given (ISO-8601). */
    public static final String CAP_AT = "sessions.capAt";

    private final DataSource dataSource;
    private final String id;
    private final String component;
    private final String table;
    private final Optional<String> database;
    private final String expiresAtColumn;
    private final Duration maxAge;
    private final Conditions where;
    private final Duration statementTimeout;

    private SessionCapStep(Builder b) {
        this.dataSource = b.dataSource;
        this.id = b.id;
        this.component = b.component;
        this.table = b.table;
        this.database = Optional.ofNullable(b.database);
        this.expiresAtColumn = b.expiresAtColumn;
        this.maxAge = b.maxAge;
        this.where = b.where;
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

    /** The longest a session may live from the moment the step runs. */
    public Duration maxAge() {
        return maxAge;
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void preflight(StepContext context) {
        overCap(context, context.clock().instant().plus(maxAge));
    }

    @Override
    public void execute(StepContext context) {
        context.checkpoint();
        Instant cap = context.clock().instant().plus(maxAge);
        int capped = Jdbc.inTransaction(dataSource, "capping the sessions of " + table, c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE " + table + " SET " + expiresAtColumn + " = ? WHERE "
                    + expiresAtColumn + " > ?" + where.and())) {
                Jdbc.limit(u, context, statementTimeout);
                u.setObject(1, OffsetDateTime.ofInstant(cap, ZoneOffset.UTC));
                u.setObject(2, OffsetDateTime.ofInstant(cap, ZoneOffset.UTC));
                where.bind(u, 3);
                return u.executeUpdate();
            }
        });
        context.evidence(CAPPED, Integer.toString(capped));
        context.evidence(CAP_AT, cap.toString());
    }

    /** Whether no matching session expires later than {@code maxAge} from now. */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(overCap(context, context.clock().instant().plus(maxAge)) == 0);
    }

    private long overCap(StepContext context, Instant cap) {
        return Jdbc.read(dataSource, "counting the sessions of " + table, c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT count(*) FROM " + table + " WHERE " + expiresAtColumn + " > ?" + where.and())) {
                Jdbc.limit(q, context, statementTimeout);
                q.setObject(1, OffsetDateTime.ofInstant(cap, ZoneOffset.UTC));
                where.bind(q, 2);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "SessionCapStep[" + id + ", " + table + "." + expiresAtColumn + " at most " + maxAge + " from now]";
    }

    /**
     * Builds a {@link SessionCapStep}: the table and the maximum age are required. Setters check
     * their argument at once; not thread-safe; reusable.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private String id = "session-cap";
        private String component = "application";
        private String table;
        private String database;
        private String expiresAtColumn = "expires_at";
        private Duration maxAge;
        private Conditions where = Conditions.none();
        private Duration statementTimeout = Duration.ofSeconds(30);

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The step id. Default {@code session-cap}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default {@code application}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The sessions table. Required. */
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

        /** The column holding a session's expiry. Default {@code expires_at}. */
        public Builder expiresAtColumn(String column) {
            this.expiresAtColumn = SqlNames.requireColumn(column, "expiresAtColumn");
            return this;
        }

        /** The longest a session may live from now: above zero, at most 30 days. Required. */
        public Builder maxAge(Duration maxAge) {
            this.maxAge = Arguments.requirePositive(maxAge, "maxAge", Duration.ofDays(30));
            return this;
        }

        /** Only the sessions where {@code column} holds {@code value}. Default: all. */
        public Builder where(String column, String value) {
            this.where = where.with(column, Objects.requireNonNull(value, "value"), "where");
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
         * @throws IllegalStateException if the table or the maximum age is missing
         */
        public SessionCapStep build() {
            if (table == null || maxAge == null) {
                throw new IllegalStateException((table == null ? "table" : "maxAge") + " is required");
            }
            return new SessionCapStep(this);
        }
    }
}
