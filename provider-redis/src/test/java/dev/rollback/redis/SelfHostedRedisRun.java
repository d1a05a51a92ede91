package dev.rollback.redis;

import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import java.util.List;
import java.util.function.Function;

/**
 * Run inside {@link ClassPathWithoutAzure}'s loader by {@link AzureSdkIsOptionalIT}: the runbook's
 * Redis flush against a self-hosted Redis ({@code host, port, password}), then an attempt to load the
 * Azure control plane. Returns the run's outcome and what loading the control plane said.
 */
public final class SelfHostedRedisRun implements Function<List<String>, List<String>> {
    @Override
    public List<String> apply(List<String> server) {
        RedisRollback redis = RedisRollback.of(RedisEndpoint.builder()
                .host(server.get(0))
                .port(Integer.parseInt(server.get(1)))
                .password(Secret.of(server.get(2)))
                .build());
        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.run(redis.runbookPlan(RedisRollback.Recovery.FLUSH), RunRequest.drill("ci"));
        }
        String azure;
        try {
            Class.forName("dev.rollback.redis.AzureRedisControlPlane");
            azure = "loaded";
        } catch (ExceptionInInitializerError e) {
            azure = e.getCause().getClass().getName() + ": " + e.getCause().getMessage();
        } catch (ClassNotFoundException | LinkageError e) {
            azure = e.toString();
        }
        return List.of(report.outcome().name(), azure);
    }
}
