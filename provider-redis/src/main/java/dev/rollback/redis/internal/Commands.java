package dev.rollback.redis.internal;

import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.params.SetParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The few Redis commands this provider sends, over a {@link UnifiedJedis}: a single connection of
 * its own, or a caller's client (e.g. a {@code RedisClient}). {@link #close()} closes an own
 * connection and leaves a caller's client open.
 */
public interface Commands extends AutoCloseable {

    /** PING. */
    String ping();

    /** INFO of one section. */
    String info(String section);

    /** FLUSHALL ASYNC. */
    void flushAllAsync();

    /** FLUSHDB ASYNC. */
    void flushDbAsync();

    /** DBSIZE. */
    long dbSize();

    /** SCAN cursor with params. */
    ScanResult<String> scan(String cursor, ScanParams params);

    /** UNLINK keys. */
    long unlink(String... keys);

    /** SET key value PX millis. */
    void setWithExpiry(String key, String value, long millis);

    /** GET. */
    String get(String key);

    /** DEL. */
    long del(String key);

    @Override
    void close();

    /**
     * Commands through {@code client}; {@link #close()} closes it only if {@code owned} (a
     * connection of the provider's own), and leaves a caller's client open.
     */
    static Commands of(UnifiedJedis client, boolean owned) {
        return new Commands() {
            @Override
            public String ping() {
                return client.ping();
            }

            @Override
            public String info(String section) {
                return client.info(section);
            }

            @Override
            public void flushAllAsync() {
                client.sendCommand(Protocol.Command.FLUSHALL, "ASYNC");
            }

            @Override
            public void flushDbAsync() {
                client.sendCommand(Protocol.Command.FLUSHDB, "ASYNC");
            }

            @Override
            public long dbSize() {
                return client.dbSize();
            }

            @Override
            public ScanResult<String> scan(String cursor, ScanParams params) {
                return client.scan(cursor, params);
            }

            @Override
            public long unlink(String... keys) {
                return client.unlink(keys);
            }

            @Override
            public void setWithExpiry(String key, String value, long millis) {
                client.set(key, value, SetParams.setParams().px(millis));
            }

            @Override
            public String get(String key) {
                return client.get(key);
            }

            @Override
            public long del(String key) {
                return client.del(key);
            }

            @Override
            public void close() {
                if (owned) {
                    client.close();
                }
            }
        };
    }
}
