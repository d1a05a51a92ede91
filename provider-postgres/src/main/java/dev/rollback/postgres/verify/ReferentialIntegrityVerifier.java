package dev.rollback.postgres.verify;

import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import dev.rollback.postgres.internal.Jdbc;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Referential integrity that really checks it. The runbook's catalog query lists foreign keys
 * whose table nobody references, which says nothing about the data; this verifier counts, for
 * every foreign key in {@code pg_constraint}, the rows whose key columns are all set and match no
 * row of the referenced table (an anti-join built from the catalog, every identifier quoted). Any
 * orphan fails the check; the details give the count per constraint. Orphans exist after a restore
 * when constraints were {@code NOT VALID}, triggers were disabled or data was loaded with
 * {@code session_replication_role = replica}.
 *
 * <p>Read-only (one read-only transaction); safe to call again. Cost: one anti-join per foreign
 * key. Immutable and thread-safe.
 */
public final class ReferentialIntegrityVerifier implements Verifier {
    private static final String FOREIGN_KEYS = "SELECT con.conname, cn.nspname, c.relname, pn.nspname, p.relname,"
            + " ARRAY(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY k(num, i)"
            + "   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.i),"
            + " ARRAY(SELECT a.attname FROM unnest(con.confkey) WITH ORDINALITY k(num, i)"
            + "   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.i)"
            + " FROM pg_constraint con"
            + " JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace"
            + " JOIN pg_class p ON p.oid = con.confrelid JOIN pg_namespace pn ON pn.oid = p.relnamespace"
            + " WHERE con.contype = 'f' AND con.conparentid = 0 ORDER BY cn.nspname, c.relname, con.conname";

    private final String name;
    private final DataSource dataSource;

    private ReferentialIntegrityVerifier(String name, DataSource dataSource) {
        this.name = name;
        this.dataSource = dataSource;
    }

    /** A verifier named {@code referential-integrity} over {@code dataSource}. */
    public static ReferentialIntegrityVerifier of(DataSource dataSource) {
        return of("referential-integrity", dataSource);
    }

    /** A verifier with a name over {@code dataSource}. */
    public static ReferentialIntegrityVerifier of(String name, DataSource dataSource) {
        return new ReferentialIntegrityVerifier(
                Arguments.requireText(name, "name"), Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Verification verify(StepContext context) throws SQLException {
        Map<String, String> details = new LinkedHashMap<>();
        List<String> broken = new ArrayList<>();
        int keys = 0;
        try (Connection c = Jdbc.readOnly(dataSource)) {
            List<String> constraints = new ArrayList<>();
            List<String> queries = new ArrayList<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery(FOREIGN_KEYS)) {
                while (rs.next()) {
                    String label = rs.getString(2) + "." + rs.getString(3) + "." + rs.getString(1);
                    queries.add(orphanQuery(
                            rs.getString(2),
                            rs.getString(3),
                            rs.getString(4),
                            rs.getString(5),
                            names(rs.getArray(6)),
                            names(rs.getArray(7))));
                    constraints.add(label);
                }
            }
            for (int i = 0; i < queries.size(); i++) {
                context.checkpoint();
                long orphans = Jdbc.queryLong(c, queries.get(i));
                String label = constraints.get(i);
                details.put(label, Long.toString(orphans));
                if (orphans > 0) {
                    broken.add(label + ": " + orphans + " orphaned rows");
                }
                keys++;
            }
            c.rollback();
        }
        String checked = "every foreign key (" + keys + ") has no orphaned rows";
        return new Verification(
                name, broken.isEmpty(), checked, broken.isEmpty() ? "no orphans" : String.join("; ", broken), details);
    }

    /** The anti-join counting rows of the child whose key matches no parent row (MATCH SIMPLE). */
    static String orphanQuery(
            String childSchema,
            String child,
            String parentSchema,
            String parent,
            List<String> childColumns,
            List<String> parentColumns) {
        StringBuilder notNull = new StringBuilder();
        StringBuilder join = new StringBuilder();
        for (int i = 0; i < childColumns.size(); i++) {
            String cc = "c." + Jdbc.quoteIdentifier(childColumns.get(i));
            notNull.append(i == 0 ? "" : " AND ").append(cc).append(" IS NOT NULL");
            join.append(i == 0 ? "" : " AND ")
                    .append("p.")
                    .append(Jdbc.quoteIdentifier(parentColumns.get(i)))
                    .append(" = ")
                    .append(cc);
        }
        return "SELECT count(*) FROM " + Jdbc.qualified(childSchema, child) + " c WHERE " + notNull
                + " AND NOT EXISTS (SELECT 1 FROM " + Jdbc.qualified(parentSchema, parent) + " p WHERE " + join + ")";
    }

    private static List<String> names(Array array) throws SQLException {
        return List.of((String[]) array.getArray());
    }

    @Override
    public String toString() {
        return "ReferentialIntegrityVerifier[" + name + "]";
    }
}
