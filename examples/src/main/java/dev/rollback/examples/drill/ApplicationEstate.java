package dev.rollback.examples.drill;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rollback.api.RecoveryObjectives;
import dev.rollback.api.RollbackPlan;
import dev.rollback.azure.DeadlineAwareRetryPolicy;
import dev.rollback.azure.appservice.AppServiceRollback;
import dev.rollback.azure.appservice.AppServiceRunbook;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.kubernetes.ApiServerRunbook;
import dev.rollback.kubernetes.AzureCdnControlPlane;
import dev.rollback.kubernetes.CdnEndpoint;
import dev.rollback.kubernetes.FrontendRunbook;
import dev.rollback.kubernetes.KubernetesRollback;
import dev.rollback.kubernetes.Manifest;
import dev.rollback.testkit.azure.AzureControlPlaneSimulator;
import dev.rollback.testkit.azure.AzureSimulatorClients;
import dev.rollback.testkit.kubernetes.KubernetesMockApiServer;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The AdvisorOS application as the drill sees it: an App Service with its backup slot on the
 * simulated Azure control plane, the Next.js frontend (blue/green Deployments behind a Service,
 * static assets on an Azure CDN endpoint) and the tRPC API server (behind a Gateway API route) on
 * a mocked Kubernetes API, and the health endpoints, which answer from what those really serve.
 * Builds the runbook's application rollback: the three fragments in one plan, run in parallel.
 */
final class ApplicationEstate implements AutoCloseable {
    static final String RG = "advisoros-prod-primary-rg";
    static final String APP = "advisoros-prod-app";
    static final String SLOT = "blue-previous";
    static final String BROKEN = "DOCKER|advisoros:v42";
    static final String PREVIOUS = "DOCKER|advisoros:v41";
    static final String NS = "advisoros";
    private static final Map<String, String> BLUE = Map.of("app", "advisoros-web", "color", "blue");
    private static final Map<String, String> GREEN = Map.of("app", "advisoros-web", "color", "green");
    private static final String STABLE_WEB_IMAGE = "advisoros/web-app:v41";

    private final AzureControlPlaneSimulator azure;
    private final KubernetesMockApiServer kube;
    private final KubernetesRollback kubernetes;
    private final AppServiceRollback appService;
    private final AzureCdnControlPlane cdn;
    private final HttpServer health;

    private ApplicationEstate(Path work, Consumer<String> say) throws IOException {
        say.accept("starting the Azure control-plane simulator");
        azure = AzureControlPlaneSimulator.builder().start();
        say.accept("starting the Kubernetes mock API server");
        kube = KubernetesMockApiServer.start();
        kube.controller().readyInterval(Duration.ofMillis(30));
        Path kubeconfig = kube.writeKubeconfig(work.resolve("kubeconfig"), "drill-kubeconfig-token");
        kubernetes = KubernetesRollback.fromKubeconfig(kubeconfig);
        say.accept("connecting the Azure SDK");
        var manager = AzureSimulatorClients.resourceManager(azure, DeadlineAwareRetryPolicy.ofDefaults()); // CDN too
        // The App Service provider requires its manager's pipeline to be deadline-aware (never re-send a swap).
        appService = AppServiceRollback.ofAppServiceManager(
                AzureSimulatorClients.resourceManager(azure, DeadlineAwareRetryPolicy.ofDefaults())
                        .webApps()
                        .manager());
        cdn = AzureCdnControlPlane.ofCdnManager(manager.cdnProfiles().manager());
        health = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        health.createContext("/api/health", exchange -> answer(exchange, this::appServiceHealthy));
        health.createContext("/web/health", exchange -> answer(exchange, this::frontendHealthy));
        health.createContext("/trpc/health", exchange -> answer(exchange, this::apiRoutedToStable));
        health.createContext("/stable/health", exchange -> answer(exchange, this::stableApiAvailable));
        health.start();
    }

    /** Starts the simulator, the mock API server and the health endpoints, and deploys the broken release. */
    static ApplicationEstate start(Path work, Consumer<String> say) throws IOException {
        ApplicationEstate estate = new ApplicationEstate(work, say);
        try {
            say.accept("deploying the broken release");
            estate.deployBrokenRelease();
        } catch (RuntimeException e) {
            estate.close();
            throw e;
        }
        return estate;
    }

