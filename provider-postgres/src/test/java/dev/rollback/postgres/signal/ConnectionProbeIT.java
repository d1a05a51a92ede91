package dev.rollback.postgres.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rollback.api.Decision;
import dev.rollback.core.clock.ManualClock;
import dev.rollback.core.trigger.DecisionMatrix;
import dev.rollback.core.trigger.RuleState;
import dev.rollback.core.trigger.TriggerEngine;
import dev.rollback.postgres.PostgresEndpoint;
import dev.rollback.postgres.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionProbeIT {

    @Test
    void aProbeWiredToTheTriggerEngineFiresTheRunbooksDatabaseFailoverWhenConnectionsFailForTwoMinutes()
            throws Exception {
        int deadPort = TestDatabases.freePort();
        PostgresEndpoint unreachable =
                TestDatabases.endpoint("postgres").toBuilder().port(deadPort).build();
        ManualClock clock = ManualClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
        try (TriggerEngine engine = TriggerEngine.builder()
                        .matrix(DecisionMatrix.ofDefaults())
                        .clock(clock)
                        .build();
                ConnectionProbe probe = ConnectionProbe.builder()
                        .dataSource(unreachable.dataSource())
                        .onAttempt(engine::recordConnectionAttempt)
                        .build()) {
            List<Decision> decisions = new ArrayList<>();
            for (int i = 0; i < 40 && decisions.isEmpty(); i++) {
                assertThat(probe.probeOnce()).isFalse();
                clock.advance(Duration.ofSeconds(5));
                decisions.addAll(engine.evaluate());
            }
            assertThat(decisions).extracting(Decision::action).contains(DecisionMatrix.DATABASE_FAILOVER);
            assertThat(engine.state(DecisionMatrix.DATABASE_CONNECTION_FAILURES))
                    .isEqualTo(RuleState.FIRING);
        }
    }

    @Test
    void aReachableDatabaseKeepsTheSignalHealthy() throws Exception {
        ManualClock clock = ManualClock.startingAt(Instant.parse("2026-01-01T00:00:00Z"));
        try (TriggerEngine engine = TriggerEngine.builder()
                        .matrix(DecisionMatrix.ofDefaults())
                        .clock(clock)
                        .build();
                ConnectionProbe probe = ConnectionProbe.builder()
                        .dataSource(TestDatabases.endpoint("postgres").dataSource())
                        .onAttempt(engine::recordConnectionAttempt)
                        .build()) {
            List<Decision> decisions = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                assertThat(probe.probeOnce()).isTrue();
                clock.advance(Duration.ofSeconds(5));
                decisions.addAll(engine.evaluate());
            }
            assertThat(decisions).extracting(Decision::action).doesNotContain(DecisionMatrix.DATABASE_FAILOVER);
            assertThat(engine.state(DecisionMatrix.DATABASE_CONNECTION_FAILURES))
                    .isEqualTo(RuleState.HEALTHY);
        }
    }
}
