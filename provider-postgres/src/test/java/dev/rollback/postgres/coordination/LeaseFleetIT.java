package dev.rollback.postgres.coordination;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.spi.RunLease;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import dev.rollback.testkit.fault.FaultProxy;
import dev.rollback.testkit.postgres.PgBouncer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A fleet simulation: 1,000 nodes (threads), each with its own {@link LockMode#LEASE} lock and so its own
 * connection, all through one transaction-mode PgBouncer with 20 server connections, answer 50 incident
 * keys (20 nodes per key). A node waits for its key's lease, and with it runs the key's incident unless a
 * run of it is already recorded (a late trigger: nothing runs); the run's write is fenced by the lease row
 * (it only lands while the node's token holds the key). Five keys start held by a node whose connection then
 * goes silent (the testkit's fault proxy between it and PgBouncer drops every byte, as a host that died
 * without closing its sockets): it stops renewing.
 *
 * <p>Invariants: one run per key, on the node that held its lease; no two holds of a key overlap on the
 * database's clock; each silent holder's key is taken over within the lock's documented
 * {@link PostgresRunLock#takeoverBound() bound} (plus one acquisition round trip on this loaded machine) of
 * the silence, with a greater token, and its lease says it is lost.
 */
class LeaseFleetIT {
    private static final int NODES = 1_000;
    private static final int KEYS = 50;
    private static final int SILENT = 5;
    private static final Duration LEASE_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY = Duration.ofSeconds(2);
    /** One acquisition round trip through PgBouncer with a thousand clients on a busy two-core machine. */
    private static final Duration ROUND_TRIP = Duration.ofSeconds(3);

    @Test
    void aThousandNodesThroughPgBouncerRunEachOfFiftyIncidentsOnceAndTakeOverSilentHoldersWithinTheBound()
            throws Exception {
        PostgresEndpoint direct = TestDatabases.create("fleet");
        TestDatabases.sql(
                direct,
                "CREATE TABLE fleet_runs(lock_key text PRIMARY KEY, token bigint NOT NULL, node int NOT NULL)",
                "CREATE TABLE fleet_holds(lock_key text, token bigint, node int, since timestamptz, until timestamptz)");
        lock(direct).tryAcquire("schema", Duration.ZERO).orElseThrow().close(); // the lock's tables, once
        try (PgBouncer bouncer = PgBouncer.builder(TestDatabases.server())
                .poolSize(20)
                .clientAuth("md5")
                .maxClientConnections(NODES + 200)
                .build()) {
            bouncer.start();
            PostgresEndpoint pooled = direct.toBuilder()
                    .host(bouncer.host())
                    .port(bouncer.port())
                    .password(Secret.of(bouncer.password()))
                    .build();

            // The fleet is up before the incident: each node has built its lock, its connection open (warmed
            // on a key of its own). Logins are paced (four at a time) and use md5 to PgBouncer: a thousand
            // SCRAM logins are seconds of key stretching on this machine, not what this test is about. The incidents'
            // own work (the fenced run, the record of
            // each hold) goes through a pool of 20 direct connections the nodes share.
            BlockingQueue<Connection> workPool = new ArrayBlockingQueue<>(20);
            for (int i = 0; i < 20; i++) {
                workPool.add(direct.connect());
            }
            long rampBegan = System.nanoTime();
            Node[] fleet = new Node[NODES];
            ExecutorService ramp = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> ready = new ArrayList<>();
                for (int n = 0; n < NODES; n++) {
                    int node = n;
                    ready.add(ramp.submit(() -> {
                        fleet[node] = Node.start(pooled, node, workPool);
                        return null;
                    }));
                }
                for (Future<?> f : ready) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                ramp.shutdownNow();
            }
            System.out.printf(
                    "LeaseFleetIT: %d nodes up in %d ms%n", NODES, (System.nanoTime() - rampBegan) / 1_000_000);

            List<FaultProxy> proxies = new ArrayList<>();
            List<RunLease> silent = new ArrayList<>();
            try {
                for (int k = 0; k < SILENT; k++) {
                    FaultProxy proxy = FaultProxy.start(bouncer.host(), bouncer.port());
                    proxies.add(proxy);
                    PostgresEndpoint throughProxy = pooled.toBuilder()
                            .host(proxy.host())
                            .port(proxy.port())
                            .build();
                    silent.add(
                            lock(throughProxy).tryAcquire(key(k), Duration.ZERO).orElseThrow());
                }
                long silentSince = System.nanoTime();
                proxies.forEach(FaultProxy::blackhole);

                Map<String, Long> firstTakenAt = new ConcurrentHashMap<>();
                Map<String, Long> firstToken = new ConcurrentHashMap<>();
                ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
                AtomicInteger handledElsewhere = new AtomicInteger();
                AtomicInteger storeRefusals = new AtomicInteger();
                AtomicInteger lostLeases = new AtomicInteger();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> nodes = new ArrayList<>();
                for (Node node : fleet) {
                    String key = key(node.id % KEYS);
                    Thread t = new Thread(
                            null,
                            () -> {
                                try {
                                    go.await();
                                    Thread.sleep(ThreadLocalRandom.current().nextLong(RETRY.toMillis()));
                                    Hold hold = Hold.LOST;
                                    while (hold == Hold.LOST) {
                                        RunLease lease = node.acquire(key, storeRefusals);
                                        firstTakenAt.putIfAbsent(key, System.nanoTime());
                                        firstToken.putIfAbsent(key, lease.fencingToken());
                                        try {
                                            hold = node.hold(key, lease);
                                        } finally {
                                            lease.close();
                                        }
                                        if (hold == Hold.LOST) {
                                            lostLeases.incrementAndGet();
                                        }
                                    }
                                    if (hold == Hold.HANDLED_ELSEWHERE) {
                                        handledElsewhere.incrementAndGet();
                                    }
                                } catch (Throwable e) {
                                    failures.add(e);
                                }
                            },
                            "fleet-node-" + node.id,
                            256 * 1024);
                    nodes.add(t);
                    t.start();
                }
                go.countDown();
                for (Thread t : nodes) {
                    t.join(Duration.ofSeconds(90).toMillis());
                    assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
                }
                System.out.printf(
                        "LeaseFleetIT: %d attempts met a store too slow to answer within the lock's reply timeout"
                                + " (failed closed, retried); %d leases were lost before their work (nothing"
                                + " written, taken again)%n",
                        storeRefusals.get(), lostLeases.get());
                assertThat(failures).as("nodes that failed").isEmpty();

                assertThat(TestDatabases.queryLong(direct, "SELECT count(*) FROM fleet_runs"))
                        .as("runs")
                        .isEqualTo(KEYS);
                assertThat(handledElsewhere.get())
                        .as("nodes that found their incident handled")
                        .isEqualTo(NODES - KEYS);
                assertThat(TestDatabases.queryLong(direct, "SELECT count(*) FROM fleet_holds"))
                        .as("holds recorded (a lost lease before its work records none)")
                        .isEqualTo(NODES);
                assertThat(TestDatabases.queryLong(
                                direct,
                                "SELECT count(*) FROM fleet_holds a JOIN fleet_holds b ON a.lock_key = b.lock_key"
                                        + " AND a.token < b.token AND b.since < a.until"))
                        .as("holds of one key that overlap")
                        .isZero();
                assertThat(TestDatabases.queryLong(
                                direct,
                                "SELECT count(*) FROM fleet_runs r JOIN fleet_holds h ON h.lock_key = r.lock_key"
                                        + " AND h.token = r.token AND h.node = r.node"))
                        .as("runs made by the holder of their key's lease")
                        .isEqualTo(KEYS);

                Duration bound = lock(pooled).takeoverBound();
                for (int k = 0; k < SILENT; k++) {
                    RunLease old = silent.get(k);
                    Duration takeover = Duration.ofNanos(firstTakenAt.get(key(k)) - silentSince);
                    System.out.printf(
                            "LeaseFleetIT: %s taken over %d ms after its holder went silent (bound %d ms)%n",
                            key(k), takeover.toMillis(), bound.toMillis());
                    assertThat(takeover)
                            .as("takeover of %s against the documented bound %s", key(k), bound)
                            .isLessThanOrEqualTo(bound.plus(ROUND_TRIP));
                    assertThat(firstToken.get(key(k))).isGreaterThan(old.fencingToken());
                    assertThat(old.isHeld()).as("the silent holder's lease").isFalse();
                }
            } finally {
                proxies.forEach(FaultProxy::close);
                silent.forEach(RunLease::close);
                for (Connection c : workPool) {
                    c.close();
                }
            }
        }
    }

    /** One node of the fleet: its lock (and so its own lock connection), and the shared work pool. */
    private static final class Node {
        private final int id;
        private final PostgresRunLock lock;
        private final BlockingQueue<Connection> workPool;

        private Node(int id, PostgresRunLock lock, BlockingQueue<Connection> workPool) {
            this.id = id;
            this.lock = lock;
            this.workPool = workPool;
        }

        static Node start(PostgresEndpoint pooled, int id, BlockingQueue<Connection> workPool) throws Exception {
            PostgresRunLock lock = lock(pooled);
            lock.tryAcquire("warm/" + id, Duration.ZERO).orElseThrow().close();
            return new Node(id, lock, workPool);
        }

        /** Waits for {@code key}; a store too slow to answer fails the attempt closed, and the node tries again. */
        RunLease acquire(String key, AtomicInteger storeRefusals) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.isNegative()) {
                    throw new AssertionError("node " + id + " never got " + key);
                }
                try {
                    Optional<RunLease> lease = lock.tryAcquire(key, left);
                    if (lease.isPresent()) {
                        return lease.get();
                    }
                } catch (RollbackException e) {
                    if (e.code() != ErrorCode.LOCK_UNAVAILABLE) {
                        throw e;
                    }
                    storeRefusals.incrementAndGet();
                    Thread.sleep(RETRY.toMillis());
                }
            }
        }

        /**
         * The node's hold of {@code key}: runs the incident unless a run is recorded (then false), the run's
         * write fenced by the lease row; records the hold's span on the database's clock.
         */
        Hold hold(String key, RunLease lease) throws SQLException, InterruptedException {
            Connection work = workPool.take();
            try {
                return hold(work, key, lease);
            } finally {
                workPool.add(work);
            }
        }

        private Hold hold(Connection work, String key, RunLease lease) throws SQLException {
            Timestamp since = now(work);
            Hold hold = Hold.HANDLED_ELSEWHERE;
            if (!exists(work, "SELECT 1 FROM fleet_runs WHERE lock_key = ?", key)) {
                if (!lease.isHeld()) {
                    // a renewal went unanswered within the reply timeout: the node counts the key lost and
                    // does nothing with it (the fenced write below would be refused anyway)
                    return Hold.LOST;
                }
                try (PreparedStatement ps = work.prepareStatement("INSERT INTO fleet_runs(lock_key, token, node)"
                        + " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM rollback.run_leases WHERE lock_key = ?"
                        + " AND token = ? AND expires_at > now())")) {
                    ps.setString(1, key);
                    ps.setLong(2, lease.fencingToken());
                    ps.setInt(3, id);
                    ps.setString(4, key);
                    ps.setLong(5, lease.fencingToken());
                    if (ps.executeUpdate() != 1) {
                        return Hold.LOST;
                    }
                }
                hold = Hold.RAN;
            }
            try (PreparedStatement ps = work.prepareStatement("INSERT INTO fleet_holds(lock_key, token, node, since,"
                    + " until) VALUES (?, ?, ?, ?, clock_timestamp())")) {
                ps.setString(1, key);
                ps.setLong(2, lease.fencingToken());
                ps.setInt(3, id);
                ps.setTimestamp(4, since);
                ps.executeUpdate();
            }
            return hold;
        }
    }

    /** What a node's hold of its key came to. */
    private enum Hold {
        RAN,
        HANDLED_ELSEWHERE,
        LOST
    }

    private static Timestamp now(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getTimestamp(1);
        }
    }

    private static boolean exists(Connection c, String sql, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static String key(int k) {
        return "incident/fleet-" + k;
    }

    private static PostgresRunLock lock(PostgresEndpoint endpoint) {
        return PostgresRunLock.builder(endpoint)
                .mode(LockMode.LEASE)
                .leaseTimeout(LEASE_TIMEOUT)
                .retryInterval(RETRY)
                .build();
    }
}
