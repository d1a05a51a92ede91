package dev.rollback.postgres;

import dev.rollback.api.Secret;
import dev.rollback.testkit.postgres.PostgresServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh databases on the JVM-wide test server, and endpoints to them. */
public final class TestDatabases {
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private TestDatabases() {}

    /** The JVM-wide real PostgreSQL server. */
    public static PostgresServer server() {
        return PostgresServer.shared();
    }

    /** An endpoint for {@code database} on the shared server, as its superuser. */
    public static PostgresEndpoint endpoint(String database) {
        PostgresServer server = server();
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database(database)
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
    }

    /** Creates a new empty database named {@code prefix_<n>} and returns its endpoint. */
    public static PostgresEndpoint create(String prefix) throws SQLException {
        String name = prefix + "_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = server().connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        return endpoint(name);
    }

    /** Runs statements on {@code endpoint}'s database. */
    public static void sql(PostgresEndpoint endpoint, String... statements) throws SQLException {
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** A single long from a query. */
    public static long queryLong(PostgresEndpoint endpoint, String query) throws SQLException {
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement();
                var rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Switches to a new WAL segment and waits until the server archived the old one. */
    public static void archiveCurrentWal() throws Exception {
        try (Connection c = server().connect();
                Statement s = c.createStatement()) {
            String segment;
            try (var rs = s.executeQuery("SELECT pg_walfile_name(pg_switch_wal())")) {
                rs.next();
                segment = rs.getString(1);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline) {
                try (var rs = s.executeQuery("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver")) {
                    rs.next();
                    if (rs.getString(1).compareTo(segment) >= 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("WAL segment " + segment + " was not archived within 30 s");
        }
    }

    /** A TCP port nothing listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Whether this JVM runs as root (then restored clusters run as nobody, like the testkit's). */
    public static boolean runningAsRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
