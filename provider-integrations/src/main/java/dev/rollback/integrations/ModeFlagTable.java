package dev.rollback.integrations;

import dev.rollback.api.internal.Arguments;
import dev.rollback.integrations.internal.Jdbc;
import dev.rollback.integrations.internal.SqlNames;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Where an application keeps its named mode flags: one row per flag in a table of its database,
 * the flag's name in one column and its value (text) in another, optionally who changed it and
 * when. By default:
 *
 * <pre>{@code
 * CREATE TABLE app_mode (
 *   name       VARCHAR(64) PRIMARY KEY,      -- 'maintenance', 'manual_processing', 'login_policy'
 *   value      TEXT NOT NULL,                -- 'on' / 'off', 'open' / a role
 *   changed_by TEXT,                         -- with withChangeRecord("changed_by", "changed_at")
 *   changed_at TIMESTAMP WITH TIME ZONE)
 * }</pre>
 * The rows must exist (the application seeds them); the steps only update them. The flags this
 * provider's compositions set are {@value #MAINTENANCE}, {@value #MANUAL_PROCESSING} ({@value #ON}
 * or {@value #OFF}) and {@value #LOGIN_POLICY} (read by {@link LoginGate}).
 *
 * <p>Immutable and thread-safe.
 */
public final class ModeFlagTable {
    /** The maintenance-mode flag. */
    public static final String MAINTENANCE = "maintenance";
    /** The manual-processing-mode flag (documents go to people, not to the AI services). */
    public static final String MANUAL_PROCESSING = "manual_processing";
    /** The login-policy flag: {@link LoginGate#OPEN} or the one role that may sign in. */
    public static final String LOGIN_POLICY = "login_policy";
    /** A flag that is on. */
    public static final String ON = "on";
    /** A flag that is off. */
    public static final String OFF = "off";

    private final String table;
    private final String nameColumn;
    private final String valueColumn;
    private final Optional<String> changedByColumn;
    private final Optional<String> changedAtColumn;

    private ModeFlagTable(String table, String nameColumn, String valueColumn, String changedBy, String changedAt) {
        this.table = table;
        this.nameColumn = nameColumn;
        this.valueColumn = valueColumn;
        this.changedByColumn = Optional.ofNullable(changedBy);
        this.changedAtColumn = Optional.ofNullable(changedAt);
    }

    /** {@code app_mode(name, value)}, no change record. */
    public static ModeFlagTable ofDefaults() {
        return new ModeFlagTable("app_mode", "name", "value", null, null);
    }

    /** A table with its name and value columns (plain SQL names). */
    public static ModeFlagTable of(String table, String nameColumn, String valueColumn) {
        String n = SqlNames.requireColumn(nameColumn, "nameColumn");
        String v = SqlNames.requireColumn(valueColumn, "valueColumn");
        if (n.equalsIgnoreCase(v)) {
            throw new IllegalArgumentException("nameColumn and valueColumn must differ, but both were '" + n + "'");
        }
        return new ModeFlagTable(SqlNames.requireTable(table, "table"), n, v, null, null);
    }

    /** This table, where each change also records who made it and when (see {@link ModeFlagStep.Builder#recordChange}). */
    public ModeFlagTable withChangeRecord(String byColumn, String atColumn) {
        return new ModeFlagTable(
                table,
                nameColumn,
                valueColumn,
                SqlNames.requireColumn(byColumn, "byColumn"),
                SqlNames.requireColumn(atColumn, "atColumn"));
    }

    /** Whether changes record who made them and when. */
    public boolean recordsChanges() {
        return changedByColumn.isPresent();
    }

    /** The table. */
    public String table() {
        return table;
    }

    /** The column with the flag's name. */
    public String nameColumn() {
        return nameColumn;
    }

    /** The column with the flag's value. */
    public String valueColumn() {
        return valueColumn;
    }

    /**
     * A builder of the step that sets flag {@code name} to {@code value} (id and component still to
     * choose); it records the change if this table does.
     */
    public ModeFlagStep.Builder set(DataSource dataSource, String name, String value) {
        Arguments.requireText(name, "name");
        Arguments.requireText(value, "value");
        ModeFlagStep.Builder b = ModeFlagStep.builder(dataSource)
                .table(table)
                .where(nameColumn, name)
                .set(valueColumn, value);
        if (changedByColumn.isPresent()) {
            b.recordChange(changedByColumn.get(), changedAtColumn.orElseThrow());
        }
        return b;
    }

    /** The value of flag {@code name}, or empty if it has no row. Read-only. */
    public Optional<String> read(DataSource dataSource, String name, Duration timeout) {
        Arguments.requireText(name, "name");
        Arguments.requirePositive(timeout, "timeout");
        return Jdbc.read(dataSource, "reading flag '" + name + "' from " + table, c -> {
            try (PreparedStatement q =
                    c.prepareStatement("SELECT " + valueColumn + " FROM " + table + " WHERE " + nameColumn + " = ?")) {
                Jdbc.limit(q, timeout);
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModeFlagTable t
                && t.table.equals(table)
                && t.nameColumn.equals(nameColumn)
                && t.valueColumn.equals(valueColumn)
                && t.changedByColumn.equals(changedByColumn)
                && t.changedAtColumn.equals(changedAtColumn);
    }

    @Override
    public int hashCode() {
        return Objects.hash(table, nameColumn, valueColumn, changedByColumn, changedAtColumn);
    }

    @Override
    public String toString() {
        return "ModeFlagTable[" + table + "(" + nameColumn + ", " + valueColumn
                + changedByColumn
                        .map(c -> ", " + c + ", " + changedAtColumn.orElseThrow())
                        .orElse("") + ")]";
    }
}
