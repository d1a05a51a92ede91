package dev.rollback.benchmarks.postgres;

import dev.rollback.api.Secret;
import dev.rollback.api.Verification;
import dev.rollback.benchmarks.support.BenchContext;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.verify.TableCountBaseline;
import dev.rollback.postgres.verify.TableCountVerifier;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Validation of 100 tables by {@link TableCountVerifier}: the baseline taken before a rollback
 * ({@link TableCountBaseline#capture}) and the check after it, in the two modes a configuration
 * chooses between: {@code exact} ({@code count(*)} of every table, threshold
 * {@link Long#MAX_VALUE}) and {@code statistical} (tables the planner estimates at
 * {@value #STATISTICS_FROM} rows or more keep {@code pg_class.reltuples}, the others are counted).
 *
 * <p>The database, in the testkit's real PostgreSQL, holds 100 tables of varied sizes: 3 of 1,000,000
 * rows, 7 of 100,000-400,000, 89 of 10-20,000 and one empty, about 5 million rows in all, analyzed
 * (so that the estimates exist) and checkpointed. The data stays in the page cache, as it would on a
 * server that was just serving it. One validation per measured invocation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(1)
public class TableCountValidationBenchmark {
    /** The threshold of the statistical mode: tables estimated at this many rows or more keep the estimate. */
    static final long STATISTICS_FROM = 100_000;

    /** {@code exact} or {@code statistical}. */
    @Param({"exact", "statistical"})
    public String mode;

    private PostgresServer server;
    private DataSource dataSource;
    private long threshold;
    private TableCountVerifier verifier;

    /** Starts the server, loads the 100 tables, takes the baseline that {@link #verify()} checks against. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        threshold = switch (mode) {
            case "exact" -> Long.MAX_VALUE;
            case "statistical" -> STATISTICS_FROM;
            default -> throw new IllegalArgumentException("mode must be exact or statistical, but was " + mode);
        };
        server = PostgresServer.builder().build();
        server.start();
        try (Connection c = server.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE validation");
        }
        PostgresEndpoint endpoint = PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("validation")
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
        dataSource = endpoint.dataSource();
        long rows = 0;
        try (Connection c = endpoint.connect();
                Statement s = c.createStatement()) {
            for (int i = 1; i <= 100; i++) {
                long n = rowsOf(i);
                s.execute("CREATE TABLE t" + i + " (id bigint PRIMARY KEY, account int NOT NULL, amount numeric(12, 2),"
                        + " note text, created timestamptz NOT NULL DEFAULT now())");
                if (n > 0) {
                    s.execute("INSERT INTO t" + i + " (id, account, amount, note) SELECT g, g % 1000,"
                            + " (g % 10000) / 100.0, 'row ' || g FROM generate_series(1, " + n + ") g");
                }
                rows += n;
            }
            s.execute("VACUUM ANALYZE");
            s.execute("CHECKPOINT");
            try (ResultSet rs = s.executeQuery("SELECT pg_database_size('validation')")) {
                rs.next();
                System.out.println("# 100 tables, " + rows + " rows, database size " + rs.getLong(1) + " bytes");
            }
        }
        TableCountBaseline baseline = TableCountBaseline.capture(dataSource, threshold, Instant.now());
        long estimated = baseline.counts().values().stream()
                .filter(count -> count.mode() == TableCountBaseline.Mode.ESTIMATE)
                .count();
        System.out.println("# " + mode + ": " + (baseline.counts().size() - estimated) + " tables counted, " + estimated
                + " by statistics");
        verifier = TableCountVerifier.builder()
                .dataSource(dataSource)
                .baseline(baseline)
                .build();
    }

    /** Rows of table {@code i} (1-100): three large, seven medium, the rest small and spread out, one empty. */
    static long rowsOf(int i) {
        if (i <= 3) {
            return 1_000_000;
        }
        if (i <= 10) {
            return 100_000 + (i - 4) * 50_000L;
        }
        if (i == 100) {
            return 0;
        }
        // 89 small tables from 10 to 20,000 rows, geometrically spaced
        return Math.round(10 * Math.pow(2_000, (i - 11) / 88.0));
    }

    /** Stops and deletes the server. */
    @TearDown(Level.Trial)
    public void stop() {
        server.close();
    }

    /** The baseline taken before a rollback. */
    @Benchmark
    public TableCountBaseline captureBaseline() throws SQLException {
        return TableCountBaseline.capture(dataSource, threshold, Instant.now());
    }

    /** The check after a rollback, against the baseline taken in setup; it must pass. */
    @Benchmark
    public Verification verify() throws SQLException {
        Verification v = verifier.verify(new BenchContext("emergency-backup", "postgres"));
        if (!v.passed()) {
            throw new IllegalStateException("the table counts did not verify: " + v.observed());
        }
        return v;
    }
}
