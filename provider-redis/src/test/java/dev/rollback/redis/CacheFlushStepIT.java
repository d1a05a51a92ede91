package dev.rollback.redis;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.Attempt;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

class CacheFlushStepIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static void seed(int db, int keys) {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            jedis.select(db);
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < keys; i++) {
                p.set("k:" + i, "v" + i);
            }
            p.sync();
        }
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(plan, RunRequest.drill("ci"));
        }
    }

    @Test
    void theRunbookFlushEmptiesEveryDatabaseAndTheVerifierPasses() {
        seed(0, 1000);
        seed(3, 200);
        RedisRollback redis = Servers.redis(REDIS.server());

        RollbackReport report = run(redis.runbookPlan(RedisRollback.Recovery.FLUSH));

        assertThat(report)
                .succeeded()
                .metRto("redis")
                .ranExactlyOnce("redis-flush")
                .verification("redis-verify")
                .passed()
                .hasEvidenceContaining("canary written, read and deleted");
        StepReport flush = report.step("redis-flush").orElseThrow();
        assertThat(flush.evidence())
                .containsEntry(CacheFlushStep.KEYS_BEFORE, "1200")
                .containsEntry(CacheFlushStep.KEYS_AFTER, "0")
                .containsEntry(CacheFlushStep.SCOPE, "ALL_DATABASES");
        assertThat(flush.withoutSafeguard()).contains(RedisRollback.NO_SAFEGUARD_REASON);
        assertThat(report.step("redis-health").orElseThrow().evidence())
                .containsEntry("health.passed", "true")
                .containsEntry(CacheHealthCheck.ROLE, "master");
        try (Jedis jedis = Servers.client(REDIS.server())) {
            assertThat(jedis.dbSize()).isZero();
            jedis.select(3);
            assertThat(jedis.dbSize()).isZero();
        }
    }

    @Test
    void aDryRunOfTheRunbookFlushOnlyPingsAndDeletesNothing() {
        seed(0, 100);
        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            report = executor.dryRun(
                    Servers.redis(REDIS.server()).runbookPlan(RedisRollback.Recovery.FLUSH), RunRequest.drill("ci"));
        }
        assertThat(report.dryRun()).isTrue();
        assertThat(report.step("redis-flush").orElseThrow().reason()).isEmpty();
        try (Jedis jedis = Servers.client(REDIS.server())) {
            assertThat(jedis.dbSize()).isEqualTo(100);
            assertThat(jedis.keys("rollback:canary*")).isEmpty();
        }
    }

    @Test
    void aDatabaseFlushLeavesTheOtherDatabasesAlone() {
        seed(0, 50);
        seed(2, 30);
        RedisRollback redis = RedisRollback.of(
                RedisEndpoint.from(Servers.endpoint(REDIS.server())).database(2).build());
        TestStepContext context = TestStepContext.of("redis-flush", Duration.ofSeconds(10));
        redis.flush().scope(FlushScope.DATABASE).build().execute(context);
        assertThat(context.evidence())
                .containsEntry(CacheFlushStep.KEYS_BEFORE, "30")
                .containsEntry(CacheFlushStep.KEYS_AFTER, "0");
        try (Jedis jedis = Servers.client(REDIS.server())) {
            assertThat(jedis.dbSize()).isEqualTo(50);
        }
    }

    /** docs/fault-model.md, Redis: crash after a flush before its end record; the re-run is safe and verification decides. */
    @Test
    void aReRunAfterACrashBeforeTheEndRecordIsSafeAndVerificationDecides() {
        seed(0, 500);
        RedisRollback redis = Servers.redis(REDIS.server());
        CacheFlushStep flush = redis.flush().build();
        flush.execute(TestStepContext.of("redis-flush", Duration.ofSeconds(10)));
        // The runner died here: no end record. On resume the idempotent step simply runs again.
        assertThat(flush.tookEffect(TestStepContext.of("redis-flush", Duration.ofSeconds(10))))
                .contains(true);
        TestStepContext again = TestStepContext.of("redis-flush", Duration.ofSeconds(10));
        flush.execute(again);
        assertThat(again.evidence())
                .containsEntry(CacheFlushStep.KEYS_BEFORE, "0")
                .containsEntry(CacheFlushStep.KEYS_AFTER, "0");
        assertThat(redis.verifier()
                        .canaryKey("rollback:canary")
                        .build()
                        .verify(again)
                        .passed())
                .isTrue();
        try (Jedis jedis = Servers.client(REDIS.server())) {
            assertThat(jedis.dbSize()).isZero();
        }
    }

    /** docs/fault-model.md, Redis: down during a flush; bounded retries, then a failure inside the deadline. */
    @Test
    void redisDownDuringAFlushFailsAfterBoundedRetriesInsideTheDeadline() {
        seed(0, 10);
        RedisRollback redis = Servers.redis(REDIS.server());
        REDIS.server().crash();
        Duration timeout = Duration.ofSeconds(20);
        RollbackPlan plan = RollbackPlan.builder(
                        "redis-down", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(
                        redis.flush().build(),
                        s -> s.withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .timeout(timeout)
                                .retry(RetrySettings.custom()
                                        .maxAttempts(3)
                                        .initialBackoff(Duration.ofMillis(100))
                                        .build()))
                .build();

        RollbackReport report = run(plan);

        assertThat(report.outcome()).isEqualTo(RunOutcome.FAILED);
        StepReport flush = report.step("redis-flush").orElseThrow();
        assertThat(flush.outcome()).isEqualTo(StepOutcome.FAILED);
        assertThat(flush.attempts()).hasSize(3);
        for (Attempt attempt : flush.attempts()) {
            assertThat(attempt.failure())
                    .hasValueSatisfying(f -> assertThat(f)
                            .contains("127.0.0.1:" + REDIS.server().port())
                            .containsIgnoringCase("connect"));
        }
        assertThat(flush.reason()).isPresent();
        assertThat(flush.duration()).isLessThan(timeout);
        assertThat(flush.withinBudget()).isTrue();
    }

    /** A crash and restart of Redis in the middle of the run: the retries find it back and the flush completes. */
    @Test
    void aRedisThatCrashesAndComesBackDuringTheRunIsFlushedOnARetry() throws Exception {
        RedisRollback redis = Servers.redis(REDIS.server());
        REDIS.server().crash();
        Thread restarter = new Thread(() -> {
            try {
                Thread.sleep(1200);
                REDIS.server().start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        restarter.start();
        RollbackPlan plan = RollbackPlan.builder(
                        "redis-restart", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(
                        redis.flush().build(),
                        s -> s.withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .timeout(Duration.ofSeconds(30))
                                .retry(RetrySettings.custom()
                                        .maxAttempts(20)
                                        .initialBackoff(Duration.ofMillis(300))
                                        .multiplier(1.0)
                                        .maxBackoff(Duration.ofMillis(300))
                                        .build())
                                .verifier(redis.verifier().build()))
                .build();

        RollbackReport report = run(plan);
        restarter.join();

        assertThat(report).succeeded();
        StepReport flush = report.step("redis-flush").orElseThrow();
        assertThat(flush.attempts().size()).isGreaterThan(1);
        assertThat(flush.attempts().get(0).failure())
                .hasValueSatisfying(f -> assertThat(f).containsIgnoringCase("connect"));
    }
}
