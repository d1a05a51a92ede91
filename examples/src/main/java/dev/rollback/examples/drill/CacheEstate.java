package dev.rollback.examples.drill;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.redis.RedisEndpoint;
import dev.rollback.redis.RedisRollback;
import dev.rollback.redis.SelectiveInvalidationStep;
import dev.rollback.testkit.redis.RedisServer;
import java.util.function.Consumer;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The AdvisorOS cache as the drill sees it: a local Redis holding the clients the application
 * cached from the database (corrupt ones too, once the bad migration ran) and the users' sessions.
 * After a point-in-time recovery, the cached clients are invalidated (SCAN + UNLINK, never KEYS),
 * so the application reads them again from the restored database; sessions are kept.
 */
final class CacheEstate implements AutoCloseable {
    static final String STEP = "invalidate-client-cache";
    private static final int CLIENTS = 300;
    private static final int SESSIONS = 40;

    private final RedisServer server;
    private final Consumer<String> say;
    private RedisRollback redis;

    private CacheEstate(Consumer<String> say) {
        this.say = say;
        this.server = RedisServer.builder().build();
    }

    static CacheEstate start(Consumer<String> say) {
        CacheEstate estate = new CacheEstate(say);
        try {
            estate.load();
        } catch (RuntimeException e) {
            estate.close();
            throw e;
        }
        return estate;
    }

    private void load() {
        server.start();
        say.accept("starting a local Redis on port " + server.port());
        redis = RedisRollback.of(RedisEndpoint.builder()
                .host(server.host())
                .port(server.port())
                .password(Secret.of(server.password()))
                .build());
        try (Jedis jedis = jedis()) {
            for (int i = 1; i <= CLIENTS; i++) {
                jedis.set("client:" + i, i % 3 == 0 ? "" : "client " + i);
            }
            for (int i = 1; i <= SESSIONS; i++) {
                jedis.set("session:" + i, "user" + i);
            }
        }
    }

    /**
     * Adds the client cache's invalidation to {@code plan} after step {@code after} (the connection
     * switch: invalidated before it, the cache would be filled again from the corrupt database),
     * under the runbook's Redis objectives, verified with a canary write-read-delete.
     */
    RollbackPlan.Builder addCacheInvalidation(RollbackPlan.Builder plan, String after) {
        SelectiveInvalidationStep invalidate = redis.selectiveInvalidation()
                .id(STEP)
                .component(RedisRollback.COMPONENT)
                .addPattern("client:*")
                .batchSize(100)
                .build();
        return plan.component(RedisRollback.COMPONENT, RedisRollback.RUNBOOK_OBJECTIVES)
                .step(
                        invalidate,
                        s -> s.dependsOn(after)
                                .withoutSafeguard(RedisRollback.NO_SAFEGUARD_REASON)
                                .verifier(redis.verifier()
                                        .canaryKey("rollback:canary")
                                        .build()));
    }

    /** How many clients and sessions the cache holds now. */
    String whatTheCacheHolds() {
        try (Jedis jedis = jedis()) {
            return String.format(
                    "the cache holds %d clients and %d sessions", count(jedis, "client:*"), count(jedis, "session:*"));
        }
    }

    private static long count(Jedis jedis, String pattern) {
        long n = 0;
        String cursor = ScanParams.SCAN_POINTER_START;
        ScanParams params = new ScanParams().match(pattern).count(500);
        do {
            ScanResult<String> page = jedis.scan(cursor, params);
            n += page.getResult().size();
            cursor = page.getCursor();
        } while (!ScanParams.SCAN_POINTER_START.equals(cursor));
        return n;
    }

    private Jedis jedis() {
        return new Jedis(
                new HostAndPort(server.host(), server.port()),
                DefaultJedisClientConfig.builder().password(server.password()).build());
    }

    @Override
    public void close() {
        server.close();
    }
}
