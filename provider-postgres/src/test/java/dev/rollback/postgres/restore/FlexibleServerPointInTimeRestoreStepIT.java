package dev.rollback.postgres.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.RollbackException;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.SimulatedFlexibleServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FlexibleServerPointInTimeRestoreStepIT {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static AzureControlPlaneSimulator simulator;
    private static FlexibleServerControlPlane controlPlane;
    private String source;
    private String target;

    @BeforeAll
    static void simulator() {
        simulator = AzureControlPlaneSimulator.builder().build();
        simulator.start();
        controlPlane =
                FlexibleServerControlPlane.ofPostgreSqlManager(AzureSimulatorClients.postgreSqlManager(simulator));
    }

    @AfterAll
    static void stop() {
        simulator.close();
    }

    @BeforeEach
    void servers() {
        int n = COUNTER.incrementAndGet();
        source = "pg-src-" + n;
        target = "pg-restored-" + n;
        simulator
                .flexibleServer("rg1", source)
                .earliestRestoreDate(Instant.now().minus(Duration.ofDays(3)));
        simulator.resetRequests();
    }

    private FlexibleServerPointInTimeRestoreStep step(Instant pointInTime) {
        return FlexibleServerPointInTimeRestoreStep.builder()
                .controlPlane(controlPlane)
                .resourceGroup("rg1")
                .sourceServer(source)
                .targetServer(target)
                .pointInTime(pointInTime)
                .build();
    }

    private static TestStepContext context() {
        return TestStepContext.of("point-in-time-restore", Duration.ofMinutes(1));
    }

    @Test
    void createsANewServerFromTheSourceAtTheInstantAndNamesItsEndpoint() {
        Instant at = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        TestStepContext context = context();
        step(at).execute(context);

        SimulatedFlexibleServer restored =
                simulator.findFlexibleServer("rg1", target).orElseThrow();
        assertThat(restored.restorePointInTime()).contains(at);
        assertThat(restored.restoredFrom())
                .hasValueSatisfying(id -> assertThat(id).endsWith("/flexibleServers/" + source));
        assertThat(restored.state()).isEqualTo("Ready");
        assertThat(context.evidence())
                .containsEntry(FlexibleServerPointInTimeRestoreStep.SERVER_NAME, target)
                .containsEntry(FlexibleServerPointInTimeRestoreStep.FQDN, target + ".postgres.database.azure.com")
                .containsEntry(FlexibleServerPointInTimeRestoreStep.STATE, "Ready")
                .containsEntry("restore.targetTime", at.toString());
        assertThat(simulator
                        .requests()
                        .matching("PUT", "/flexibleServers/" + source)
                        .count())
                .isZero();
        assertThat(simulator
                        .requests()
                        .matching("PUT", "/flexibleServers/" + target)
                        .count())
                .isEqualTo(1);
    }

    @Test
    void refusesAnInstantInTheFutureBeforeAnyCall() {
        assertThatThrownBy(() -> step(Instant.now().plusSeconds(600)).execute(context()))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("is in the future");
        assertThat(simulator.requests().count()).isZero();
    }

    @Test
    void refusesAnInstantBeforeTheEarliestRestoreDateWithoutChangingAnything() {
        Instant earliest =
                simulator.findFlexibleServer("rg1", source).orElseThrow().earliestRestoreDate();
        assertThatThrownBy(() -> step(earliest.minusSeconds(1)).execute(context()))
                .hasMessageContaining("is outside the restore window of " + source + ": " + earliest);
        assertThat(simulator
                        .requests()
                        .matching("PUT", "/flexibleServers/" + target)
                        .count())
                .isZero();
        assertThat(simulator.findFlexibleServer("rg1", target)).isEmpty();
    }

    @Test
    void refusesAnInstantOlderThanTheRetentionEvenAfterTheEarliestRestoreDate() {
        simulator
                .flexibleServer("rg1", source)
                .earliestRestoreDate(Instant.now().minus(Duration.ofDays(30)));
        assertThatThrownBy(() -> step(Instant.now().minus(Duration.ofDays(10))).execute(context()))
                .hasMessageContaining("retention 7 days");
        assertThat(simulator.findFlexibleServer("rg1", target)).isEmpty();
    }

    @Test
    void acceptsTheEarliestRestoreDateItself() {
        Instant earliest =
                simulator.findFlexibleServer("rg1", source).orElseThrow().earliestRestoreDate();
        step(earliest).execute(context());
        assertThat(simulator.findFlexibleServer("rg1", target).orElseThrow().restorePointInTime())
                .contains(earliest);
    }

    @Test
    void aRetryAdoptsItsOwnRestoreInsteadOfCreatingASecond() {
        Instant at = Instant.now().minus(Duration.ofHours(1));
        step(at).execute(context());
        TestStepContext retry = context();
        step(at).execute(retry);
        assertThat(retry.evidence()).containsEntry("restore.adopted", "true");
        assertThat(simulator
                        .requests()
                        .matching("PUT", "/flexibleServers/" + target)
                        .count())
                .isEqualTo(1);
    }

    @Test
    void neverOverwritesAServerThatIsNotItsRestoreNorTheSource() {
        simulator.flexibleServer("rg1", target);
        assertThatThrownBy(() -> step(Instant.now().minusSeconds(60)).execute(context()))
                .hasMessageContaining("already exists in rg1 and is not a restore of " + source);
        assertThatThrownBy(() -> FlexibleServerPointInTimeRestoreStep.builder()
                        .sourceServer("pg-a")
                        .targetServer("pg-a")
                        .controlPlane(controlPlane)
                        .resourceGroup("rg1")
                        .pointInTime(Instant.now())
                        .build())
                .hasMessageContaining("never overwrites its source");
    }
}
