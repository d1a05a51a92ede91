package dev.rollback.integrations.internal;

import dev.rollback.api.Redaction;
import dev.rollback.api.internal.Arguments;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Column-equals-value pairs for the JDBC steps: the rows they select ({@code provider = 'quickbooks'})
 * or the values they set. Columns are checked by {@link SqlNames}; values (text, a boolean or a
 * whole number) are always bound as parameters. Immutable once built by its owner's builder; a
 * builder keeps a mutable one and copies it into each step.
 */
public final class Conditions {
    /** One column and its value. */
    public record Pair(String column, Object value) {
        /** Checks the column and the value's type. */
        public Pair {
            SqlNames.requireColumn(column, "column");
            Objects.requireNonNull(value, column);
            if (!(value instanceof String || value instanceof Boolean || value instanceof Long)) {
                throw new IllegalArgumentException(
                        "value of " + column + " must be text, a boolean or a whole number, but was a "
                                + value.getClass().getSimpleName());
            }
            if (value instanceof String s && (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0)) {
                throw new IllegalArgumentException("value of " + column + " must be one line (no CR or LF), but was '"
                        + Arguments.printable(s) + "'");
            }
        }

        /** {@code column = 'value'}, for messages and evidence (redacted). */
        public String describe() {
            return column + " = " + literal(value);
        }

        /** Whether the current value in {@code rs}'s column {@code index} is this pair's value. */
        public boolean matches(ResultSet rs, int index) throws SQLException {
            Object current;
            if (value instanceof Boolean) {
                boolean b = rs.getBoolean(index);
                current = rs.wasNull() ? null : b;
            } else if (value instanceof Long) {
                long l = rs.getLong(index);
                current = rs.wasNull() ? null : l;
            } else {
                current = rs.getString(index);
            }
            return value.equals(current);
        }
    }

    private final List<Pair> pairs;

    private Conditions(List<Pair> pairs) {
        this.pairs = pairs;
    }

    /** No pairs yet. */
    public static Conditions none() {
        return new Conditions(List.of());
    }

    /** These pairs and one more; refuses a column already present. */
    public Conditions with(String column, Object value, String field) {
        Pair pair = new Pair(column, value);
        for (Pair p : pairs) {
            if (p.column().equalsIgnoreCase(column)) {
                throw new IllegalArgumentException(field + " names column '" + column + "' twice (" + p.describe()
                        + " and " + pair.describe() + ")");
            }
        }
        List<Pair> copy = new ArrayList<>(pairs);
        copy.add(pair);
        return new Conditions(List.copyOf(copy));
    }

    /** The pairs, in order. */
    public List<Pair> pairs() {
        return pairs;
    }

    /** Whether there are none. */
    public boolean isEmpty() {
        return pairs.isEmpty();
    }

    /** {@code " AND a = ? AND b = ?"} (empty for none). */
    public String and() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            sb.append(" AND ").append(p.column()).append(" = ?");
        }
        return sb.toString();
    }

    /** {@code " AND (a IS NULL OR a <> ?) AND ..."}: the rows none of the pairs matches (empty for none). */
    public String andNone() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            sb.append(" AND (")
                    .append(p.column())
                    .append(" IS NULL OR ")
                    .append(p.column())
                    .append(" <> ?)");
        }
        return sb.toString();
    }

    /** {@code "a = ?, b = ?"}, for an UPDATE's SET. */
    public String assignments() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.column()).append(" = ?");
        }
        return sb.toString();
    }

    /** {@code "a, b"}. */
    public String columns() {
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(p.column());
        }
        return sb.toString();
    }

    /** Binds the values from parameter {@code index} on; returns the next free index. */
    public int bind(PreparedStatement s, int index) throws SQLException {
        int i = index;
        for (Pair p : pairs) {
            s.setObject(i++, p.value());
        }
        return i;
    }

    /** {@code "a = 'x', b = true"}, redacted; {@code "(all rows)"} for none. */
    public String describe(String separator) {
        if (pairs.isEmpty()) {
            return "(all rows)";
        }
        StringBuilder sb = new StringBuilder();
        for (Pair p : pairs) {
            if (sb.length() > 0) {
                sb.append(separator);
            }
            sb.append(p.describe());
        }
        return Redaction.redact(sb.toString());
    }

    /** A value as SQL shows it: text quoted, booleans and numbers plain. */
    public static String literal(Object value) {
        return value instanceof String s
                ? "'" + Arguments.printable(s).replace("'", "''") + "'"
                : String.valueOf(value);
    }
}
