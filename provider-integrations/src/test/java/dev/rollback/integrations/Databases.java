package dev.rollback.integrations;

import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;

/** Test helpers: a fresh database per test class on the testkit's PostgreSQL, and SQL for seeding and checking. */
final class Databases {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Databases() {}

    /** Creates a new empty database on {@code server} and returns a data source for it. */
    static DataSource fresh(PostgresServer server, String prefix) {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return dataSource(server, name);
    }

    /** A data source for {@code database} on {@code server}, with short timeouts. */
    static PGSimpleDataSource dataSource(PostgresServer server, String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {server.host()});
        ds.setPortNumbers(new int[] {server.port()});
        ds.setDatabaseName(database);
        ds.setUser(server.user());
        ds.setPassword(server.password());
        ds.setConnectTimeout(2);
        ds.setLoginTimeout(5);
        return ds;
    }

    /** Runs SQL statements (seeding), outside the code under test. */
    static void sql(DataSource ds, String... statements) {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("seeding failed: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row of a query, as text (null if no row). */
    static String query(DataSource ds, String sql) {
        try (Connection c = ds.getConnection();
                Statement s = c.createStatement();
                var rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed: " + e.getMessage(), e);
        }
    }

    /** A long from a query. */
    static long count(DataSource ds, String sql) {
        return Long.parseLong(query(ds, sql));
    }
}
