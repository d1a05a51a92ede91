package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.TimelineFence;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PostgresRollbackTest {

    private static PostgresEndpoint at(int port) {
        return PostgresEndpoint.builder()
                .host("127.0.0.1")
                .port(port)
                .database("app")
                .user("app")
                .password(Secret.of("never-printed"))
                .build();
    }

    @Test
    void theRunbooksDatabaseObjectivesAreItsNumbers() {
        assertThat(PostgresRollback.DATABASE_ROLLBACK.rto()).isEqualTo(Duration.ofMinutes(15));
        assertThat(PostgresRollback.DATABASE_ROLLBACK.rpo()).isEqualTo(Duration.ofMinutes(1));
        assertThat(PostgresRollback.POINT_IN_TIME_RECOVERY.rto()).isEqualTo(Duration.ofMinutes(30));
        assertThat(PostgresRollback.POINT_IN_TIME_RECOVERY.rpo()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theSelfHostedFailoverFencesThenPromotesThenSwitchesAndVerifies() {
        TimelineFence fence = TimelineFence.create();
        SwitchableDataSource app = SwitchableDataSource.of(fence.guard(at(5432).dataSource()), "primary");
        SelfHostedFailover failover = SelfHostedFailover.builder()
                .oldPrimary(at(5432))
                .replica(at(5433))
                .application(app)
                .fence(fence)
                .build();

        RollbackPlan plan = PostgresRollback.selfHostedFailoverPlan(failover);

        assertThat(plan.name()).isEqualTo("database-failover");
        assertThat(plan.objectives()).isEqualTo(PostgresRollback.DATABASE_ROLLBACK);
        assertThat(plan.objectivesOf("postgres")).isEqualTo(PostgresRollback.DATABASE_ROLLBACK);
        assertThat(plan.steps())
                .extracting(PlannedStep::id)
                .containsExactly("fence-old-primary", "promote-replica", "switch-to-promoted-replica");
        assertThat(plan.step("promote-replica").orElseThrow().dependsOn()).containsExactly("fence-old-primary");
        PlannedStep switchStep = plan.step("switch-to-promoted-replica").orElseThrow();
        assertThat(switchStep.dependsOn()).containsExactly("promote-replica");
        assertThat(switchStep.step().destructive()).isTrue();
        assertThat(switchStep.withoutSafeguard()).contains(PostgresRollback.FAILOVER_NEEDS_NO_BACKUP);
        assertThat(switchStep.verifiers()).extracting(v -> v.name()).containsExactly("writable-primary");
        assertThat(failover.fence()).isSameAs(fence);
        assertThat(failover.maxDataLoss()).isEqualTo(PostgresRollback.DATABASE_ROLLBACK.rpo());
        assertThat(failover.toString()).doesNotContain("never-printed");
    }
}
