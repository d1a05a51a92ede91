package dev.rollback.testkit.azure;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every resource of the simulator, by resource group and name, under one lock that the seeding API
 * and the request handlers share. Resource-group and resource names are compared exactly.
 */
final class SimulatedResources {

    /** How far back a seeded flexible server can be restored by default. */
    private static final Duration DEFAULT_RESTORE_WINDOW = Duration.ofDays(7);

    private final Object lock = new Object();
    private final String subscriptionId;
    private final Clock clock;
    private final Map<String, SimulatedWebApp> webApps = new HashMap<>();
    private final Map<String, SimulatedRedisCache> redisCaches = new HashMap<>();
    private final Map<String, SimulatedStorageAccount> storageAccounts = new HashMap<>();
    private final Map<String, SimulatedFlexibleServer> flexibleServers = new HashMap<>();
    private final Map<String, SimulatedCdnEndpoint> cdnEndpoints = new HashMap<>();

    SimulatedResources(String subscriptionId, Clock clock) {
        this.subscriptionId = subscriptionId;
        this.clock = clock;
    }

    Object lock() {
        return lock;
    }

    Clock clock() {
        return clock;
    }

    String subscriptionId() {
        return subscriptionId;
    }

    /** The ARM id of a resource: {@code /subscriptions/../resourceGroups/../providers/<type>/<name>}. */
    String resourceId(String resourceGroup, String type, String name) {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup + "/providers/" + type + "/"
                + name;
    }

    SimulatedWebApp webApp(String resourceGroup, String name) {
        synchronized (lock) {
            return webApps.computeIfAbsent(
                    key(resourceGroup, name), k -> new SimulatedWebApp(lock, resourceGroup, name));
        }
    }

    SimulatedRedisCache redisCache(String resourceGroup, String name) {
        synchronized (lock) {
            return redisCaches.computeIfAbsent(
                    key(resourceGroup, name), k -> new SimulatedRedisCache(lock, resourceGroup, name));
        }
    }

    SimulatedStorageAccount storageAccount(String resourceGroup, String name) {
        synchronized (lock) {
            return storageAccounts.computeIfAbsent(
                    key(resourceGroup, name),
                    k -> new SimulatedStorageAccount(lock, resourceGroup, name, clock.instant()));
        }
    }

    SimulatedFlexibleServer flexibleServer(String resourceGroup, String name) {
        synchronized (lock) {
            return flexibleServers.computeIfAbsent(
                    key(resourceGroup, name),
                    k -> new SimulatedFlexibleServer(
                            lock, resourceGroup, name, clock.instant().minus(DEFAULT_RESTORE_WINDOW)));
        }
    }

    SimulatedCdnEndpoint cdnEndpoint(String resourceGroup, String profile, String name, boolean frontDoor) {
        synchronized (lock) {
            return cdnEndpoints.computeIfAbsent(
                    cdnKey(resourceGroup, profile, name, frontDoor),
                    k -> new SimulatedCdnEndpoint(lock, resourceGroup, profile, name, frontDoor));
        }
    }

    Optional<SimulatedCdnEndpoint> findCdnEndpoint(
            String resourceGroup, String profile, String name, boolean frontDoor) {
        synchronized (lock) {
            return Optional.ofNullable(cdnEndpoints.get(cdnKey(resourceGroup, profile, name, frontDoor)));
        }
    }

    private static String cdnKey(String resourceGroup, String profile, String name, boolean frontDoor) {
        return resourceGroup + "/" + profile + "/" + (frontDoor ? "afd:" : "cdn:") + name;
    }

    Optional<SimulatedWebApp> findWebApp(String resourceGroup, String name) {
        synchronized (lock) {
            return Optional.ofNullable(webApps.get(key(resourceGroup, name)));
        }
    }

    Optional<SimulatedRedisCache> findRedisCache(String resourceGroup, String name) {
        synchronized (lock) {
            return Optional.ofNullable(redisCaches.get(key(resourceGroup, name)));
        }
    }

    Optional<SimulatedStorageAccount> findStorageAccount(String resourceGroup, String name) {
        synchronized (lock) {
            return Optional.ofNullable(storageAccounts.get(key(resourceGroup, name)));
        }
    }

    Optional<SimulatedFlexibleServer> findFlexibleServer(String resourceGroup, String name) {
        synchronized (lock) {
            return Optional.ofNullable(flexibleServers.get(key(resourceGroup, name)));
        }
    }

    void removeFlexibleServer(String resourceGroup, String name) {
        synchronized (lock) {
            flexibleServers.remove(key(resourceGroup, name));
        }
    }

    private static String key(String resourceGroup, String name) {
        return resourceGroup + "/" + name;
    }
}
