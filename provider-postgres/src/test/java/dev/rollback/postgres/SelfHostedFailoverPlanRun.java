package dev.rollback.postgres;

import dev.rollback.api.PlannedStep;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.postgres.failover.SelfHostedFailover;
import dev.rollback.postgres.failover.TimelineFence;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Run inside {@link ClassPathWithoutAzure}'s loader by {@link FailoverWithoutAzureSdkTest}: builds the
 * self-hosted database-failover plan (nothing connects until a step runs), then tries to load the
 * Azure failover's control plane. Returns the plan's step ids and, last, what loading it said.
 */
public final class SelfHostedFailoverPlanRun implements Supplier<List<String>> {
    @Override
    public List<String> get() {
        TimelineFence fence = TimelineFence.create();
        PostgresEndpoint primary = endpoint(5432);
        SelfHostedFailover failover = SelfHostedFailover.builder()
                .oldPrimary(primary)
                .replica(endpoint(5433))
                .application(SwitchableDataSource.of(fence.guard(primary.dataSource()), "primary"))
                .fence(fence)
                .build();
        RollbackPlan plan = PostgresRollback.selfHostedFailoverPlan(failover);
        List<String> result =
                new ArrayList<>(plan.steps().stream().map(PlannedStep::id).toList());
        try {
            Class.forName(
                    "dev.rollback.postgres.failover.HighAvailabilityControlPlane",
                    true,
                    getClass().getClassLoader());
            result.add("loaded");
        } catch (Throwable e) {
            Throwable cause = e instanceof ExceptionInInitializerError && e.getCause() != null ? e.getCause() : e;
            result.add(cause.getClass().getName() + ": " + cause.getMessage());
        }
        return result;
    }

    private static PostgresEndpoint endpoint(int port) {
        return PostgresEndpoint.builder()
                .host("127.0.0.1")
                .port(port)
                .database("app")
                .user("app")
                .password(Secret.of("unused"))
                .build();
    }
}
