package dev.rollback.integrations;

import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Conditions;
import dev.rollback.integrations.internal.Jdbc;
import dev.rollback.integrations.internal.SqlNames;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Who a {@link UserNotificationStep} reaches: the users a rollback affects (those with a QuickBooks
 * connection), or a fixed list (the security team). Implement it for any other source; it is read
 * when the step runs (and by its preflight), never cached.
 *
 * <p>Implementations are thread-safe and read-only.
 */
public interface Recipients {

    /** What the recipients are, for evidence and messages ("integration_setting.owner_email where provider = 'quickbooks'"). */
    String describe();

    /**
     * The contacts (email addresses, user ids, channel names) as the notifier understands them; the
     * step drops blanks and duplicates.
     *
     * @throws Exception if they cannot be read; a {@link dev.rollback.api.TransientFailureException}
     *     lets the executor retry (nothing was sent yet)
     */
    List<String> find(StepContext context) throws Exception;

    /** A fixed list of contacts (the security team's pager and mailing list). */
    static Recipients of(String... contacts) {
        Objects.requireNonNull(contacts, "contacts");
        List<String> checked = new ArrayList<>();
        for (String c : contacts) {
            checked.add(Arguments.requireText(c, "contact"));
        }
        if (checked.isEmpty()) {
            throw new IllegalArgumentException("contacts must hold at least one contact, but was empty");
        }
        List<String> fixed = List.copyOf(checked);
        return new Recipients() {
            @Override
            public String describe() {
                return fixed.size() + " fixed contact(s)";
            }

            @Override
            public List<String> find(StepContext context) {
                return fixed;
            }

            @Override
            public String toString() {
                return "Recipients[" + describe() + "]";
            }
        };
    }

    /**
     * The distinct non-null values of a column of a table of the application's database, for the
     * rows that match column-equals-value pairs ({@code SELECT DISTINCT owner_email FROM
     * integration_setting WHERE provider = ?}).
     */
    static TableBuilder fromTable(DataSource dataSource) {
        return new TableBuilder(dataSource);
    }

    /** Builds the {@link Recipients} of {@link #fromTable(DataSource)}. Not thread-safe; reusable. */
    final class TableBuilder {
        private final DataSource dataSource;
        private String table;
        private String column;
        private Conditions where = Conditions.none();
        private Duration statementTimeout = Duration.ofSeconds(30);

        private TableBuilder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** The table. Required. */
        public TableBuilder table(String table) {
            this.table = SqlNames.requireTable(table, "table");
            return this;
        }

        /** The column holding a contact. Required. */
        public TableBuilder column(String column) {
            this.column = SqlNames.requireColumn(column, "column");
            return this;
        }

        /** Only rows where {@code column} holds {@code value}. */
        public TableBuilder where(String column, String value) {
            this.where = where.with(column, Objects.requireNonNull(value, "value"), "where");
            return this;
        }

        /** Rows where {@code column} holds {@code value}. */
        public TableBuilder where(String column, boolean value) {
            this.where = where.with(column, value, "where");
            return this;
        }

        /** The longest the query may run (the step's budget caps it further). Default 30 s. */
        public TableBuilder statementTimeout(Duration statementTimeout) {
            this.statementTimeout =
                    Arguments.requirePositive(statementTimeout, "statementTimeout", Duration.ofMinutes(10));
            return this;
        }

        /**
         * The recipients.
         *
         * @throws IllegalStateException if the table or the column is missing
         */
        public Recipients build() {
            if (table == null || column == null) {
                throw new IllegalStateException((table == null ? "table" : "column") + " is required");
            }
            String t = table;
            String c = column;
            Conditions w = where;
            Duration timeout = statementTimeout;
            String description = t + "." + c + " where " + w.describe(" and ");
            return new Recipients() {
                @Override
                public String describe() {
                    return description;
                }

                @Override
                public List<String> find(StepContext context) {
                    return Jdbc.read(dataSource, "reading the recipients in " + description, conn -> {
                        try (PreparedStatement q = conn.prepareStatement(
                                "SELECT DISTINCT " + c + " FROM " + t + " WHERE " + c + " IS NOT NULL" + w.and())) {
                            Jdbc.limit(q, context, timeout);
                            w.bind(q, 1);
                            Set<String> found = new LinkedHashSet<>();
                            try (ResultSet rs = q.executeQuery()) {
                                while (rs.next()) {
                                    found.add(rs.getString(1));
                                }
                            }
                            return List.copyOf(found);
                        }
                    });
                }

                @Override
                public String toString() {
                    return "Recipients[" + description + "]";
                }
            };
        }
    }
}
