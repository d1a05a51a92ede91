package dev.rollback.kubernetes;

import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.kubernetes.internal.Names;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runbook's "API Server Rollback" needs to know: the namespace, the stable manifest (its own
 * Deployment and Service beside the current ones), the stable Deployment and Service it holds, the
 * current Deployment scaled down at the end, the API gateway's HTTPRoute, and the health checks (of the
 * stable version before traffic moves, and of the public API after). Used by
 * {@link KubernetesRollback#apiServerPlan(ApiServerRunbook)} and
 * {@link KubernetesRollback#addApiServerFragment}.
 *
 * <p>Immutable and thread-safe; it holds configuration only and never calls anything.
 */
public final class ApiServerRunbook {
    private final String planName;
    private final String component;
    private final String stepIdPrefix;
    private final String namespace;
    private final Manifest manifest;
    private final String fieldManager;
    private final boolean force;
    private final String stableDeployment;
    private final String stableService;
    private final Optional<Integer> port;
    private final String currentDeployment;
    private final boolean scaleDownCurrent;
    private final String route;
    private final Optional<HealthCheckVerifier> stableHealthCheck;
    private final HealthCheckVerifier healthCheck;
    private final Duration rolloutStallTimeout;
    private final Duration pollInterval;

    private ApiServerRunbook(Builder b) {
        this.planName = b.planName;
        this.component = b.component;
        this.stepIdPrefix = b.stepIdPrefix;
        this.namespace = b.namespace;
        this.manifest = b.manifest;
        this.fieldManager = b.fieldManager;
        this.force = b.force;
        this.stableDeployment = b.stableDeployment;
        this.stableService = b.stableService;
        this.port = Optional.ofNullable(b.port);
        this.currentDeployment = b.currentDeployment;
        this.scaleDownCurrent = b.scaleDownCurrent;
        this.route = b.route;
        this.stableHealthCheck = Optional.ofNullable(b.stableHealthCheck);
        this.healthCheck = b.healthCheck;
        this.rolloutStallTimeout = b.rolloutStallTimeout;
        this.pollInterval = b.pollInterval;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The plan's name when built as a whole plan. */
    public String planName() {
        return planName;
    }

    /** The component of every step. */
    public String component() {
        return component;
    }

    /** The prefix of every step id. */
    public String stepIdPrefix() {
        return stepIdPrefix;
    }

    /** The namespace. */
    public String namespace() {
        return namespace;
    }

    /** The stable manifest. */
    public Manifest manifest() {
        return manifest;
    }

    /** The field manager of the apply. */
    public String fieldManager() {
        return fieldManager;
    }

    /** Whether the apply takes over fields other managers own. */
    public boolean force() {
        return force;
    }

    /** The stable Deployment the manifest holds. */
    public String stableDeployment() {
        return stableDeployment;
    }

    /** The stable Service the gateway routes to. */
    public String stableService() {
        return stableService;
    }

    /** The stable Service's port for the route, if given. */
    public Optional<Integer> port() {
        return port;
    }

    /** The current (broken) Deployment. */
    public String currentDeployment() {
        return currentDeployment;
    }

    /** Whether the current Deployment is scaled to 0 at the end. */
    public boolean scaleDownCurrent() {
        return scaleDownCurrent;
    }

    /** The API gateway's HTTPRoute. */
    public String route() {
        return route;
    }

    /** The health check of the stable version before the traffic moves, if any. */
    public Optional<HealthCheckVerifier> stableHealthCheck() {
        return stableHealthCheck;
    }

    /** The health check of the public API after the traffic moved. */
    public HealthCheckVerifier healthCheck() {
        return healthCheck;
    }

    /** How long the stable rollout may go without progress. */
    public Duration rolloutStallTimeout() {
        return rolloutStallTimeout;
    }

    /** How often rollouts and scales are polled. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Builds an {@link ApiServerRunbook}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private String planName = "api-server-rollback";
        private String component = KubernetesRollback.API_SERVER;
        private String stepIdPrefix = "";
        private String namespace;
        private Manifest manifest;
        private String fieldManager = ManifestApplyStep.DEFAULT_FIELD_MANAGER;
        private boolean force;
        private String stableDeployment;
        private String stableService;
        private Integer port;
        private String currentDeployment;
        private boolean scaleDownCurrent = true;
        private String route;
        private HealthCheckVerifier stableHealthCheck;
        private HealthCheckVerifier healthCheck;
        private Duration rolloutStallTimeout = Duration.ofSeconds(45);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {}

        /** The plan's name. Default: {@code api-server-rollback}. */
        public Builder planName(String planName) {
            this.planName = Arguments.requireId(planName, "planName");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#API_SERVER}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** A prefix for the step ids, to place two fragments in one plan. Default: none. */
        public Builder stepIdPrefix(String stepIdPrefix) {
            Objects.requireNonNull(stepIdPrefix, "stepIdPrefix");
            this.stepIdPrefix = stepIdPrefix.isEmpty() ? "" : Arguments.requireId(stepIdPrefix, "stepIdPrefix");
            return this;
        }

        /** The namespace (also of the manifest's objects that name none). Required. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The stable manifest ({@code k8s/api-deployment-stable.yaml}). Required. */
        public Builder manifest(Manifest manifest) {
            this.manifest = Objects.requireNonNull(manifest, "manifest");
            return this;
        }

        /** The apply's field manager. Default: {@value ManifestApplyStep#DEFAULT_FIELD_MANAGER}. */
        public Builder fieldManager(String fieldManager) {
            this.fieldManager = Arguments.requireText(fieldManager, "fieldManager");
            return this;
        }

        /** Whether the apply takes over fields other managers own. Default: false. */
        public Builder force(boolean force) {
            this.force = force;
            return this;
        }

        /** The stable Deployment the manifest holds. Required. */
        public Builder stableDeployment(String stableDeployment) {
            this.stableDeployment = Names.subdomain(stableDeployment, "stableDeployment");
            return this;
        }

        /** The stable Service the gateway routes to. Required. */
        public Builder stableService(String stableService) {
            this.stableService = Names.label(stableService, "stableService");
            return this;
        }

        /** The stable Service's port in the route, 1 to 65535. Default: as the route or the Service has it. */
        public Builder port(int port) {
            this.port = Arguments.requireInRange(port, "port", 1, 65_535);
            return this;
        }

        /** The current (broken) Deployment. Required. */
        public Builder currentDeployment(String currentDeployment) {
            this.currentDeployment = Names.subdomain(currentDeployment, "currentDeployment");
            return this;
        }

        /** Whether to scale the current Deployment to 0 once traffic is on the stable one. Default: true. */
        public Builder scaleDownCurrent(boolean scaleDownCurrent) {
            this.scaleDownCurrent = scaleDownCurrent;
            return this;
        }

        /** The API gateway's HTTPRoute. Required. */
        public Builder route(String route) {
            this.route = Names.subdomain(route, "route");
            return this;
        }

        /** A health check of the stable version reached directly, run before traffic moves. Default: none. */
        public Builder stableHealthCheck(HealthCheckVerifier stableHealthCheck) {
            this.stableHealthCheck = Objects.requireNonNull(stableHealthCheck, "stableHealthCheck");
            return this;
        }

        /** The health check of the public API ({@code https://api.advisoros.com/trpc/health}). Required. */
        public Builder healthCheck(HealthCheckVerifier healthCheck) {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /** How long the stable rollout may go without progress before it is declared stalled. Default: 45 s. */
        public Builder rolloutStallTimeout(Duration timeout) {
            this.rolloutStallTimeout = Arguments.requirePositive(timeout, "rolloutStallTimeout", Duration.ofMinutes(3));
            return this;
        }

        /** How often rollouts and scales are polled; 10 ms to 30 s. Default: 1 s. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofSeconds(30));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * The runbook configuration.
         *
         * @throws IllegalStateException if a required field is missing, or the current and stable
         *     Deployments are the same
         */
        public ApiServerRunbook build() {
            if (namespace == null
                    || manifest == null
                    || stableDeployment == null
                    || stableService == null
                    || currentDeployment == null
                    || route == null
                    || healthCheck == null) {
                throw new IllegalStateException("namespace, manifest, stableDeployment, stableService,"
                        + " currentDeployment, route and healthCheck are required");
            }
            if (stableDeployment.equals(currentDeployment)) {
                throw new IllegalStateException("stableDeployment and currentDeployment must differ, but both were '"
                        + currentDeployment + "': the stable version is deployed beside the current one");
            }
            return new ApiServerRunbook(this);
        }
    }
}
