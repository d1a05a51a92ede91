package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import dev.rollback.testkit.TestStepContext;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SwitchableDataSourceIT {
    private PostgresEndpoint production;
    private PostgresEndpoint restored;

    @BeforeEach
    void databases() throws Exception {
        production = TestDatabases.create("prod");
        restored = TestDatabases.create("restored");
    }

    private static String database(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_database()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void theSwitchStepPointsNewConnectionsAtTheRestoredDatabaseAndDrainsTheOldOnes() throws Exception {
        SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), "production");
        Connection returnedInTime = app.getConnection();
        Connection heldTooLong = app.getConnection();
        assertThat(database(heldTooLong)).isEqualTo(production.database());

        ConnectionSwitchStep step = ConnectionSwitchStep.builder()
                .switchable(app)
                .target(restored)
                .drainTimeout(Duration.ofSeconds(2))
                .build();
        TestStepContext context = TestStepContext.of("connection-switch", Duration.ofMinutes(1));
        // Returned during the drain: once the switch happened (not after a fixed sleep, which a loaded
        // machine turns into "before the switch" or "after the drain").
        Thread closer = new Thread(() -> {
            try {
                long giveUp = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!app.currentLabel().equals(restored.describe()) && System.nanoTime() < giveUp) {
                    Thread.sleep(1);
                }
                Thread.sleep(100); // the switch counts the borrowed connections just after it swaps
                returnedInTime.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        step.execute(context);
        closer.join();

        try (Connection fresh = app.getConnection()) {
            assertThat(database(fresh)).isEqualTo(restored.database());
            assertThat(app.openConnections()).isEqualTo(1);
        }
        assertThat(app.openConnections()).isZero();
        assertThat(context.evidence())
                .containsEntry(ConnectionSwitchStep.FROM, "production")
                .containsEntry(ConnectionSwitchStep.TO, restored.describe())
                .containsEntry(ConnectionSwitchStep.DRAINED, "1")
                .containsEntry(ConnectionSwitchStep.FORCED, "1");
        assertThatThrownBy(() -> database(heldTooLong)).isInstanceOf(SQLException.class);
        assertThat(step.tookEffect(context)).contains(true);
    }

    @Test
    void noConnectionToTheOldDatabaseIsHandedOutAfterTheSwitchUnderLoad() throws Exception {
        SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), "production");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        AtomicBoolean switched = new AtomicBoolean();
        Set<String> afterSwitch = ConcurrentHashMap.newKeySet();
        CountDownLatch running = new CountDownLatch(4);
        AtomicBoolean stop = new AtomicBoolean();
        for (int i = 0; i < 4; i++) {
            pool.submit(() -> {
                running.countDown();
                while (!stop.get()) {
                    boolean wasSwitched = switched.get();
                    try (Connection c = app.getConnection()) {
                        String db = database(c);
                        if (wasSwitched) {
                            afterSwitch.add(db);
                        }
                    } catch (SQLException e) {
                        // a connection closed by the drain: the application sees an error, never the old server
                    }
                }
                return null;
            });
        }
        running.await();
        Thread.sleep(200);
        app.switchTo(restored.dataSource(), "restored", Duration.ofSeconds(5));
        switched.set(true);
        // Until the readers have had connections after the switch (a loaded machine may need more than a moment).
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (afterSwitch.isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        Thread.sleep(300);
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        assertThat(afterSwitch).containsExactly(restored.database());
    }

    @Test
    void anUnreachableTargetIsNotSwitchedTo() throws Exception {
        int deadPort = TestDatabases.freePort();
        SwitchableDataSource app = SwitchableDataSource.of(production.dataSource(), "production");
        PostgresEndpoint nowhere = restored.toBuilder().port(deadPort).build();
        assertThatThrownBy(() -> ConnectionSwitchStep.builder()
                        .switchable(app)
                        .target(nowhere)
                        .build()
                        .execute(TestStepContext.of("connection-switch", Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("is not reachable; not switched")
                .hasMessageNotContaining(restored.password().reveal());
        assertThat(app.currentLabel()).isEqualTo("production");
        try (Connection c = app.getConnection()) {
            assertThat(database(c)).isEqualTo(production.database());
        }
    }
}
