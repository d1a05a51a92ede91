package dev.rollback.postgres.restore;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.resourcemanager.postgresqlflexibleserver.fluent.ServersClient;
import com.azure.resourcemanager.postgresqlflexibleserver.fluent.models.ServerInner;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureFault;
import dev.rollback.testkit.azure.AzureOperation;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.azure.SimulatedFlexibleServer;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Azure flexible-server restore with the real SDK against the testkit's control-plane simulator.
 * The fault tests read the restored server again through the SDK afterwards and compare it with the
 * report.
 */
class FlexibleServerPointInTimeRestoreStepIT {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final DeadlineAwareRetryPolicy POLICY = DeadlineAwareRetryPolicy.builder()
            .retry(RetrySettings.custom()
                    .maxAttempts(4)
                    .initialBackoff(Duration.ofMillis(10))
                    .maxBackoff(Duration.ofMillis(50))
                    .jitter(0)
                    .build())
            .build();
    private static AzureControlPlaneSimulator simulator;
    private static FlexibleServerControlPlane controlPlane;
    /** An independent SDK client that reads the servers after a run. */
    private static ServersClient sdk;

    private String source;
    private String target;

    @BeforeAll
    static void simulator() {
        simulator = AzureControlPlaneSimulator.builder().build();
        simulator.start();
        controlPlane = FlexibleServerControlPlane.ofPostgreSqlManager(
                AzureSimulatorClients.postgreSqlManager(simulator, POLICY));
        sdk = AzureSimulatorClients.postgreSqlManager(simulator).serviceClient().getServers();
    }

    private String sourceId() {
        return "/subscriptions/" + simulator.subscriptionId() + "/resourceGroups/rg1/providers/"
                + "Microsoft.DBforPostgreSQL/flexibleServers/" + source;
    }

    private long creates() {
        return simulator
                .requests()
                .matching("PUT", "/flexibleServers/" + target)
                .count();
    }

    private static RollbackReport run(FlexibleServerPointInTimeRestoreStep step) {
        RollbackPlan plan = RollbackPlan.builder(
                        "pitr", RecoveryObjectives.of(Duration.ofMinutes(5), Duration.ofMinutes(5)))
                .step(step, s -> s.timeout(Duration.ofMinutes(1)))
                .build();
        try (RollbackExecutor executor = RollbackExecutor.ofDefaults()) {
            return executor.run(plan, RunRequest.drill("pitr-it"));
        }
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
                .hasMessageContaining("already exists in rg1")
                .hasMessageContaining("is not the restore of " + source)
                .hasMessageContaining("it says nothing of a source");
        assertThatThrownBy(() -> FlexibleServerPointInTimeRestoreStep.builder()
                        .sourceServer("pg-a")
                        .targetServer("pg-a")
                        .controlPlane(controlPlane)
                        .resourceGroup("rg1")
                        .pointInTime(Instant.now())
                        .build())
                .hasMessageContaining("never overwrites its source");
    }

    @Test
    void aLostAnswerOnTheRestoreIsAdoptedInTheSameRunAndTheServerIsCreatedOnce() {
        // The fault model's "reset after accept": Azure starts the restore, the answer never arrives.
        simulator.inject(AzureOperation.FLEXIBLE_SERVER_CREATE, AzureFault.resetAfterAccepting());
        Instant at = Instant.now().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);

