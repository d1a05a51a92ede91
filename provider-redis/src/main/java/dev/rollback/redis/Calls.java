package dev.rollback.redis;

import dev.rollback.api.StepContext;
import dev.rollback.redis.internal.Commands;
import dev.rollback.redis.internal.RedisFailures;
import java.time.Duration;
import java.util.function.Function;

/** Runs Redis commands on a connection of this cache and maps its failures; package-private. */
final class Calls {
    private static final Duration LONGEST_READ = Duration.ofMinutes(5);

    private Calls() {}

    /** Runs {@code work} on a fresh connection (or the caller's client); reads wait at most the time the step has left. */
    static <T> T call(RedisRollback redis, StepContext context, String what, Function<Commands, T> work) {
        Duration read = LONGEST_READ;
        Duration remaining = context.remaining();
        if (!remaining.isZero() && remaining.compareTo(read) < 0) {
            read = remaining;
        }
        try (Commands jedis = redis.connections().open(read)) {
            return work.apply(jedis);
        } catch (RuntimeException e) {
            throw RedisFailures.translate(what, redis.connections().describe(), e);
        }
    }

    /** The number of keys in every database, from {@code INFO keyspace}. */
    static long keysInAllDatabases(Commands jedis) {
        long total = 0;
        for (String line : jedis.info("keyspace").split("\r?\n")) {
            int keys = line.indexOf("keys=");
            if (line.startsWith("db") && keys >= 0) {
                int end = line.indexOf(',', keys);
                total += Long.parseLong(line.substring(keys + 5, end < 0 ? line.length() : end));
            }
        }
        return total;
    }
}
