package dev.rollback.postgres.internal;

import dev.rollback.api.internal.Arguments;

/**
 * Checks that a configured SQL text is one statement: a {@code ;} outside string literals
 * ({@code '...'}, {@code E'...'}), quoted identifiers, dollar-quoted bodies ({@code $tag$...$tag$})
 * and comments may only be followed by blanks and comments. A second statement could end the
 * verifier's read-only transaction ({@code COMMIT}) and write in the next one, so it is refused at
 * configuration. Stateless and thread-safe.
 */
public final class SingleStatement {
    private SingleStatement() {}

    /** Returns {@code sql}, or throws {@link IllegalArgumentException} naming the field if it holds more than one statement. */
    public static String require(String sql, String field) {
        int end = endOfFirst(sql);
        if (end >= 0 && !onlyBlanksAndComments(sql, end + 1)) {
            throw new IllegalArgumentException(
                    field + " must be one SQL statement, but holds more than one: '" + Arguments.printable(sql) + "'");
        }
        return sql;
    }

    /** The index of the first top-level {@code ;}, or -1. */
    private static int endOfFirst(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == ';') {
                return i;
            }
            i = skip(sql, i);
        }
        return -1;
    }

    /** From {@code i}, the index after the token that starts there (a literal, a comment, or one char). */
    private static int skip(String sql, int i) {
        int n = sql.length();
        char c = sql.charAt(i);
        if (c == '\'') {
            boolean backslashes = i > 0 && (sql.charAt(i - 1) == 'E' || sql.charAt(i - 1) == 'e');
            int j = i + 1;
            while (j < n) {
                char d = sql.charAt(j);
                if (backslashes && d == '\\') {
                    j += 2;
                } else if (d == '\'') {
                    if (j + 1 < n && sql.charAt(j + 1) == '\'') {
                        j += 2;
                    } else {
                        return j + 1;
                    }
                } else {
                    j++;
                }
            }
            return n;
        }
        if (c == '"') {
            int j = sql.indexOf('"', i + 1);
            while (j >= 0 && j + 1 < n && sql.charAt(j + 1) == '"') {
                j = sql.indexOf('"', j + 2);
            }
            return j < 0 ? n : j + 1;
        }
        if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
            int j = sql.indexOf('\n', i);
            return j < 0 ? n : j + 1;
        }
        if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
            int depth = 1;
            int j = i + 2;
            while (j < n && depth > 0) {
                if (sql.startsWith("/*", j)) {
                    depth++;
                    j += 2;
                } else if (sql.startsWith("*/", j)) {
                    depth--;
                    j += 2;
                } else {
                    j++;
                }
            }
            return j;
        }
        if (c == '$') {
            int j = i + 1;
            while (j < n && (Character.isLetterOrDigit(sql.charAt(j)) || sql.charAt(j) == '_')) {
                j++;
            }
            if (j < n && sql.charAt(j) == '$' && (j == i + 1 || !Character.isDigit(sql.charAt(i + 1)))) {
                String tag = sql.substring(i, j + 1);
                int close = sql.indexOf(tag, j + 1);
                return close < 0 ? n : close + tag.length();
            }
            return i + 1;
        }
        return i + 1;
    }

    private static boolean onlyBlanksAndComments(String sql, int from) {
        int i = from;
        while (i < sql.length()) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == ';') {
                i++;
            } else if (sql.startsWith("--", i) || sql.startsWith("/*", i)) {
                i = skip(sql, i);
            } else {
                return false;
            }
        }
        return true;
    }
}
