package dev.rollback.postgres.failover;

import dev.rollback.api.Redaction;
import dev.rollback.api.StepContext;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The runbook's "database connectivity verified" after a failover: the data source the application
 * writes through (its {@link dev.rollback.postgres.SwitchableDataSource}) reaches a primary that takes
 * a write. It opens a connection, reads the server ({@code pg_is_in_recovery()}, its timeline and
 * cluster, {@code inet_server_port()}), and writes in a transaction it rolls back (a temporary table,
 * so nothing is left and no application table is touched); when a promotion step is named, the server
 * must be on the timeline that step recorded.
 *
 * <p>Fails (with the server's answer as evidence) on a standby, a read-only server, a refused or
 * failed connection, or another timeline. Not {@linkplain #readOnly() read-only} (the rolled-back
 * write), so a dry run does not call it. Immutable and thread-safe; safe to call more than once.
 */
public final class WritablePrimaryVerifier implements Verifier {
    private final String name;
    private final DataSource dataSource;
    private final Optional<String> promotionStepId;

    private WritablePrimaryVerifier(String name, DataSource dataSource, Optional<String> promotionStepId) {
        this.name = name;
        this.dataSource = dataSource;
        this.promotionStepId = promotionStepId;
    }

    /** Verifies that {@code dataSource} writes to a primary; named {@code writable-primary}. */
    public static WritablePrimaryVerifier of(DataSource dataSource) {
        return new WritablePrimaryVerifier(
                "writable-primary", Objects.requireNonNull(dataSource, "dataSource"), Optional.empty());
    }

    /** The same check, and the server must be on the timeline {@code promotion} recorded in this run. */
    public WritablePrimaryVerifier promotedBy(ReplicaPromotionStep promotion) {
        return new WritablePrimaryVerifier(
                name,
                dataSource,
                Optional.of(Objects.requireNonNull(promotion, "promotion").id()));
    }

    /** The same check under another name. */
    public WritablePrimaryVerifier named(String name) {
        return new WritablePrimaryVerifier(Arguments.requireText(name, "name"), dataSource, promotionStepId);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean readOnly() {
        return false;
    }

    @Override
    public Verification verify(StepContext context) {
        Optional<String> expectedTimeline =
                promotionStepId.flatMap(step -> context.evidenceOf(step, ReplicaPromotionStep.TIMELINE));
        String checked = "the application's connections reach a primary that takes a write"
                + expectedTimeline.map(t -> ", on timeline " + t).orElse("");
        ServerState state;
        int port;
        try (Connection c = dataSource.getConnection()) {
            state = ServerState.read(c, dataSource.toString());
            try (Statement s = c.createStatement();
                    var rs = s.executeQuery("SELECT inet_server_port()")) {
                rs.next();
                port = rs.getInt(1);
            }
            if (state.inRecovery()) {
                return Verification.failed(name, checked, "a standby (in recovery) on port " + port);
            }
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TEMPORARY TABLE rollback_write_probe (x int) ON COMMIT DROP");
                s.execute("INSERT INTO rollback_write_probe VALUES (1)");
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            return Verification.failed(name, checked, "no write: " + Redaction.describe(e));
        }
        if (expectedTimeline.isPresent() && !expectedTimeline.get().equals(state.timelineText())) {
            return Verification.failed(
                            name, checked, "a primary on timeline " + state.timelineText() + " on port " + port)
                    .withDetail("timeline", state.timelineText());
        }
        return Verification.passed(
                        name,
                        checked,
                        "a primary on timeline " + state.timelineText() + " took a write on port " + port)
                .withDetail("timeline", state.timelineText())
                .withDetail("port", Integer.toString(port))
                .withDetail("systemIdentifier", state.systemIdentifier());
    }

    @Override
    public String toString() {
        return "WritablePrimaryVerifier[" + name + "]";
    }
}
