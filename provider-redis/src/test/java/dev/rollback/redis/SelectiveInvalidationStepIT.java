package dev.rollback.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.StepInterruptedException;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

class SelectiveInvalidationStepIT {
    @RegisterExtension
    static final ServerExtension<RedisServer> REDIS = RedisServer.extension();

    private static final int SESSIONS = 3_000;
    private static final int PRICES = 500;
    private static final int OTHERS = 6_500;

    /** 10,000 keys: 3,000 session:*, 500 price:v41:*, 6,500 others (among them near misses). */
    @BeforeEach
    void seed() {
        try (Jedis jedis = Servers.client(REDIS.server())) {
            jedis.flushAll();
            Pipeline p = jedis.pipelined();
            for (int i = 0; i < SESSIONS; i++) {
                p.set("session:" + i, "s");
            }
            for (int i = 0; i < PRICES; i++) {
                p.hset("price:v41:" + i, "amount", "1");
            }
            for (int i = 0; i < OTHERS - 3; i++) {
                p.set("user:" + i, "u");
            }
            p.set("sessions", "near miss");
            p.set("price:v42:1", "other version");
            p.set("xsession:1", "prefix differs");
            p.sync();
            assertThat(jedis.dbSize()).isEqualTo(10_000);
        }
    }

    private static Set<String> allKeys() {
        Set<String> keys = new HashSet<>();
        try (Jedis jedis = Servers.client(REDIS.server())) {
            String cursor = ScanParams.SCAN_POINTER_START;
            do {
                ScanResult<String> page = jedis.scan(cursor, new ScanParams().count(1000));
                keys.addAll(page.getResult());
                cursor = page.getCursor();
            } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        }
        return keys;
    }

    private static SelectiveInvalidationStep step() {
        return Servers.redis(REDIS.server())
                .selectiveInvalidation()
                .addPattern("session:*")
                .addPattern("price:v41:*")
                .batchSize(250)
                .build();
    }

    @Test
    void deletesExactlyTheMatchingKeysAndNoOthers() {
        TestStepContext context = TestStepContext.of("redis-invalidate", Duration.ofSeconds(30));
        step().execute(context);

        Set<String> left = allKeys();
        assertThat(left).hasSize(OTHERS);
        assertThat(left).noneMatch(k -> k.startsWith("session:") || k.startsWith("price:v41:"));
        assertThat(left).contains("sessions", "price:v42:1", "xsession:1", "user:0", "user:" + (OTHERS - 4));
        assertThat(context.evidence())
                .containsEntry(SelectiveInvalidationStep.KEYS_DELETED, "3500")
                .containsEntry(SelectiveInvalidationStep.KEYS_DELETED_BY_PATTERN, "session:*=3000; price:v41:*=500");
        assertThat(Long.parseLong(context.evidence().get(SelectiveInvalidationStep.SCAN_BATCHES)))
                .isGreaterThan(2);
        assertThat(context.progress())
                .as("a report per batch that unlinked keys")
                .hasSizeGreaterThan(2)
                .anyMatch(p -> p.contains("keys matching 'session:*'"))
                .last()
                .asString()
                .startsWith("unlinked 500 keys matching 'price:v41:*'");
    }

    @Test
    void stopsAtACheckpointBetweenBatchesAndARerunFinishesTheJob() {
        TestStepContext interrupted =
                TestStepContext.of("redis-invalidate", Duration.ofSeconds(30)).stopAfterCheckpoints(4);
        assertThatThrownBy(() -> step().execute(interrupted)).isInstanceOf(StepInterruptedException.class);
        Set<String> afterStop = allKeys();
        assertThat(afterStop.size()).isLessThan(10_000).isGreaterThan(OTHERS);

        TestStepContext rerun = TestStepContext.of("redis-invalidate", Duration.ofSeconds(30));
        step().execute(rerun);
        assertThat(allKeys()).hasSize(OTHERS).noneMatch(k -> k.startsWith("session:") || k.startsWith("price:v41:"));
        assertThat(Long.parseLong(rerun.evidence().get(SelectiveInvalidationStep.KEYS_DELETED)))
                .isEqualTo(afterStop.size() - OTHERS);

        TestStepContext third = TestStepContext.of("redis-invalidate", Duration.ofSeconds(30));
        step().execute(third);
        assertThat(third.evidence()).containsEntry(SelectiveInvalidationStep.KEYS_DELETED, "0");
    }
}
