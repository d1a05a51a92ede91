package dev.rollback.examples.drill;

import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.redis.AzureRedisControlPlane;
import dev.rollback.redis.CacheVerifier;
import dev.rollback.redis.RedisEndpoint;
import dev.rollback.redis.RedisRollback;
import dev.rollback.redis.SelectiveInvalidationStep;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
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
 * so the application reads them again from the restored database; sessions are kept. In a region
 * outage the cache is recovered as the runbook says: its health read, a force reboot of all nodes
 * through the Azure SDK on the simulated control plane (a watcher plays Azure's part: it restarts
 * the local Redis, empty, once the simulator records the reboot), verified by a canary write.
 */
final class CacheEstate implements AutoCloseable {
    static final String STEP = "invalidate-client-cache";
    static final String CACHE = "advisoros-prod-redis";
    private static final int CLIENTS = 300;
    private static final int SESSIONS = 40;

    private final RedisServer server;
    private final Consumer<String> say;
    private RedisRollback redis;
    private volatile Thread rebooter;

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

    /**
     * Adds the runbook's Redis cache rollback to {@code plan}: {@code redis-health}, then
     * {@code redis-force-reboot} of all nodes through the Azure SDK against {@code azure}, verified
     * by {@code redis-verify} (PING and a canary write-read-delete).
     */
    RollbackPlan.Builder addCacheRecovery(RollbackPlan.Builder plan, AzureControlPlaneSimulator azure) {
        azure.redisCache(ApplicationEstate.RG, CACHE).provisioningState("Succeeded");
        playAzuresPart(azure);
        return redis.withAzureCache(
                        AzureRedisControlPlane.ofRedisManager(
                                AzureSimulatorClients.resourceManager(azure, DeadlineAwareRetryPolicy.ofDefaults())
                                        .redisCaches()
                                        .manager()),
                        ApplicationEstate.RG,
                        CACHE)
                .addRunbookFragment(plan, RedisRollback.Recovery.FORCE_REBOOT);
    }

    /** Restarts the local Redis (empty, as a rebooted cache without persistence) once the simulator records a reboot. */
    private void playAzuresPart(AzureControlPlaneSimulator azure) {
        Thread thread = new Thread(
                () -> {
                    try {
                        while (azure.redisCache(ApplicationEstate.RG, CACHE)
                                .reboots()
                                .isEmpty()) {
                            Thread.sleep(20);
                        }
                        Thread.sleep(100);
                        server.crash();
                        Thread.sleep(150);
                        server.start();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "drill-azure-redis-reboot");
        thread.setDaemon(true);
        thread.start();
        rebooter = thread;
    }

    /** The cache's health check for the post-rollback verification: PING and a canary write-read-delete. */
    CacheVerifier health() {
        return redis.verifier()
                .name("cache-health")
                .canaryKey("rollback:health-canary")
                .build();
    }

    /** The cache's document index goes stale in the region outage: entries for documents that changed. */
    void staleDocumentIndex() {
        try (Jedis jedis = jedis()) {
            for (int i = 1; i <= 60; i++) {
                jedis.set("document:" + i, "stale");
            }
        }
    }

    /** The server's run id and what it holds now. */
    String whatTheRebootLeft() {
        try (Jedis jedis = jedis()) {
            String runId = jedis.info("server")
                    .lines()
                    .filter(l -> l.startsWith("run_id:"))
                    .map(l -> l.substring("run_id:".length()).trim())
                    .findFirst()
                    .orElse("?");
            return String.format(
                    "the cache was rebooted %d time(s), runs as %s…, holds %d stale document entries, %d sessions",
                    rebooter == null || rebooter.isAlive() ? 0 : 1,
                    runId.substring(0, Math.min(8, runId.length())),
                    count(jedis, "document:*"),
                    count(jedis, "session:*"));
        }
    }

    /** Caches {@code n} OAuth tokens under {@code prefix}. */
    void seedTokens(String prefix, int n) {
        try (Jedis jedis = jedis()) {
            for (int i = 1; i <= n; i++) {
                jedis.set(prefix + i, "token-" + i);
            }
        }
    }

    /** A step that clears the keys matching {@code pattern} (SCAN + UNLINK), as component {@code component}. */
    SelectiveInvalidationStep tokenClear(String id, String component, String pattern) {
        return redis.selectiveInvalidation()
                .id(id)
                .component(component)
                .addPattern(pattern)
                .batchSize(100)
                .build();
    }

    /** How many keys match {@code pattern} now. */
    long count(String pattern) {
        try (Jedis jedis = jedis()) {
            return count(jedis, pattern);
        }
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
        Thread thread = rebooter;
        if (thread != null) {
            thread.interrupt();
        }
        server.close();
    }
}
