package dev.rollback.postgres;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import dev.rollback.api.EvidenceKey;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.Severity;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.report.ComponentReport;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.api.report.TargetStatus;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.approval.ApprovalPath;
import dev.rollback.core.approval.ChangeType;
import dev.rollback.core.approval.InMemoryIdentityDirectory;
import dev.rollback.core.approval.RollbackClassification;
import dev.rollback.core.approval.RunbookApprovalPolicy;
import dev.rollback.core.approval.RunbookRole;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.core.response.IncidentHandle;
import dev.rollback.core.response.IncidentReport;
import dev.rollback.core.response.IncidentResponse;
import dev.rollback.core.response.IncidentState;
import dev.rollback.core.response.PlanCatalog;
import dev.rollback.core.response.PostRollbackVerification;
import dev.rollback.core.response.PostRollbackVerification.Check;
import dev.rollback.core.response.SystemRecovery;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.HeightenedMonitoring;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.postgres.failover.ReplicaPromotionStep;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.TimelineFence;
import dev.rollback.postgres.failover.WritablePrimaryVerifier;
import dev.rollback.testkit.postgres.PostgresServer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The runbook's "Database Connection Failures &gt; 50% → Database Failover", from the signal to a
 * verified recovery, through rollback-core's incident response: a real primary and its streaming
 * standby serve an application whose every request (a real insert) and connection attempt feeds the
 * trigger engine's default decision matrix on a manual clock. The primary crashes; the engine decides
 * {@code database-failover}; the {@link IncidentResponse} opens the incident at SEV1, looks the action
 * up in its {@link PlanCatalog} and runs {@link PostgresRollback#selfHostedFailoverPlan}: the standby is
 * promoted and the application switched to it. The response then verifies the recovery (the
 * application writes to a primary, no acknowledged write is missing, and the error-rate and
 * connection-failure rules are back to healthy for the settle time) and reports it with the
 * failover's measured data loss as the database's RPO figure.
 */
class DatabaseFailoverIncidentIT {
    private static final Instant START = Instant.parse("2026-12-03T09:00:00Z");
    /** Real application requests per simulated second: 120 a minute, above the error-rate rule's 100. */
    private static final int REQUESTS_PER_SECOND = 2;
    /** How often the engine evaluates and the incident response ticks, in simulated time. */
    private static final Duration TICK = Duration.ofSeconds(5);
    /** The application's users; each request belongs to one of them, in turn. */
    private static final int USERS = 40;

    @Test
    void aDatabaseFailoverDecisionPromotesTheStandbyTheApplicationWritesThereAndTheReportShowsTheRecoveryAndItsRpo()
            throws Exception {
        try (PostgresServer primary = PostgresServer.builder().build()) {
            primary.start();
            try (PostgresServer standby =
                    PostgresServer.builder().standbyOf(primary).build()) {
                standby.start();
                PostgresEndpoint old = endpoint(primary);
                PostgresEndpoint replica = endpoint(standby);
                TimelineFence fence = TimelineFence.create();
                SwitchableDataSource db = SwitchableDataSource.of(fence.guard(old.dataSource()), "primary");
                try (Connection c = db.getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE invoices(id bigserial PRIMARY KEY, customer int NOT NULL)");
                }

                ManualClock clock = ManualClock.startingAt(START);
                TriggerEngine engine = TriggerEngine.builder()
                        .matrix(DecisionMatrix.ofDefaults())
                        .clock(clock)
                        .build();
                List<Decision> decisions = new CopyOnWriteArrayList<>();
                engine.addListener(decisions::add);
                Application app = new Application(db, engine);
                SelfHostedFailover failover = SelfHostedFailover.builder()
                        .oldPrimary(old.toBuilder()
                                .connectTimeout(Duration.ofSeconds(2))
                                .build())
                        .replica(replica)
                        .application(db)
                        .fence(fence)
                        .build();

                IncidentReport report;
                Instant lastWriteBeforeCrash;
                Instant runEnded;
                try (engine;
                        RollbackExecutor executor = executor(clock);
                        IncidentResponse response =
                                respond(engine, executor, PostgresRollback.selfHostedFailoverPlan(failover), db, app)) {
                    replay(app, engine, response, clock, Duration.ofSeconds(30));
                    assertThat(engine.state(DecisionMatrix.DATABASE_CONNECTION_FAILURES))
                            .isEqualTo(RuleState.HEALTHY);
                    lastWriteBeforeCrash = Instant.now();
                    app.serve(1); // the last write the primary takes
                    standby.awaitCaughtUp(Duration.ofSeconds(30));
                    primary.crash();

                    // the outage: every connection is refused until the failover switches the application
                    while (response.incidents().isEmpty()
                            || response.incidents().get(0).run().isEmpty()) {
                        assertThat(clock.instant())
                                .as("no decision within 5 minutes")
                                .isBefore(START.plus(Duration.ofMinutes(6)));
                        replay(app, engine, response, clock, TICK);
                    }
                    IncidentHandle incident = response.incidents().get(0);
                    incident.run().orElseThrow().await();
                    runEnded = Instant.now();
                    // the application reports the users whose requests failed during the outage
                    response.usersAffected(incident.incident().orElseThrow().id(), app.usersAffected());
                    while (!incident.report().isDone()) {
                        assertThat(clock.instant())
                                .as(incident.toString())
                                .isBefore(START.plus(Duration.ofMinutes(20)));
                        replay(app, engine, response, clock, TICK);
                    }
                    report = incident.report().get();
                    assertThat(engine.heightenedThreshold(DecisionMatrix.DATABASE_CONNECTION_FAILURES))
                            .hasValue(0.2);
                }

                // one decision, of the DB-connection rule, carried out by the provider's plan, once
                assertThat(decisions).singleElement().satisfies(d -> {
                    assertThat(d.rule()).isEqualTo(DecisionMatrix.DATABASE_CONNECTION_FAILURES);
                    assertThat(d.action()).isEqualTo(DecisionMatrix.DATABASE_FAILOVER);
                    assertThat(d.kind()).isEqualTo(Decision.Kind.ROLLBACK);
                });
                assertThat(report.state()).as(report.notes().toString()).isEqualTo(IncidentState.RECOVERED);
                assertThat(report.severity()).isEqualTo(Severity.SEV1);
                assertThat(report.recoveredAt()).isPresent();
                assertThat(report.heightenedMonitoringUntil())
                        .contains(report.recoveredAt().orElseThrow().plus(Duration.ofHours(4)));
                RollbackReport run = report.run().orElseThrow();
                assertThat(run)
                        .succeeded()
                        .ranExactlyOnce("fence-old-primary")
                        .ranExactlyOnce("promote-replica")
                        .ranExactlyOnce("switch-to-promoted-replica");
                assertThat(run.planName()).isEqualTo(PostgresRollback.DATABASE_FAILOVER);
                assertThat(run.authorization().preAuthorized()).isTrue();
                assertThat(run.authorization().policy()).isEqualTo(RunbookApprovalPolicy.NAME);
                assertThat(run.initiator().decision().orElseThrow().rule())
                        .isEqualTo(DecisionMatrix.DATABASE_CONNECTION_FAILURES);
                assertThat(run.metrics().totalRecovery()).isPresent();

                // the RPO evidence: the data loss the promotion measured is the database's RPO figure
                StepReport promoted = run.step("promote-replica").orElseThrow();
                assertThat(promoted.evidence()).containsEntry(ReplicaPromotionStep.TIMELINE, "00000002");
                Duration measured =
                        promoted.evidence(EvidenceKey.DATA_LOSS_WINDOW).orElseThrow();
                assertThat(measured).isPositive().isLessThanOrEqualTo(Duration.between(lastWriteBeforeCrash, runEnded));
                ComponentReport postgres =
                        run.component(PostgresRollback.COMPONENT).orElseThrow();
                assertThat(postgres.objectives()).isEqualTo(PostgresRollback.DATABASE_ROLLBACK);
                assertThat(postgres.dataLossWindow()).contains(measured);
                assertThat(postgres.rpo()).isEqualTo(TargetStatus.MET);
                assertThat(postgres.rto()).isEqualTo(TargetStatus.MET);

                // recovery verified on the promoted standby, with every acknowledged write on it
                assertThat(report.checks())
                        .extracting(Verification::name)
                        .containsExactly("database-writable", "acknowledged-writes");
                assertThat(report.checks())
                        .allSatisfy(v -> assertThat(v.passed()).as(v.toString()).isTrue());
                assertThat(report.checks().get(0).details())
                        .containsEntry("port", Integer.toString(standby.port()))
                        .containsEntry("timeline", "00000002");
                SystemRecovery recovery = report.systemRecovery();
                assertThat(recovery.dataIntegrity()).hasValue(1.0);
                // the requests refused during the outage show in the availability the report measured
                assertThat(recovery.availability()).isPresent();
                assertThat(recovery.availabilityStatus(SystemRecovery.AVAILABILITY_LIMIT))
                        .isEqualTo(TargetStatus.MISSED);
                assertThat(recovery.usersAffected()).hasValue(USERS);
                assertThat(recovery.usersAffectedStatus(SystemRecovery.USERS_AFFECTED_TARGET))
                        .isEqualTo(TargetStatus.MET);

                // the application writes to the promoted standby, and lost nothing it was told was saved
                long before = app.acknowledged();
                app.serve(Duration.ofSeconds(5).toSeconds() * REQUESTS_PER_SECOND);
                assertThat(app.acknowledged()).isEqualTo(before + 10);
                assertThat(query(db, "SELECT count(*) || '@' || inet_server_port() FROM invoices"))
                        .isEqualTo(app.acknowledged() + "@" + standby.port());

                String markdown = MarkdownReportRenderer.render(report);
                assertThat(markdown)
                        .contains("- **State:** RECOVERED")
                        .contains("| Data integrity | 100.00% |")
                        .containsPattern(
                                "\\| postgres \\| 15 min 00 s \\| [^|]+ \\| met \\| 1 min 00 s \\| [^|]+ \\| met \\|")
                        .contains(EvidenceKey.DATA_LOSS_WINDOW.name() + " = "
                                + EvidenceKey.DATA_LOSS_WINDOW.write(measured));
            }
        }
    }

    @Test
    void aStandbyThatWouldLoseMoreThanTheRpoAllowsIsNotPromotedAndTheIncidentWaitsForAPerson() throws Exception {
        try (PostgresServer primary = PostgresServer.builder().build()) {
            primary.start();
            try (PostgresServer standby =
                    PostgresServer.builder().standbyOf(primary).build()) {
                standby.start();
                PostgresEndpoint old = endpoint(primary);
                TimelineFence fence = TimelineFence.create();
                SwitchableDataSource db = SwitchableDataSource.of(fence.guard(old.dataSource()), "primary");
                try (Connection c = db.getConnection();
                        Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE invoices(id bigserial PRIMARY KEY, customer int NOT NULL)");
                }
                ManualClock clock = ManualClock.startingAt(START);
                TriggerEngine engine = TriggerEngine.builder()
                        .matrix(DecisionMatrix.ofDefaults())
                        .clock(clock)
                        .build();
                Application app = new Application(db, engine);
                SelfHostedFailover failover = SelfHostedFailover.builder()
                        .oldPrimary(old.toBuilder()
                                .connectTimeout(Duration.ofSeconds(2))
                                .build())
                        .replica(endpoint(standby))
                        .application(db)
                        .fence(fence)
                        .maxDataLoss(Duration.ofMillis(500))
                        .build();

                IncidentReport report;
                try (engine;
                        RollbackExecutor executor = executor(clock);
                        IncidentResponse response =
                                respond(engine, executor, PostgresRollback.selfHostedFailoverPlan(failover), db, app)) {
                    replay(app, engine, response, clock, Duration.ofSeconds(30));
                    // replication breaks: the standby stops receiving while the primary goes on taking writes
                    try (Connection c = standby.connect();
                            Statement s = c.createStatement()) {
                        s.execute("ALTER SYSTEM SET primary_conninfo = ''");
                        s.execute("SELECT pg_reload_conf()");
                    }
                    awaitNoWalReceiver(standby);
                    app.serve(REQUESTS_PER_SECOND);
                    Thread.sleep(600); // real time: the data loss is measured on the servers' clocks
                    app.serve(REQUESTS_PER_SECOND);
                    primary.crash();

                    while (response.incidents().isEmpty()
                            || !response.incidents().get(0).report().isDone()) {
                        assertThat(clock.instant())
                                .as("the incident ends within 10 minutes")
                                .isBefore(START.plus(Duration.ofMinutes(10)));
                        replay(app, engine, response, clock, TICK);
                    }
                    report = response.incidents().get(0).report().get();
                }

                assertThat(report.decision().action()).isEqualTo(DecisionMatrix.DATABASE_FAILOVER);
                assertThat(report.state()).isEqualTo(IncidentState.NOT_RECOVERED);
                assertThat(report.recoveredAt()).isEmpty();
                assertThat(report.heightenedMonitoringUntil()).isEmpty();
                assertThat(report.notes()).anySatisfy(n -> assertThat(n).contains("production is not recovered"));
                RollbackReport run = report.run().orElseThrow();
                assertThat(run).failed();
                StepReport fenced = run.step("fence-old-primary").orElseThrow();
                assertThat(fenced.reason().orElseThrow())
                        .as(fenced.toString())
                        .contains("more than the allowed data loss (RPO) of PT0.5S");
                assertThat(run.step("promote-replica").orElseThrow().outcome()).isEqualTo(StepOutcome.SKIPPED);
                assertThat(run.step("switch-to-promoted-replica").orElseThrow().outcome())
                        .isEqualTo(StepOutcome.SKIPPED);
                // nothing was promoted or switched: the standby still replays, the application still points at the
                // primary
                try (Connection c = standby.connect();
                        Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
                assertThat(db.currentLabel()).isEqualTo("primary");
            }
        }
    }

    /**
     * Every {@link #TICK} of simulated time: the application's requests, spread over it, then the
     * engine evaluates and the response ticks (its post-rollback checks run at each tick).
     */
    private static void replay(
            Application app, TriggerEngine engine, IncidentResponse response, ManualClock clock, Duration duration)
            throws Exception {
        for (long t = 0; t < duration.toSeconds(); t += TICK.toSeconds()) {
            for (long r = 0; r < TICK.toSeconds() * REQUESTS_PER_SECOND; r++) {
                app.serve(1);
                clock.advance(Duration.ofSeconds(1).dividedBy(REQUESTS_PER_SECOND));
            }
            engine.evaluate();
            response.tick();
            for (IncidentHandle h : response.incidents()) {
                if (h.run().isPresent()) {
                    h.run().get().await(Duration.ofMinutes(1));
                }
            }
        }
    }

    /**
     * The incident response the application would configure: the failover plan for the DB-connection
     * trigger's action; recovery needs the application to write to a primary, every acknowledged
     * write in the database, and the error-rate and connection-failure rules healthy for 30 s.
     */
    private static IncidentResponse respond(
            TriggerEngine engine,
            RollbackExecutor executor,
            RollbackPlan failoverPlan,
            SwitchableDataSource db,
            Application app) {
        return IncidentResponse.custom()
                .catalog(PlanCatalog.forMatrix(engine.matrix())
                        .map(DecisionMatrix.DATABASE_FAILOVER, failoverPlan)
                        .map(DecisionMatrix.APPLICATION_ROLLBACK, unused("application-rollback"))
                        .map(DecisionMatrix.POINT_IN_TIME_RECOVERY, unused("point-in-time-recovery"))
                        .map(DecisionMatrix.FULL_SYSTEM_LOCKDOWN, unused("full-system-lockdown"))
                        .build())
                .executor(executor)
                .triggers(engine)
                .verification(PostRollbackVerification.custom()
                        .add(Check.HEALTH, WritablePrimaryVerifier.of(db).named("database-writable"))
                        .add(Check.DATA_INTEGRITY, app.acknowledgedWritesPresent())
                        .watchRules(DecisionMatrix.ERROR_RATE, DecisionMatrix.DATABASE_CONNECTION_FAILURES)
                        .settleFor(Duration.ofSeconds(30))
                        .timeout(Duration.ofMinutes(10))
                        .build())
                .heightenedMonitoring(HeightenedMonitoring.custom()
                        .duration(Duration.ofHours(4))
                        .tighten(DecisionMatrix.DATABASE_CONNECTION_FAILURES, 0.2)
                        .build())
                .build();
    }

    private static RollbackExecutor executor(ManualClock clock) {
        return RollbackExecutor.builder()
                .clock(clock)
                .approvalPolicy(runbookApprovals())
                .build();
    }

    /**
     * The runbook's manual authorization: a person starting the failover by hand would need the
     * approvals its matrix lists for database changes; the trigger's decision is pre-authorized.
     */
    private static RunbookApprovalPolicy runbookApprovals() {
        return RunbookApprovalPolicy.custom()
                .directory(InMemoryIdentityDirectory.custom()
                        .addPerson("dana", RunbookRole.DBA)
                        .addPerson("tom", RunbookRole.TECHNICAL_LEAD)
                        .build())
                .classification(
                        PostgresRollback.DATABASE_FAILOVER,
                        RollbackClassification.custom()
                                .addChangeType(ChangeType.DATABASE_CHANGES)
                                .affectedUsers(USERS)
                                .path(ApprovalPath.PLANNED)
                                .build())
                .build();
    }

    private static RollbackPlan unused(String name) {
        return RollbackPlan.builder(name, RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut(name)
                .step(RollbackStep.builder(name + "-step", "app")
                        .idempotent(true)
                        .build())
                .build();
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

    private static void awaitNoWalReceiver(PostgresServer standby) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"0".equals(query(standby.connect(), "SELECT count(*)::text FROM pg_stat_wal_receiver"))) {
            assertThat(System.nanoTime() - deadline)
                    .as("the WAL receiver stops")
                    .isNegative();
            Thread.sleep(20);
        }
    }

    private static String query(DataSource dataSource, String sql) throws SQLException {
        return query(dataSource.getConnection(), sql);
    }

    private static String query(Connection connection, String sql) throws SQLException {
        try (Connection c = connection;
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * The application: each request opens a connection through its switchable data source and inserts
     * an invoice; it tells the engine how the connection attempt and the request went, remembers the
     * invoices the database acknowledged, and the users whose request failed.
     */
    private static final class Application {
        private final DataSource db;
        private final TriggerEngine engine;
        private final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        private final Set<Integer> affected = ConcurrentHashMap.newKeySet();
        private int next;

        Application(DataSource db, TriggerEngine engine) {
            this.db = db;
            this.engine = engine;
        }

        void serve(long requests) {
            for (long i = 0; i < requests; i++) {
                int user = next++ % USERS;
                long began = System.nanoTime();
                boolean connected = false;
                boolean served = false;
                try (Connection c = db.getConnection()) {
                    connected = true;
                    try (PreparedStatement s =
                            c.prepareStatement("INSERT INTO invoices(customer) VALUES (?) RETURNING id")) {
                        s.setInt(1, user);
                        try (ResultSet rs = s.executeQuery()) {
                            rs.next();
                            acknowledged.add(rs.getLong(1));
                            served = true;
                        }
                    }
                } catch (SQLException e) {
                    affected.add(user);
                }
                engine.recordConnectionAttempt(connected);
                engine.recordRequest(System.nanoTime() - began, TimeUnit.NANOSECONDS, served);
            }
        }

        long acknowledged() {
            return acknowledged.size();
        }

        long usersAffected() {
            return affected.size();
        }

        /** Data integrity: every invoice the database acknowledged is in the database the application uses. */
        Verifier acknowledgedWritesPresent() {
            return Verifier.of("acknowledged-writes", ctx -> {
                Long[] ids = acknowledged.toArray(Long[]::new);
                try (Connection c = db.getConnection();
                        PreparedStatement s = c.prepareStatement("SELECT count(*) FROM invoices WHERE id = ANY (?)")) {
                    Array array = c.createArrayOf("bigint", ids);
                    s.setArray(1, array);
                    try (ResultSet rs = s.executeQuery()) {
                        rs.next();
                        long found = rs.getLong(1);
                        String checked = "all " + ids.length + " acknowledged invoices are in the database";
                        String observed = found + " of them found";
                        return found == ids.length
                                ? Verification.passed("acknowledged-writes", checked, observed)
                                : Verification.failed("acknowledged-writes", checked, observed);
                    }
                }
            });
        }
    }
}
