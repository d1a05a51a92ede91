package dev.rollback.integrations.internal;

import dev.rollback.api.internal.Arguments;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rule for the table and column names the JDBC steps put into SQL: plain, unquoted SQL
 * identifiers (a letter or underscore, then letters, digits or underscores, at most 63 characters,
 * PostgreSQL's limit), a table optionally qualified by its schema ({@code app.sessions}). Values are
 * always bound as parameters; only names checked here are ever written into a statement, so no
 * configured name can inject SQL. Stateless and thread-safe.
 */
public final class SqlNames {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
    private static final Set<String> RESERVED = Set.of(
            "select", "insert", "update", "delete", "from", "where", "and", "or", "not", "null", "table", "drop",
            "union", "order", "group", "by", "limit", "offset", "fetch", "into", "values", "set", "user", "true",
            "false");

    private SqlNames() {}

    /** A column name: a plain SQL identifier that is not a reserved word. */
    public static String requireColumn(String value, String field) {
        Objects.requireNonNull(value, field);
        if (!IDENTIFIER.matcher(value).matches() || RESERVED.contains(value.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(field + " must be a plain SQL name (a letter or '_', then letters,"
                    + " digits or '_', at most 63, not a reserved word), but was '" + Arguments.printable(value) + "'");
        }
        return value;
    }

    /** A table name, optionally qualified by one schema ({@code schema.table}); each part as a column name. */
    public static String requireTable(String value, String field) {
        Objects.requireNonNull(value, field);
        int dot = value.indexOf('.');
        try {
            if (dot < 0) {
                requireColumn(value, field);
            } else {
                requireColumn(value.substring(0, dot), field);
                requireColumn(value.substring(dot + 1), field);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + " must be a plain SQL table name, optionally 'schema.table'"
                    + " (letters, digits and '_', at most 63 each, not a reserved word), but was '"
                    + Arguments.printable(value) + "'");
        }
        return value;
    }
}
