package dev.rollback.postgres.coordination;

import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.TransientFailureException;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.testkit.fault.LedgerEntry;
import dev.rollback.testkit.fault.SideEffectLedger;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A step whose effect is one row of {@code effects} in an application database (run, step, attempt,
 * fencing token, node), inserted and committed in one transaction, so the row exists exactly when
 * the effect took place. It is not idempotent; {@link #tookEffect} reads the table, as a real step
 * checks its resource after a crash. Each attempt is also written to a {@link SideEffectLedger}
 * (STARTED, then APPLIED or FAILED) for the invariant checker.
 *
 * <p>With {@link #holding(CountDownLatch, CountDownLatch)} the step inserts its row, counts down
 * {@code entered} and waits for {@code release} before committing, so a test can crash the server or
 * cut the connection while the step's transaction is open, without sleeps. A connection lost at
 * commit is a {@link TransientFailureException} (the row was rolled back with the session). With
 * {@link #holdingAfterCommit(CountDownLatch, CountDownLatch)} it waits after its commit instead, so
 * the fault hits the run's journal when the step ends.
 */
final class EffectStep implements RollbackStep {
    private final String id;
    private final PostgresEndpoint db;
    private final SideEffectLedger ledger;
    private final String node;
    private final CountDownLatch entered;
    private final CountDownLatch release;
    private final boolean holdAfterCommit;

    private EffectStep(
            String id,
            PostgresEndpoint db,
            SideEffectLedger ledger,
            String node,
            CountDownLatch entered,
            CountDownLatch release,
            boolean holdAfterCommit) {
        this.id = id;
        this.db = db;
        this.ledger = ledger;
        this.node = node;
        this.entered = entered;
        this.release = release;
        this.holdAfterCommit = holdAfterCommit;
    }

    /** A step that commits its row at once. */
    static EffectStep of(String id, PostgresEndpoint db, SideEffectLedger ledger, String node) {
        return new EffectStep(id, db, ledger, node, null, null, false);
    }

    /** The same step, holding its transaction open between {@code entered} and {@code release}. */
    EffectStep holding(CountDownLatch entered, CountDownLatch release) {
        return new EffectStep(id, db, ledger, node, entered, release, false);
    }

    /** The same step, committing first, then holding between {@code entered} and {@code release}. */
    EffectStep holdingAfterCommit(CountDownLatch entered, CountDownLatch release) {
        return new EffectStep(id, db, ledger, node, entered, release, true);
    }

    /** Creates the {@code effects} table in {@code db}. */
    static void createTable(PostgresEndpoint db) throws SQLException {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS effects (run_id text NOT NULL, step_id text NOT NULL,"
                    + " attempt int NOT NULL, token bigint NOT NULL, node text NOT NULL)");
        }
    }

    /** Every effect of {@code runId}: "step token node", in insertion order. */
    static List<String> effects(PostgresEndpoint db, String runId) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT step_id, token, node FROM effects WHERE run_id = ? ORDER BY ctid")) {
            ps.setString(1, runId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getLong(2) + " " + rs.getString(3));
                }
            }
        }
        return rows;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return "app";
    }

    @Override
    public void execute(StepContext context) throws Exception {
        record(context, LedgerEntry.Outcome.STARTED);
        try (Connection c = db.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO effects (run_id, step_id, attempt, token, node) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, context.runId());
                ps.setString(2, id);
                ps.setInt(3, context.attempt());
                ps.setLong(4, context.fencingToken());
                ps.setString(5, node);
                ps.executeUpdate();
            }
            if (entered != null && !holdAfterCommit) {
                hold();
            }
            c.commit();
        } catch (SQLException e) {
            record(context, LedgerEntry.Outcome.FAILED);
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08") || state.startsWith("57P")) {
                throw new TransientFailureException(
                        "step " + id + " lost its database connection (SQLState " + state
                                + "); its transaction was rolled back",
                        e);
            }
            throw e;
        }
        record(context, LedgerEntry.Outcome.APPLIED);
        if (entered != null && holdAfterCommit) {
            hold();
        }
    }

    private void hold() throws InterruptedException {
        entered.countDown();
        if (!release.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("step " + id + " was never released by the test");
        }
    }

    @Override
    public Optional<Boolean> tookEffect(StepContext context) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM effects WHERE run_id = ? AND step_id = ?")) {
            ps.setString(1, context.runId());
            ps.setString(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.of(rs.getLong(1) > 0);
            }
        }
    }

    private void record(StepContext context, LedgerEntry.Outcome outcome) {
        ledger.record(new LedgerEntry(
                node,
                context.runId(),
                id,
                context.fencingToken(),
                context.attempt(),
                outcome,
                Instant.now(),
                Optional.of(context.deadline())));
    }

    @Override
    public String toString() {
        return "EffectStep[" + id + " on " + node + "]";
    }
}
