package dev.rollback.redis;

import static dev.rollback.testkit.assertions.RollbackAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.event.Slf4jRollbackListener;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.fault.CanaryScanner;
import dev.rollback.testkit.fault.SecretCanaries;
import dev.rollback.testkit.redis.RedisServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** docs/fault-model.md, security: the Redis password never shows in a report, an exception message or a log. */
class RedisSecretsIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static final Path LOG = Path.of(System.getProperty("user.dir"), "target", "provider-redis-tests.log");

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor =
                RollbackExecutor.builder().listener(new Slf4jRollbackListener()).build()) {
            return executor.run(plan, RunRequest.drill("ci"));
        }
    }

    private static void flushLogs() {
        // Logback's FileAppender writes through at once (immediateFlush); the logger lookup only makes sure it is set
        // up.
        LoggerFactory.getLogger(RedisSecretsIT.class).info("scanning the test log for secrets");
    }

    @Test
    void theRightPasswordNeverReachesTheReportOrTheLog() {
        SecretCanaries generated = SecretCanaries.generate();
        SecretCanaries canaries = new SecretCanaries(
                generated.password(),
                generated.connectionString(),
                generated.azureClientSecret(),
                generated.oauthSecret(),
                REDIS.server().password());
        CanaryScanner scanner = CanaryScanner.of(canaries);
        RedisRollback redis = Servers.redis(REDIS.server());

        RollbackReport report = run(redis.runbookPlan(RedisRollback.Recovery.FLUSH));

        assertThat(report).succeeded();
        String json = JsonReportRenderer.render(report);
        assertThat(scanner.scan("report", json)).isEmpty();
        assertThat(scanner.scan(
                        "toString", redis + " " + redis.flush().build() + " " + Servers.endpoint(REDIS.server())))
                .isEmpty();
        flushLogs();
        assertThat(scanner.scan(LOG)).isEmpty();
        assertThat(scanner.scanCommandLines()).isEmpty();
    }

    @Test
    void aRefusedPasswordIsACredentialProblemThatNamesNoPasswordAnywhere() {
        SecretCanaries canaries = SecretCanaries.generate();
        CanaryScanner scanner = CanaryScanner.of(canaries);
        RedisRollback wrong = RedisRollback.of(RedisEndpoint.from(Servers.endpoint(REDIS.server()))
                .password(Secret.of(canaries.redisPassword()))
                .build());
        CacheFlushStep flush = wrong.flush().build();

        assertThatThrownBy(() -> flush.execute(TestStepContext.of("redis-flush", Duration.ofSeconds(5))))
                .isInstanceOfSatisfying(RollbackException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
                    assertThat(e.getMessage()).contains("credential problem");
                    assertThat(scanner.scan("exception", String.valueOf(e.getMessage()) + e.getCause()))
                            .isEmpty();
                });
        assertThat(wrong.healthCheck()
                        .build()
                        .verify(TestStepContext.of("h", Duration.ofSeconds(5)))
                        .observed())
                .contains("credential problem")
                .doesNotContain(canaries.redisPassword());

        RollbackReport report = run(RollbackPlan.builder(
                        "redis-wrong-password", RecoveryObjectives.of(Duration.ofMinutes(1), Duration.ofMinutes(5)))
                .step(
                        flush,
                        s -> s.withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .verifier(wrong.verifier().build()))
                .verifier(wrong.healthCheck().build())
                .build());

        StepReport failed = report.step("redis-flush").orElseThrow();
        assertThat(failed.attempts()).hasSize(1);
        assertThat(failed.reason()).hasValueSatisfying(r -> assertThat(r).contains("credential problem"));
        assertThat(scanner.scan("report", JsonReportRenderer.render(report))).isEmpty();
        flushLogs();
        assertThat(scanner.scan(LOG)).isEmpty();
    }
}
