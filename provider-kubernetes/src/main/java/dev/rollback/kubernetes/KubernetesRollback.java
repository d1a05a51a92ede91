package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.internal.Arguments;
import dev.rollback.kubernetes.internal.Kube;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Entry class of the Kubernetes provider: the handle on a cluster's API server that the steps of this
 * package use, the runbook's objectives, and the builders of its steps and of the runbook's two plan
 * fragments (the frontend and the API server rollbacks).
 *
 * <pre>{@code
 * try (KubernetesRollback k8s = KubernetesRollback.fromStandardConfig()) {   // kubeconfig, or in-cluster
 *     RollbackPlan plan = k8s.apiServerPlan(ApiServerRunbook.builder()...build());
 *     report = executor.run(plan, RunRequest.manual("on-call"));
 * }
 * }</pre>
 *
 * <p>Credentials come from the standard places: {@link #fromStandardConfig()} reads what
 * {@code kubectl} reads ({@code KUBECONFIG} or {@code ~/.kube/config}, else the in-cluster service
 * account), {@link #fromKubeconfig(Path, String)} one file and context; {@link #ofKubernetesClient}
 * is the only method of this provider that takes a fabric8 type, for an application that built its
 * client itself. Tokens, client keys and the kubeconfig's content never appear in a log, a report,
 * evidence or an exception message: the provider puts only object names, statuses and the API
 * server's own error reasons there.
 *
 * <p>The clients this class builds retry a failed request {@value #CLIENT_RETRIES} times themselves
 * (fabric8 retries 429, 5xx and I/O errors with backoff from 100 ms); what still fails reaches the
 * steps, which report it as transient for the executor to retry within the step's deadline. Immutable
 * and thread-safe; closing it closes the client it built (never one passed to
 * {@link #ofKubernetesClient}). It never deletes anything in the cluster.
 */
public final class KubernetesRollback implements AutoCloseable {
    /** The runbook's frontend component. */
    public static final String FRONTEND = "frontend";
    /** The runbook's API server component. */
    public static final String API_SERVER = "api-server";
    /** The runbook's frontend budgets: RTO 2 minutes, RPO 0 (stateless). */
    public static final RecoveryObjectives FRONTEND_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(2));
    /** The runbook's API server budgets: RTO 3 minutes, RPO 0 (stateless). */
    public static final RecoveryObjectives API_SERVER_OBJECTIVES = RecoveryObjectives.stateless(Duration.ofMinutes(3));
    /** How many times the clients this class builds retry a request themselves. */
    public static final int CLIENT_RETRIES = 2;
    /** The request timeout of the clients this class builds, in seconds. */
    public static final int REQUEST_TIMEOUT_SECONDS = 10;

    private final Kube kube;

    private KubernetesRollback(Kube kube) {
        this.kube = kube;
    }

    /**
     * A cluster as {@code kubectl} finds it: the {@code KUBECONFIG} files or {@code ~/.kube/config}
     * (current context), else the service account of the pod this runs in.
     *
     * @throws RollbackException {@code CREDENTIAL_PROBLEM} if no configuration is usable
     */
    public static KubernetesRollback fromStandardConfig() {
        Config config;
        try {
            config = Config.autoConfigure(null);
        } catch (RuntimeException e) {
            throw new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM,
                    "no usable Kubernetes configuration (kubeconfig or in-cluster service account): "
                            + e.getClass().getSimpleName());
        }
        return of(config);
    }

    /**
     * A cluster from one kubeconfig file, with its current context.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} if the file cannot be read or parsed (the
     *     message names the file, never its content)
     */
    public static KubernetesRollback fromKubeconfig(Path kubeconfig) {
        return fromKubeconfig(kubeconfig, Optional.empty());
    }

    /**
     * A cluster from one kubeconfig file and one of its contexts.
     *
     * @throws RollbackException {@code INVALID_CONFIGURATION} if the file cannot be read or parsed or has
     *     no such context (the message names the file and the context, never the content)
     */
    public static KubernetesRollback fromKubeconfig(Path kubeconfig, String context) {
        return fromKubeconfig(kubeconfig, Optional.of(Arguments.requireText(context, "context")));
    }

    private static KubernetesRollback fromKubeconfig(Path kubeconfig, Optional<String> context) {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        try {
            Files.newInputStream(kubeconfig).close(); // only whether it can be read: the client reads it below
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "kubeconfig " + kubeconfig + " cannot be read ("
                            + e.getClass().getSimpleName() + ")");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context.orElse(null), kubeconfig.toFile());
        } catch (RuntimeException e) {
            // never the parser's message: it may quote the file, token included
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "kubeconfig " + kubeconfig
                            + context.map(c -> " (context " + c + ")").orElse("") + " cannot be used ("
                            + e.getClass().getSimpleName() + ")");
        }
        if (context.isPresent()
                && (config.getCurrentContext() == null
                        || !context.get().equals(config.getCurrentContext().getName()))) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "kubeconfig " + kubeconfig + " has no context '" + context.get() + "'");
        }
        return of(config);
    }

    private static KubernetesRollback of(Config config) {
        config.setRequestRetryBackoffLimit(CLIENT_RETRIES);
        config.setRequestTimeout(REQUEST_TIMEOUT_SECONDS * 1000);
        KubernetesClient client =
                new KubernetesClientBuilder().withConfig(config).build();
        return new KubernetesRollback(Kube.of(client, true));
    }

    /**
     * The provider over a client the application built (its configuration, retries and timeouts
     * apply): the one factory that takes a fabric8 type. The client stays the caller's to close.
     */
    public static KubernetesRollback ofKubernetesClient(KubernetesClient client) {
        return new KubernetesRollback(Kube.of(Objects.requireNonNull(client, "client"), false));
    }

    Kube kube() {
        return kube;
    }

    /** A builder of an {@link ImageRollbackStep} on this cluster. */
    public ImageRollbackStep.Builder imageRollback() {
        return ImageRollbackStep.builder(this);
    }

    /** A builder of a {@link RolloutVerifier} on this cluster. */
    public RolloutVerifier.Builder rolloutVerifier() {
        return RolloutVerifier.builder(this);
    }

    /** A builder of a {@link ManifestApplyStep} on this cluster. */
    public ManifestApplyStep.Builder manifestApply() {
        return ManifestApplyStep.builder(this);
    }

    /** A builder of a {@link ScaleStep} on this cluster. */
    public ScaleStep.Builder scale() {
        return ScaleStep.builder(this);
    }

    /** A builder of a {@link TrafficSwitchStep} (Service selector, blue/green) on this cluster. */
    public TrafficSwitchStep.Builder trafficSwitch() {
        return TrafficSwitchStep.builder(this);
    }

    /** A builder of a {@link GatewayRoutingStep} (Gateway API HTTPRoute) on this cluster. */
    public GatewayRoutingStep.Builder gatewayRouting() {
        return GatewayRoutingStep.builder(this);
    }

    /**
     * The runbook's frontend rollback as a whole plan named after the fragment, with
     * {@link #FRONTEND_OBJECTIVES} for the plan and the component.
     */
    public RollbackPlan frontendPlan(FrontendRunbook runbook) {
        Objects.requireNonNull(runbook, "runbook");
        return addFrontendFragment(RollbackPlan.builder(runbook.planName(), FRONTEND_OBJECTIVES), runbook)
                .build();
    }

    /**
     * Adds the runbook's "Frontend Application Rollback" to {@code plan}, blue/green: the standby
     * Deployment is brought to the stable image ({@code image-rollback}), scaled when replicas are given
     * ({@code scale-standby}), its rollout waited for ({@code rollout}, with the stall timeout), the
     * Service's selector moved to it ({@code switch-traffic}, verified by the health check), and the
     * CDN's static assets purged ({@code purge-cdn}, when configured). The Deployment that served
     * before keeps running, untouched, so switching back is one selector change. The component gets
     * {@link #FRONTEND_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     */
    public RollbackPlan.Builder addFrontendFragment(RollbackPlan.Builder plan, FrontendRunbook runbook) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runbook, "runbook");
        String c = runbook.component();
        String p = runbook.stepIdPrefix();
        ImageRollbackStep.Builder image = imageRollback()
                .id(p + "image-rollback")
                .component(c)
                .namespace(runbook.namespace())
                .deployment(runbook.standbyDeployment())
                .target(runbook.image());
        runbook.container().ifPresent(image::container);
        ImageRollbackStep imageStep = image.build();
        plan.component(c, FRONTEND_OBJECTIVES).step(imageStep);
        String before = imageStep.id();
        if (runbook.replicas().isPresent()) {
            ScaleStep scale = scale().id(p + "scale-standby")
                    .component(c)
                    .namespace(runbook.namespace())
                    .deployment(runbook.standbyDeployment())
                    .replicas(runbook.replicas().get())
                    .awaitReplicas(false)
                    .build();
            plan.step(scale, s -> s.dependsOn(imageStep.id()));
            before = scale.id();
        }
        String afterImage = before;
        RollbackStep rollout = rolloutVerifier()
                .name(p + "standby-rollout")
                .namespace(runbook.namespace())
                .deployment(runbook.standbyDeployment())
                .pollInterval(runbook.pollInterval())
                .build()
                .asStep(p + "rollout", c);
        plan.step(rollout, s -> s.dependsOn(afterImage).stallTimeout(runbook.rolloutStallTimeout()));
        TrafficSwitchStep traffic = trafficSwitch()
                .id(p + "switch-traffic")
                .component(c)
                .namespace(runbook.namespace())
                .service(runbook.service())
                .targetDeployment(runbook.standbyDeployment())
                .build();
        plan.step(traffic, s -> s.dependsOn(rollout.id()).verifier(runbook.healthCheck()));
        if (runbook.cdn().isPresent()) {
            CdnPurgeStep.Builder purge = CdnPurgeStep.builder(runbook.cdn().get())
                    .id(p + "purge-cdn")
                    .component(c)
                    .endpoint(runbook.cdnEndpoint().orElseThrow())
                    .pollInterval(runbook.pollInterval());
            runbook.purgePaths().forEach(purge::addContentPath);
            plan.step(purge.build(), s -> s.dependsOn(traffic.id()));
        }
        return plan;
    }

    /**
     * The runbook's API server rollback as a whole plan named after the fragment, with
     * {@link #API_SERVER_OBJECTIVES} for the plan and the component.
     */
    public RollbackPlan apiServerPlan(ApiServerRunbook runbook) {
        Objects.requireNonNull(runbook, "runbook");
        return addApiServerFragment(RollbackPlan.builder(runbook.planName(), API_SERVER_OBJECTIVES), runbook)
                .build();
    }

    /**
     * Adds the runbook's "API Server Rollback" to {@code plan}, in the order a careful operator keeps
     * (the runbook scales the current Deployment to 0 first, which leaves the API with no server until
     * the stable one is ready and routed to): apply the stable manifest beside the current version
     * ({@code apply-stable}), wait for its rollout ({@code stable-rollout}, with the stall timeout, and
     * the stable health check when given), route the API gateway to it ({@code route-gateway}, verified
     * by the public health check), and only then scale the current Deployment to 0
     * ({@code scale-down-current}, unless switched off). A failure anywhere before the route leaves
     * traffic on the current version; a failed public health check leaves the current version running
     * to route back to. The component gets {@link #API_SERVER_OBJECTIVES}.
     *
     * @return {@code plan}, for chaining
     * @throws IllegalArgumentException if the manifest holds the current Deployment (the fragment would
     *     scale down what it just applied) or lacks the stable one
     * @throws RollbackException {@code INVALID_CONFIGURATION} if the manifest cannot be read or parsed
     */
    public RollbackPlan.Builder addApiServerFragment(RollbackPlan.Builder plan, ApiServerRunbook runbook) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(runbook, "runbook");
        String c = runbook.component();
        String p = runbook.stepIdPrefix();
        ManifestApplyStep apply = manifestApply()
                .id(p + "apply-stable")
                .component(c)
                .manifest(runbook.manifest())
                .namespace(runbook.namespace())
                .fieldManager(runbook.fieldManager())
                .force(runbook.force())
                .build();
        List<HasMetadata> objects = apply.objects();
        if (objects.stream().anyMatch(o -> isDeployment(o, runbook.currentDeployment()))) {
            throw new IllegalArgumentException("the stable manifest "
                    + runbook.manifest().source()
                    + " holds deployment '" + runbook.currentDeployment() + "', the current one this fragment scales"
                    + " down last; deploy the stable version as a Deployment of its own");
        }
        if (objects.stream().noneMatch(o -> isDeployment(o, runbook.stableDeployment()))) {
            throw new IllegalArgumentException("the stable manifest "
                    + runbook.manifest().source() + " holds no deployment '" + runbook.stableDeployment() + "'");
        }
        RollbackStep rollout = rolloutVerifier()
                .name(p + "stable-rollout")
                .namespace(runbook.namespace())
                .deployment(runbook.stableDeployment())
                .pollInterval(runbook.pollInterval())
                .build()
                .asStep(p + "stable-rollout", c);
        GatewayRoutingStep.Builder route = gatewayRouting()
                .id(p + "route-gateway")
                .component(c)
                .namespace(runbook.namespace())
                .route(runbook.route())
                .backend(runbook.stableService());
        runbook.port().ifPresent(route::port);
        GatewayRoutingStep routeStep = route.build();
        plan.component(c, API_SERVER_OBJECTIVES)
                .step(apply)
                .step(rollout, s -> {
                    s.dependsOn(apply.id()).stallTimeout(runbook.rolloutStallTimeout());
                    runbook.stableHealthCheck().ifPresent(s::verifier);
                })
                .step(routeStep, s -> s.dependsOn(rollout.id()).verifier(runbook.healthCheck()));
        if (runbook.scaleDownCurrent()) {
            plan.step(
                    scale().id(p + "scale-down-current")
                            .component(c)
                            .namespace(runbook.namespace())
                            .deployment(runbook.currentDeployment())
                            .replicas(0)
                            .pollInterval(runbook.pollInterval())
                            .build(),
                    s -> s.dependsOn(routeStep.id()));
        }
        return plan;
    }

    private static boolean isDeployment(HasMetadata o, String name) {
        return "Deployment".equals(o.getKind()) && name.equals(o.getMetadata().getName());
    }

    /** Closes the client this provider built; a client passed to {@link #ofKubernetesClient} stays open. */
    @Override
    public void close() {
        kube.close();
    }

    /** The API server's URL; never a credential. */
    @Override
    public String toString() {
        return "KubernetesRollback[" + kube.server() + "]";
    }
}