    private void deployBrokenRelease() {
        azure.webApp(RG, APP).serving(BROKEN).slot(SLOT).serving(PREVIOUS).state("Running");
        azure.cdnEndpoint(RG, "advisoros-cdn", "advisoros-web");
        kube.createNamespace(NS);
        KubernetesClient client = kube.client();
        deploy(client, "advisoros-web-blue", BLUE, 3, "advisoros/web-app:v42");
        deploy(client, "advisoros-web-green", GREEN, 0, "advisoros/web-app:v42-rc");
        client.services()
                .inNamespace(NS)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("advisoros-web")
                        .withNamespace(NS)
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(BLUE)
                        .addNewPort()
                        .withPort(80)
                        .withNewTargetPort(3000)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        Map<String, String> current = Map.of("app", "advisoros-api", "track", "current");
        deploy(client, "advisoros-api", current, 3, "advisoros/api:v2.4.0");
        client.services()
                .inNamespace(NS)
                .resource(new ServiceBuilder()
                        .withNewMetadata()
                        .withName("advisoros-api")
                        .withNamespace(NS)
                        .endMetadata()
                        .withNewSpec()
                        .withSelector(current)
                        .addNewPort()
                        .withPort(80)
                        .withNewTargetPort(3001)
                        .endPort()
                        .endSpec()
                        .build())
                .create();
        client.resources(HTTPRoute.class)
                .inNamespace(NS)
                .resource(new HTTPRouteBuilder()
                        .withNewMetadata()
                        .withName("advisoros-api")
                        .withNamespace(NS)
                        .endMetadata()
                        .withNewSpec()
                        .addNewParentRef()
                        .withName("advisoros-gateway")
                        .endParentRef()
                        .addToHostnames("api.advisoros.com")
                        .addNewRule()
                        .addNewBackendRef()
                        .withName("advisoros-api")
                        .withPort(80)
                        .endBackendRef()
                        .endRule()
                        .endSpec()
                        .build())
                .create();
    }

