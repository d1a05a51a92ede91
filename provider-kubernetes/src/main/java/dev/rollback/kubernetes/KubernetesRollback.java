package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackException;
import dev.rollback.kubernetes.internal.Kube;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
        return fromKubeconfig(
                kubeconfig, Optional.of(dev.rollback.api.internal.Arguments.requireText(context, "context")));
    }

    private static KubernetesRollback fromKubeconfig(Path kubeconfig, Optional<String> context) {
        Objects.requireNonNull(kubeconfig, "kubeconfig");
        String content;
        try {
            content = Files.readString(kubeconfig);
        } catch (IOException e) {
            throw new RollbackException(
                    ErrorCode.INVALID_CONFIGURATION,
                    "kubeconfig " + kubeconfig + " cannot be read ("
                            + e.getClass().getSimpleName() + ")");
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context.orElse(null), content, kubeconfig.toString());
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
