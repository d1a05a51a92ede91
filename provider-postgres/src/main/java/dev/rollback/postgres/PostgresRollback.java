package dev.rollback.postgres;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.postgres.failover.FlexibleServerFailoverStep;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.WritablePrimaryVerifier;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The entry point of provider-postgres: the runbook's database objectives, and its database failover
 * (the action of the trigger "database connection failures &gt; 50 %") as plan fragments, on Azure
 * and self-hosted.
 *
 * <pre>{@code
 * // Azure Database for PostgreSQL flexible server with high availability
 * RollbackPlan azure = PostgresRollback.flexibleServerFailoverPlan(FlexibleServerFailoverStep.builder()
 *         .controlPlane(HighAvailabilityControlPlane.ofPostgreSqlManager(manager))
 *         .resourceGroup("advisoros-prod-primary-rg").server("advisoros-prod-db").build());
 *
 * // self-hosted: a streaming replica takes over from a fenced primary
 * TimelineFence fence = TimelineFence.create();
 * SwitchableDataSource app = SwitchableDataSource.of(fence.guard(primary.dataSource()), "primary");
 * RollbackPlan selfHosted = PostgresRollback.selfHostedFailoverPlan(SelfHostedFailover.builder()
 *         .oldPrimary(primary).replica(replica).application(app).fence(fence).build());
 * }</pre>
 *
 * <p>Register what you use explicitly in a {@link RollbackPlan}; nothing here is discovered from the
 * class path. Stateless and thread-safe. It connects to nothing until a step runs.
 */
public final class PostgresRollback {
    /** The component name the runbook fragments use. */
    public static final String COMPONENT = "postgres";
    /** The name of the failover plans: the decision action of the runbook's DB-connection trigger. */
    public static final String DATABASE_FAILOVER = "database-failover";
    /** The runbook's database rollback: RTO 15 minutes, RPO 1 minute (transaction log backups). */
    public static final RecoveryObjectives DATABASE_ROLLBACK =
            RecoveryObjectives.of(Duration.ofMinutes(15), Duration.ofMinutes(1));
    /** The runbook's point-in-time recovery: RTO 30 minutes, RPO 5 minutes. */
    public static final RecoveryObjectives POINT_IN_TIME_RECOVERY =
            RecoveryObjectives.of(Duration.ofMinutes(30), Duration.ofMinutes(5));
    /** Why the failover's connection switch needs no emergency backup before it. */
    public static final String FAILOVER_NEEDS_NO_BACKUP = "a failover overwrites no data: the switch moves the"
            + " application to the promoted replica, which holds the old primary's writes up to the measured"
            + " data-loss window, and the fenced old primary keeps its own";

    private PostgresRollback() {}

    /**
     * Adds the database failover on Azure to {@code plan}: the component of the step with
     * {@link #DATABASE_ROLLBACK}, and the step (a forced failover to the high-availability standby).
     *
     * @return {@code plan}, for chaining
     */
    public static RollbackPlan.Builder addFlexibleServerFailover(
            RollbackPlan.Builder plan, FlexibleServerFailoverStep failover) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(failover, "failover");
        return plan.component(failover.component(), DATABASE_ROLLBACK).step(failover);
    }

    /**
     * As {@link #addFlexibleServerFailover(RollbackPlan.Builder, FlexibleServerFailoverStep)}, verified
     * by a {@link WritablePrimaryVerifier} on {@code application}: the application's connections (to
     * the server's host name, which Azure moves to the new primary) reach a primary that takes a write.
     *
     * @return {@code plan}, for chaining
     */
    public static RollbackPlan.Builder addFlexibleServerFailover(
            RollbackPlan.Builder plan, FlexibleServerFailoverStep failover, DataSource application) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(failover, "failover");
        WritablePrimaryVerifier verifier = WritablePrimaryVerifier.of(application);
        return plan.component(failover.component(), DATABASE_ROLLBACK).step(failover, s -> s.verifier(verifier));
    }

    /**
     * A plan {@value #DATABASE_FAILOVER} ({@link #DATABASE_ROLLBACK}) holding only the Azure failover; it
     * carries out the decision action {@value #DATABASE_FAILOVER}, so an automatic run of it is pre-authorized.
     */
    public static RollbackPlan flexibleServerFailoverPlan(FlexibleServerFailoverStep failover) {
        return addFlexibleServerFailover(
                        RollbackPlan.builder(DATABASE_FAILOVER, DATABASE_ROLLBACK)
                                .carriesOut(DATABASE_FAILOVER),
                        failover)
                .build();
    }

    /**
     * Adds the self-hosted database failover to {@code plan}, in this order: {@code fence-old-primary}
     * (its preflight refuses when the replica cannot take over), {@code promote-replica} (after the
     * fence: it catches up to the fenced primary's last WAL and records the data-loss window), and
     * {@code switch-to-promoted-replica} (the application's connections, through the fence), verified by
     * {@code writable-primary}; the switch runs {@code withoutSafeguard(}{@link #FAILOVER_NEEDS_NO_BACKUP}
     * {@code )}. The component gets {@link #DATABASE_ROLLBACK}.
     *
     * @return {@code plan}, for chaining
     */
    public static RollbackPlan.Builder addSelfHostedFailover(RollbackPlan.Builder plan, SelfHostedFailover failover) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(failover, "failover");
        String fence = failover.fenceStep().id();
        String promote = failover.promotionStep().id();
        return plan.component(failover.component(), DATABASE_ROLLBACK)
                .step(failover.fenceStep())
                .step(failover.promotionStep(), s -> s.dependsOn(fence))
                .step(
                        failover.switchStep(),
                        s -> s.dependsOn(promote)
                                .withoutSafeguard(FAILOVER_NEEDS_NO_BACKUP)
                                .verifier(failover.verifier()));
    }

    /**
     * A plan {@value #DATABASE_FAILOVER} ({@link #DATABASE_ROLLBACK}) holding only the self-hosted failover;
     * it carries out the decision action {@value #DATABASE_FAILOVER}.
     */
    public static RollbackPlan selfHostedFailoverPlan(SelfHostedFailover failover) {
        return addSelfHostedFailover(
                        RollbackPlan.builder(DATABASE_FAILOVER, DATABASE_ROLLBACK)
                                .carriesOut(DATABASE_FAILOVER),
                        failover)
                .build();
    }
}
