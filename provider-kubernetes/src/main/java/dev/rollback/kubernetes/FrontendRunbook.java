package dev.rollback.kubernetes;

import dev.rollback.api.internal.Arguments;
import dev.rollback.http.HealthCheckVerifier;
import dev.rollback.kubernetes.internal.Names;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the runbook's "Frontend Application Rollback" needs to know, blue/green on Kubernetes: the
 * namespace, the Service users reach, the standby Deployment that is brought to the stable image and
 * then takes the traffic, the stable image (the runbook's {@code advisoros/web-app:stable-previous}),
 * the replicas the standby runs with, the health check, and the CDN endpoint whose static assets are
 * purged afterwards. Used by {@link KubernetesRollback#frontendPlan(FrontendRunbook)} and
 * {@link KubernetesRollback#addFrontendFragment}.
 *
 * <p>Immutable and thread-safe; it holds configuration only and never calls anything.
 */
public final class FrontendRunbook {
    private final String planName;
    private final String component;
    private final String stepIdPrefix;
    private final String namespace;
    private final String service;
    private final String standbyDeployment;
    private final ImageTarget image;
    private final Optional<String> container;
    private final Optional<Integer> replicas;
    private final HealthCheckVerifier healthCheck;
    private final Optional<AzureCdnControlPlane> cdn;
    private final Optional<CdnEndpoint> cdnEndpoint;
    private final List<String> purgePaths;
    private final Duration rolloutStallTimeout;
    private final Duration pollInterval;

    private FrontendRunbook(Builder b) {
        this.planName = b.planName;
        this.component = b.component;
        this.stepIdPrefix = b.stepIdPrefix;
        this.namespace = b.namespace;
        this.service = b.service;
        this.standbyDeployment = b.standbyDeployment;
        this.image = b.image;
        this.container = Optional.ofNullable(b.container);
        this.replicas = Optional.ofNullable(b.replicas);
        this.healthCheck = b.healthCheck;
        this.cdn = Optional.ofNullable(b.cdn);
        this.cdnEndpoint = Optional.ofNullable(b.cdnEndpoint);
        this.purgePaths = List.copyOf(b.purgePaths);
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

    /** The Service users reach. */
    public String service() {
        return service;
    }

    /** The Deployment that takes the traffic back. */
    public String standbyDeployment() {
        return standbyDeployment;
    }

    /** What the standby Deployment is brought to. */
    public ImageTarget image() {
        return image;
    }

    /** The container the image is for, if named. */
    public Optional<String> container() {
        return container;
    }

    /** The replicas the standby runs with, if it must be scaled. */
    public Optional<Integer> replicas() {
        return replicas;
    }

    /** The health check run after the traffic switch. */
    public HealthCheckVerifier healthCheck() {
        return healthCheck;
    }

    /** The CDN control plane, when static assets are purged. */
    public Optional<AzureCdnControlPlane> cdn() {
        return cdn;
    }

    /** The CDN endpoint, when static assets are purged. */
    public Optional<CdnEndpoint> cdnEndpoint() {
        return cdnEndpoint;
    }

    /** The content paths purged. */
    public List<String> purgePaths() {
        return purgePaths;
    }

    /** How long the rollout may go without a replica becoming ready. */
    public Duration rolloutStallTimeout() {
        return rolloutStallTimeout;
    }

    /** How often rollouts and scales are polled. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Builds a {@link FrontendRunbook}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private String planName = "frontend-rollback";
        private String component = KubernetesRollback.FRONTEND;
        private String stepIdPrefix = "";
        private String namespace;
        private String service;
        private String standbyDeployment;
        private ImageTarget image;
        private String container;
        private Integer replicas;
        private HealthCheckVerifier healthCheck;
        private AzureCdnControlPlane cdn;
        private CdnEndpoint cdnEndpoint;
        private final List<String> purgePaths = new ArrayList<>();
        private Duration rolloutStallTimeout = Duration.ofSeconds(45);
        private Duration pollInterval = Duration.ofSeconds(1);

        private Builder() {}

        /** The plan's name. Default: {@code frontend-rollback}. */
        public Builder planName(String planName) {
            this.planName = Arguments.requireId(planName, "planName");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#FRONTEND}. */
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

        /** The namespace of the Service and the Deployments. Required. */
        public Builder namespace(String namespace) {
            this.namespace = Names.label(namespace, "namespace");
            return this;
        }

        /** The Service users reach, whose selector moves. Required. */
        public Builder service(String service) {
            this.service = Names.label(service, "service");
            return this;
        }

        /** The standby Deployment (the other colour) that takes the traffic. Required. */
        public Builder standbyDeployment(String standbyDeployment) {
            this.standbyDeployment = Names.subdomain(standbyDeployment, "standbyDeployment");
            return this;
        }

        /** The stable image for the standby, such as {@code advisoros/web-app:stable-previous}. */
        public Builder stableImage(String image) {
            this.image = ImageTarget.image(image);
            return this;
        }

        /** Any image target for the standby (a revision of its own history, or an image). */
        public Builder image(ImageTarget image) {
            this.image = Objects.requireNonNull(image, "image");
            return this;
        }

        /** The container the stable image is for. Default: the only one. */
        public Builder container(String container) {
            this.container = Names.label(container, "container");
            return this;
        }

        /** The replicas the standby runs with (scaled before its rollout), 1 to 10000. Default: as it is. */
        public Builder replicas(int replicas) {
            this.replicas = Arguments.requireInRange(replicas, "replicas", 1, 10_000);
            return this;
        }

        /** The health check of the frontend after the switch. Required. */
        public Builder healthCheck(HealthCheckVerifier healthCheck) {
            this.healthCheck = Objects.requireNonNull(healthCheck, "healthCheck");
            return this;
        }

        /**
         * Purges these content paths from this endpoint after the switch. Default: no purge.
         *
         * @param paths each starting with {@code /}, such as {@code /_next/static/*}
         */
        public Builder cdnPurge(AzureCdnControlPlane cdn, CdnEndpoint endpoint, List<String> paths) {
            this.cdn = Objects.requireNonNull(cdn, "cdn");
            this.cdnEndpoint = Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(paths, "paths");
            CdnPurgeStep.Builder check = CdnPurgeStep.builder(cdn).endpoint(endpoint);
            paths.forEach(check::addContentPath);
            check.build();
            this.purgePaths.clear();
            this.purgePaths.addAll(paths);
            return this;
        }

        /** How long the standby's rollout may go without progress before it is declared stalled. Default: 45 s. */
        public Builder rolloutStallTimeout(Duration timeout) {
            this.rolloutStallTimeout = Arguments.requirePositive(timeout, "rolloutStallTimeout", Duration.ofMinutes(2));
            return this;
        }

        /** How often rollouts, scales and the purge are polled; 10 ms to 30 s. Default: 1 s. */
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
         * @throws IllegalStateException if namespace, service, standbyDeployment, the image or the health
         *     check is missing
         */
        public FrontendRunbook build() {
            if (namespace == null
                    || service == null
                    || standbyDeployment == null
                    || image == null
                    || healthCheck == null) {
                throw new IllegalStateException(
                        "namespace, service, standbyDeployment, stableImage (or image) and healthCheck are required");
            }
            return new FrontendRunbook(this);
        }
    }
}
