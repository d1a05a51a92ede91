package dev.rollback.azure.appservice;

import com.azure.resourcemanager.appservice.AppServiceManager;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.azure.appservice.internal.WebApps;
import dev.rollback.http.HealthCheckVerifier;
import java.time.Duration;
import java.util.Objects;

/**
 * Entry class of the App Service provider: the handle on the Azure control plane that the steps of
 * this package use, and a builder of the runbook's App Service plan fragment.
 *
 * <p>{@link #ofAppServiceManager(AppServiceManager)} is the only public method of this provider that
 * takes an Azure SDK type. Build the manager yourself (credential, {@code AzureProfile}, HTTP client)
 * with rollback-azure's {@code DeadlineAwareRetryPolicy} as its retry policy:
 * {@code AppServiceManager.configure().withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()).authenticate(credential, profile)}
 * (with an {@code AzureResourceManager} built the same way, pass {@code azure.webApps().manager()}).
 * The factory refuses a manager that retries with azure-core's own policy, which would send a swap
 * again after a lost answer and wait whatever {@code Retry-After} a server sends. Every call of a
 * step carries the step's deadline to that policy: no try, retry or server-asked wait outlives it,
 * and the swap is never re-sent (see {@link SlotSwapStep} for how its unknown outcomes are settled).
 * The manager's poll interval (the fluent libraries' delay provider) paces the swap's polls when
 * Azure sends no {@code Retry-After}.
 *
 * <p>Immutable and thread-safe; one instance may serve many plans and runs. It never creates,
 * deletes, stops or starts a web app or a slot.
 */
public final class AppServiceRollback {
    /** The runbook's App Service budgets: RTO 5 minutes, RPO 0 (stateless). */
    public static final RecoveryObjectives RUNBOOK_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(5));

    private final WebApps webApps;

    private AppServiceRollback(WebApps webApps) {
        this.webApps = webApps;
    }

    /**
     * The provider over a pre-built App Service manager: the one factory that accepts an SDK client.
     *
     * @param manager the manager, with its credential and pipeline already configured; with an
     *     {@code AzureResourceManager}, {@code azure.webApps().manager()}
     * @return the entry point of this provider
     * @throws IllegalArgumentException if the manager's pipeline does not retry with exactly one
     *     {@code DeadlineAwareRetryPolicy}, naming what to change
     */
    public static AppServiceRollback ofAppServiceManager(AppServiceManager manager) {
        return new AppServiceRollback(WebApps.of(Objects.requireNonNull(manager, "manager")));
    }

    WebApps webApps() {
        return webApps;
    }

    /** A builder of a {@link TrafficRoutingStep} on this control plane. */
    public TrafficRoutingStep.Builder trafficRouting() {
        return TrafficRoutingStep.builder(this);
    }

    /** A builder of a {@link SlotStateCheck} on this control plane. */
    public SlotStateCheck.Builder slotStateCheck() {
        return SlotStateCheck.builder(this);
    }

    /** A builder of a {@link SlotSwapStep} on this control plane. */
    public SlotSwapStep.Builder slotSwap() {
        return SlotSwapStep.builder(this);
    }

    /**
     * The runbook's App Service rollback as a whole plan named after the fragment, with
     * {@link #RUNBOOK_OBJECTIVES} for the plan and the component.
     */
    public RollbackPlan runbookPlan(AppServiceRunbook runbook) {
        Objects.requireNonNull(runbook, "runbook");
        return addRunbookSteps(RollbackPlan.builder(runbook.planName(), RUNBOOK_OBJECTIVES), runbook)
                .build();
    }

    /**
     * Adds the runbook's App Service steps to {@code plan}, in the runbook's order: route traffic to
     * the backup slot ({@code route-traffic}; its preflight refuses a backup slot that is not
     * running, and it routes nothing when production already serves the right version), check the backup slot is running ({@code check-backup-slot}), swap it into
     * production ({@code swap-slots}, preflight: the same check), then clear the traffic routing
     * ({@code clear-traffic-routing}: after the swap the backup slot serves the version being rolled
     * back, so leaving 100 % routed to it would undo the rollback), and verify the health endpoint
     * after that last step, inside its deadline. The component gets {@link #RUNBOOK_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addRunbookSteps(RollbackPlan.Builder plan, AppServiceRunbook runbook) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runbook, "runbook");
        String c = runbook.component();
        String p = runbook.stepIdPrefix();
        SlotStateCheck check = slotStateCheck()
                .resourceGroup(runbook.resourceGroup())
                .app(runbook.app())
                .slot(runbook.backupSlot())
                .build();
        TrafficRoutingStep.Builder routeBuilder = trafficRouting()
                .id(p + "route-traffic")
                .component(c)
                .resourceGroup(runbook.resourceGroup())
                .app(runbook.app())
                .slot(runbook.backupSlot())
                .percentage(runbook.percentage());
        runbook.expectedVersion().ifPresent(routeBuilder::expectedVersion);
        runbook.brokenVersion().ifPresent(routeBuilder::brokenVersion);
        TrafficRoutingStep route = routeBuilder.build();
        SlotSwapStep.Builder swapBuilder = slotSwap()
                .id(p + "swap-slots")
                .component(c)
                .resourceGroup(runbook.resourceGroup())
                .app(runbook.app())
                .slot(runbook.backupSlot());
        runbook.expectedVersion().ifPresent(swapBuilder::expectedVersion);
        runbook.brokenVersion().ifPresent(swapBuilder::brokenVersion);
        SlotSwapStep swap = swapBuilder.build();
        TrafficRoutingStep clear = trafficRouting()
                .id(p + "clear-traffic-routing")
                .component(c)
                .resourceGroup(runbook.resourceGroup())
                .app(runbook.app())
                .slot(runbook.backupSlot())
                .percentage(0)
                .build();
        HealthCheckVerifier health = runbook.healthCheck();
        plan.component(c, RUNBOOK_OBJECTIVES)
                .step(route)
                .step(check.asStep(p + "check-backup-slot", c), s -> s.dependsOn(route.id()))
                .step(swap, s -> s.dependsOn(p + "check-backup-slot"))
                .step(clear, s -> s.dependsOn(swap.id()).verifier(health));
        return plan;
    }

    @Override
    public String toString() {
        return "AppServiceRollback";
    }
}