    private void deploy(KubernetesClient client, String name, Map<String, String> labels, int replicas, String image) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(NS)
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withNewSelector()
                .withMatchLabels(labels)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage(image)
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
        client.apps().deployments().inNamespace(NS).resource(d).create();
        kube.controller().awaitRolledOut(NS, name, Duration.ofSeconds(20));
    }

    /**
     * The runbook's application rollback: App Service back to its previous slot (RTO 5 min), the
     * frontend's standby colour on the stable image with the traffic and the CDN (RTO 2 min), and
     * the API server's stable manifest routed to before the current version goes down (RTO 3 min).
     */
    RollbackPlan plan() {
        RollbackPlan.Builder plan = RollbackPlan.builder(
                        "application-rollback", RecoveryObjectives.stateless(Duration.ofMinutes(5)))
                .carriesOut("application-rollback");
        appService.addRunbookSteps(
                plan,
                AppServiceRunbook.builder()
                        .resourceGroup(RG)
                        .app(APP)
                        .backupSlot(SLOT)
                        .expectedVersion(PREVIOUS)
                        .healthCheck(check("app-service-health", "/api/health"))
                        .build());
        kubernetes.addFrontendFragment(
                plan,
                FrontendRunbook.builder()
                        .namespace(NS)
                        .service("advisoros-web")
                        .standbyDeployment("advisoros-web-green")
                        .stableImage(STABLE_WEB_IMAGE)
                        .replicas(3)
                        .healthCheck(check("frontend-health", "/web/health"))
                        .cdnPurge(
                                cdn,
                                CdnEndpoint.cdn(RG, "advisoros-cdn", "advisoros-web"),
                                List.of("/_next/static/*", "/static/*"))
                        .pollInterval(Duration.ofMillis(25))
                        .rolloutStallTimeout(Duration.ofSeconds(20))
                        .build());
        kubernetes.addApiServerFragment(
                plan,
                ApiServerRunbook.builder()
                        .namespace(NS)
                        .manifest(Manifest.fromClasspath("k8s/api-deployment-stable.yaml"))
                        .stableDeployment("advisoros-api-stable")
                        .stableService("advisoros-api-stable")
                        .currentDeployment("advisoros-api")
                        .route("advisoros-api")
                        .stableHealthCheck(check("stable-api-health", "/stable/health"))
                        .healthCheck(check("api-health", "/trpc/health"))
                        .pollInterval(Duration.ofMillis(25))
                        .rolloutStallTimeout(Duration.ofSeconds(20))
                        .build());
        return plan.build();
    }

    /** The simulated Azure control plane, where the storage account and the Redis cache are too. */
    AzureControlPlaneSimulator azure() {
        return azure;
    }

    /** The App Service's public health check: 200 once production serves the previous version. */
    HealthCheckVerifier appServiceHealth() {
        return check("app-service-health", "/api/health");
    }

    /** The frontend's health check: 200 once the Service selects a colour serving the stable image. */
    HealthCheckVerifier frontendHealth() {
        return check("frontend-health", "/web/health");
    }

    /** The API's public health check: 200 once the gateway routes everything to the available stable version. */
    HealthCheckVerifier apiHealth() {
        return check("api-health", "/trpc/health");
    }

    /** Whether production serves the broken release: the drill's traffic fails while it does. */
    boolean servesBrokenRelease() {
        return azure.webApp(RG, APP).production().content().orElse("").contains(BROKEN);
    }

    /** What each part of the application serves now, read back from the simulator and the API server. */
    String whatProductionServes() {
        KubernetesClient client = kube.client();
        Deployment green = client.apps()
                .deployments()
                .inNamespace(NS)
                .withName("advisoros-web-green")
                .get();
        return "App Service production serves "
                + (azure.webApp(RG, APP).production().content().orElse("").contains(PREVIOUS) ? PREVIOUS : BROKEN)
                + "; the frontend Service selects "
                + client.services()
                        .inNamespace(NS)
                        .withName("advisoros-web")
                        .get()
                        .getSpec()
                        .getSelector()
                        .get("color")
                + " ("
                + green.getSpec().getTemplate().getSpec().getContainers().get(0).getImage() + ")"
                + "; the API route sends " + apiWeights()
                + "; CDN purges: "
                + azure.cdnEndpoint(RG, "advisoros-cdn", "advisoros-web")
                        .purges()
                        .size();
    }

    private boolean appServiceHealthy() {
        return azure.webApp(RG, APP).production().content().orElse("").contains(PREVIOUS);
    }

    private boolean frontendHealthy() {
        KubernetesClient client = kube.client();
        String colour = client.services()
                .inNamespace(NS)
                .withName("advisoros-web")
                .get()
                .getSpec()
                .getSelector()
                .get("color");
        Deployment serving = client.apps()
                .deployments()
                .inNamespace(NS)
                .withName("advisoros-web-" + colour)
                .get();
        Integer available =
                serving.getStatus() == null ? null : serving.getStatus().getAvailableReplicas();
        return available != null
                && available > 0
                && STABLE_WEB_IMAGE.equals(serving.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getImage());
    }

    private boolean stableApiAvailable() {
        Deployment stable = kube.client()
                .apps()
                .deployments()
                .inNamespace(NS)
                .withName("advisoros-api-stable")
                .get();
        Integer available = stable == null || stable.getStatus() == null
                ? null
                : stable.getStatus().getAvailableReplicas();
        return available != null && available > 0;
    }

    private boolean apiRoutedToStable() {
        return stableApiAvailable() && apiWeights().contains("advisoros-api-stable=100");
    }

    private String apiWeights() {
        HTTPRoute route = kube.client()
                .resources(HTTPRoute.class)
                .inNamespace(NS)
                .withName("advisoros-api")
                .get();
        StringBuilder out = new StringBuilder();
        for (HTTPBackendRef ref : route.getSpec().getRules().get(0).getBackendRefs()) {
            out.append(out.length() == 0 ? "" : ", ")
                    .append(ref.getName())
                    .append('=')
                    .append(ref.getWeight() == null ? 1 : ref.getWeight());
        }
        return out.toString();
    }

    private HealthCheckVerifier check(String name, String path) {
        return HealthCheckVerifier.builder()
                .name(name)
                .url("http://127.0.0.1:" + health.getAddress().getPort() + path)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private static void answer(HttpExchange exchange, BooleanSupplier healthy) throws IOException {
        boolean ok;
        try {
            ok = healthy.getAsBoolean();
        } catch (RuntimeException e) {
            ok = false;
        }
        byte[] body = (ok ? "{\"status\":\"ok\"}" : "{\"status\":\"failing\"}").getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        health.stop(0);
        kubernetes.close();
        kube.close();
        azure.close();
    }
}
