package dev.rollback.examples.drill;

import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.Verifier;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.PostgresRollback;
import dev.rollback.postgres.SwitchableDataSource;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.TimelineFence;
import dev.rollback.postgres.failover.WritablePrimaryVerifier;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The AdvisorOS invoice ledger as the drill sees it: its own PostgreSQL primary with a streaming
 * standby (the testkit's {@code standbyOf}), the application's connections through a switchable
 * data source behind a timeline fence, and the application itself, which writes invoices and tells
 * the trigger engine how each connection attempt went. When the primary crashes, connection
 * failures climb past 50% and the runbook's matrix decides a database failover: the old primary
 * fenced, the standby promoted within the RPO, the application's connections switched, then the
 * invoices the application was told were saved counted on the promoted standby.
 */
final class FailoverEstate implements AutoCloseable {
    static final String RECONCILE_STEP = "acknowledged-invoices";
    private static final int WRITES_PER_STEP = 4;

    private final PostgresServer primary;
    private final PostgresServer standby;
    private final TimelineFence fence = TimelineFence.create();
    private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    private SwitchableDataSource ledger;
    private SelfHostedFailover failover;

    private FailoverEstate() {
        primary = PostgresServer.builder().build();
        standby = PostgresServer.builder().standbyOf(primary).build();
    }

    /** Starts the primary and its standby, and creates the ledger. */
    static FailoverEstate start(Consumer<String> say) throws SQLException {
        FailoverEstate estate = new FailoverEstate();
        try {
            say.accept("starting the invoice ledger's PostgreSQL primary and its streaming standby");
            estate.primary.start();
            estate.standby.start();
            PostgresEndpoint old = endpoint(estate.primary).toBuilder()
                    .connectTimeout(Duration.ofSeconds(2))
                    .build();
            estate.ledger = SwitchableDataSource.of(estate.fence.guard(old.dataSource()), "primary");
            try (Connection c = estate.ledger.getConnection();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE invoices(id bigserial PRIMARY KEY, customer int NOT NULL)");
            }
            estate.failover = SelfHostedFailover.builder()
                    .oldPrimary(old)
                    .replica(endpoint(estate.standby))
                    .application(estate.ledger)
                    .fence(estate.fence)
                    .build();
        } catch (SQLException | RuntimeException e) {
            estate.close();
            throw e;
        }
        return estate;
    }

    /** The application writes a few invoices, each through a new connection, and reports the attempts to {@code engine}. */
    void serve(TriggerEngine engine) {
        for (int i = 0; i < WRITES_PER_STEP; i++) {
            boolean connected = false;
            try (Connection c = ledger.getConnection()) {
                connected = true;
                try (PreparedStatement s =
                                c.prepareStatement("INSERT INTO invoices(customer) VALUES (?) RETURNING id");
                        ResultSet rs = executed(s, i)) {
                    rs.next();
                    acknowledged.add(rs.getLong(1));
                }
            } catch (SQLException e) {
                // refused or failed: the application shows an error; nothing was acknowledged
            }
            engine.recordConnectionAttempt(connected);
        }
    }

    private static ResultSet executed(PreparedStatement s, int customer) throws SQLException {
        s.setInt(1, customer);
        return s.executeQuery();
    }

    /** The primary crashes, once the standby has every acknowledged write. */
    void primaryCrash() {
        standby.awaitCaughtUp(Duration.ofSeconds(30));
        primary.crash();
    }

    /**
     * The runbook's database failover (self-hosted: fence the old primary, promote the standby
     * within the RPO, switch the application's connections, verified writable), then
     * {@value #RECONCILE_STEP}: every invoice the application was told was saved is on the promoted
     * standby (the records-lost count).
     */
    RollbackPlan plan() {
        RollbackPlan.Builder plan = PostgresRollback.addSelfHostedFailover(
                RollbackPlan.builder(DecisionMatrix.DATABASE_FAILOVER, PostgresRollback.DATABASE_ROLLBACK)
                        .carriesOut(DecisionMatrix.DATABASE_FAILOVER),
                failover);
        return plan.step(
                        RollbackStep.builder(RECONCILE_STEP, failover.component())
                                .idempotent(true)
                                .actsOn("the invoice ledger")
                                .action(ctx -> {
                                    long lost = missing();
                                    ctx.evidence("invoices.acknowledged", Long.toString(acknowledged.size()));
                                    ctx.evidence(EvidenceKey.RECORDS_LOST, lost);
                                })
                                .build(),
                        s -> s.dependsOn(failover.switchStep().id()))
                .build();
    }

    /** The post-rollback health check: the ledger's connections reach a writable primary. */
    Verifier writable() {
        return WritablePrimaryVerifier.of(ledger).named("ledger-writable");
    }

    private long missing() throws SQLException {
        long missing = 0;
        try (Connection c = ledger.getConnection();
                PreparedStatement s = c.prepareStatement("SELECT count(*) FROM invoices WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("bigint", acknowledged.toArray()));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                missing = acknowledged.size() - rs.getLong(1);
            }
        }
        return missing;
    }

    /** Where the ledger's connections go now and what they find. */
    String whatIsInPlace() throws SQLException {
        try (Connection c = ledger.getConnection();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SELECT inet_server_port(), pg_is_in_recovery(), count(*) FROM invoices")) {
            rs.next();
            return String.format(
                    "the ledger writes to port %d (%s, %s), %d invoices, %d acknowledged, %d missing",
                    rs.getInt(1),
                    rs.getInt(1) == standby.port() ? "the promoted standby" : "the old primary",
                    rs.getBoolean(2) ? "read-only" : "writable",
                    rs.getLong(3),
                    acknowledged.size(),
                    missing());
        }
    }

    private static PostgresEndpoint endpoint(PostgresServer server) {
        return PostgresEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .database("postgres")
                .user(server.user())
                .password(Secret.of(server.password()))
                .build();
    }

    @Override
    public void close() {
        try {
            standby.close();
        } finally {
            primary.close();
        }
    }
}