        RollbackReport report = run(step(at));

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        StepReport restore = report.step("point-in-time-restore").orElseThrow();
        assertThat(restore.attempts()).hasSize(1);
        assertThat(creates()).as("the create was never sent again").isEqualTo(1);
        assertThat(restore.evidence())
                .containsEntry(FlexibleServerPointInTimeRestoreStep.ADOPTED, "true")
                .containsEntry(FlexibleServerPointInTimeRestoreStep.STATE, "Ready")
                .hasEntrySatisfying(
                        FlexibleServerPointInTimeRestoreStep.RECONCILED,
                        r -> assertThat(r)
                                .contains("outcome is unknown")
                                .contains("after the request was sent")
                                .contains("adopted"));
        // The report agrees with Azure, read again through the SDK.
        ServerInner server = sdk.getByResourceGroup("rg1", target);
        assertThat(server.id()).isEqualTo(restore.evidence().get(FlexibleServerPointInTimeRestoreStep.SERVER_ID));
        assertThat(server.state().toString()).isEqualTo("Ready");
        assertThat(server.sourceServerResourceId()).isEqualToIgnoringCase(sourceId());
        assertThat(server.tags())
                .containsEntry(
                        FlexibleServerControlPlane.POINT_TAG, restore.evidence().get("restore.targetTime"));
        assertThat(simulator.findFlexibleServer("rg1", target).orElseThrow().restorePointInTime())
                .contains(at);
    }

    @Test
    void aServerRestoredFromTheSameSourceToAnotherPointIsNeverAdopted() {
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant other = at.minus(Duration.ofMinutes(30));
        simulator
                .flexibleServer("rg1", target)
                .restoredFrom(sourceId(), other)
                .tags(Map.of(
                        FlexibleServerControlPlane.SOURCE_TAG,
                        sourceId(),
                        FlexibleServerControlPlane.POINT_TAG,
                        other.toString()));

        assertThatThrownBy(() -> step(at).execute(context()))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("is not the restore of " + source + " to " + at)
                .hasMessageContaining("it was restored to " + other)
                .hasMessageContaining("never adopted nor overwritten");
        assertThat(creates()).isZero();
    }

    @Test
    void aServerFromTheSameSourceThatDoesNotShowItsRestorePointIsNeverAdopted() {
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        simulator.flexibleServer("rg1", target).restoredFrom(sourceId(), at); // Azure does not echo pointInTimeUTC

        assertThatThrownBy(() -> step(at).execute(context()))
                .hasMessageContaining("nothing shows which point in time it was restored to");
        assertThat(creates()).isZero();
    }

    @Test
    void a409OnTheCreateIsSettledByAdoptingTheServerWhenItIsThisRestore() {
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        // This restore exists already (an earlier create was accepted) but the first read of the
        // target misses it, so the step sends the create and Azure answers 409 ServerAlreadyExists.
        simulator
                .flexibleServer("rg1", target)
                .restoredFrom(sourceId(), at)
                .tags(Map.of(
                        FlexibleServerControlPlane.SOURCE_TAG,
                        sourceId(),
                        FlexibleServerControlPlane.POINT_TAG,
                        at.toString()));
        missTheFirstReadOfTheTarget();
        TestStepContext context = context();

        step(at).execute(context);

        assertThat(creates()).isEqualTo(1);
        assertThat(simulator
                        .requests()
                        .matching("PUT", "/flexibleServers/" + target)
                        .last()
                        .status())
                .isEqualTo(409);
        assertThat(context.evidence())
                .containsEntry(FlexibleServerPointInTimeRestoreStep.ADOPTED, "true")
                .hasEntrySatisfying(
                        FlexibleServerPointInTimeRestoreStep.RECONCILED,
                        r -> assertThat(r).contains("409 ServerAlreadyExists"));
    }

    @Test
    void a409ForAServerRestoredToAnotherPointFailsNamingItAndAdoptsNothing() {
        Instant at = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS);
        Instant other = at.minus(Duration.ofMinutes(5));
        simulator
                .flexibleServer("rg1", target)
                .restoredFrom(sourceId(), other)
                .tags(Map.of(
                        FlexibleServerControlPlane.SOURCE_TAG,
                        sourceId(),
                        FlexibleServerControlPlane.POINT_TAG,
                        other.toString()));
        missTheFirstReadOfTheTarget();
        TestStepContext context = context();

        assertThatThrownBy(() -> step(at).execute(context))
                .hasMessageContaining("409 ServerAlreadyExists")
                .hasMessageContaining("it was restored to " + other);
        assertThat(context.evidence()).doesNotContainKey(FlexibleServerPointInTimeRestoreStep.ADOPTED);
    }

    /** A stale read: the target's first GET answers 404 (a WireMock scenario above the simulator's stub), later ones the truth. */
    private void missTheFirstReadOfTheTarget() {
        String path = "/subscriptions/" + simulator.subscriptionId() + "/resourceGroups/rg1/providers/"
                + "Microsoft.DBforPostgreSQL/flexibleServers/" + target;
        String scenario = "stale-read-" + target;
        simulator
                .wireMock()
                .stubFor(get(urlPathEqualTo(path))
                        .atPriority(1)
                        .inScenario(scenario)
                        .whenScenarioStateIs(Scenario.STARTED)
                        .willSetStateTo("read")
                        .willReturn(aResponse()
                                .withStatus(404)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"error\":{\"code\":\"ResourceNotFound\",\"message\":\"not found\"}}")));
    }
}
