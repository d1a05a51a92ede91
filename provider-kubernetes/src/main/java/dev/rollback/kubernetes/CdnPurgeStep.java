package dev.rollback.kubernetes;

import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.StepContext;
import dev.rollback.api.internal.Arguments;
import dev.rollback.azure.OperationStillRunningException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The runbook's "update CDN cache: invalidate CDN cache for static assets", after the frontend rollback:
 * purges content paths (such as {@code /_next/static/*}) from an Azure CDN endpoint
 * ({@code POST .../profiles/{profile}/endpoints/{endpoint}/purge}) or an Azure Front Door
 * Standard/Premium endpoint ({@code .../afdEndpoints/{endpoint}/purge}, optionally for given domains),
 * through the Azure SDK (see {@link AzureCdnControlPlane}: its pipeline must be rollback-azure's
 * deadline-aware one), and follows the long-running operation with rollback-azure's
 * {@code AzureOperations} until Azure says it is done. Each answered poll is reported as progress;
 * the wait ends before the step's deadline, never after it: a purge still running then fails the step
 * with {@code STEP_TIMED_OUT} (it may still finish in Azure).
 *
 * <p>Preflight (read-only): the endpoint exists (its host name is evidence, {@value #HOST}).
 * <b>Idempotent</b> by nature: purging the same paths twice is harmless, so a retry or a resume purges
 * again; {@link #tookEffect} therefore answers "not in place" (a purge leaves nothing to read back) so a
 * resumed run purges once more rather than guessing. The pipeline never re-sends the purge once it may
 * have reached Azure: a lost answer (a reset after sending, a timeout, a 5xx) is an indeterminate
 * outcome, which the executor settles with {@link #tookEffect} and repeats as a new attempt. 408, 429
 * and 503 are refusals the pipeline waits out within the deadline (one asking for a wait longer than the
 * step has left fails at once, naming both); 401/403 a credential problem that names no credential.
 * Evidence: {@value #HOST}, {@value #PATHS}, {@value #POLLS}. Immutable configuration, thread-safe. It
 * never changes an endpoint's configuration.
 */
public final class CdnPurgeStep implements RollbackStep {
    /** Evidence key: the endpoint's host name. */
    public static final String HOST = "cdn.hostName";
    /** Evidence key: the paths purged, comma-separated. */
    public static final String PATHS = "cdn.paths";
    /** Evidence key: how many polls the operation took. */
    public static final String POLLS = "cdn.polls";

    private static final Duration MARGIN = Duration.ofMillis(100);

    private final AzureCdnControlPlane cdn;
    private final String id;
    private final String component;
    private final CdnEndpoint endpoint;
    private final List<String> paths;
    private final List<String> domains;
    private final Duration pollInterval;

    private CdnPurgeStep(Builder b) {
        this.cdn = b.cdn;
        this.id = b.id;
        this.component = b.component;
        this.endpoint = b.endpoint;
        this.paths = List.copyOf(b.paths);
        this.domains = List.copyOf(b.domains);
        this.pollInterval = b.pollInterval;
    }

    /** A builder on {@code cdn}. */
    public static Builder builder(AzureCdnControlPlane cdn) {
        return new Builder(cdn);
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String component() {
        return component;
    }

    /** The endpoint purged: {@code resourceGroup/profile/endpoint}. */
    @Override
    public Optional<String> actsOn() {
        return Optional.of(endpoint.resourceGroup() + "/" + endpoint.profile() + "/" + endpoint.endpoint());
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    /** The endpoint. */
    public CdnEndpoint endpoint() {
        return endpoint;
    }

    /** The content paths it purges. */
    public List<String> paths() {
        return paths;
    }

    @Override
    public void preflight(StepContext context) {
        context.evidence(HOST, host(context));
    }

    @Override
    public void execute(StepContext context) throws InterruptedException {
        context.evidence(HOST, host(context));
        context.evidence(PATHS, String.join(",", paths));
        context.checkpoint();
        try {
            cdn.purge(
                    context,
                    endpoint,
                    paths,
                    domains,
                    pollInterval,
                    MARGIN,
                    polls -> context.evidence(POLLS, Integer.toString(polls)));
        } catch (OperationStillRunningException e) {
            throw new OperationStillRunningException(e.getMessage() + "; purging again is harmless", e.polls());
        }
    }

    /**
     * Always {@code Optional.of(false)}: a purge leaves nothing to read back, and since a repeat is
     * harmless a resumed run purges again.
     */
    @Override
    public Optional<Boolean> tookEffect(StepContext context) {
        return Optional.of(false);
    }

    private String host(StepContext context) {
        return cdn.hostName(context, endpoint)
                .orElseThrow(() ->
                        new RollbackException(ErrorCode.STEP_FAILED, endpoint + " does not exist; nothing was purged"));
    }

    @Override
    public String toString() {
        return "CdnPurgeStep[" + id + ", " + endpoint + " " + paths + "]";
    }

    /**
     * Builds a {@link CdnPurgeStep}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private final AzureCdnControlPlane cdn;
        private String id = "purge-cdn";
        private String component = KubernetesRollback.FRONTEND;
        private CdnEndpoint endpoint;
        private final List<String> paths = new ArrayList<>();
        private final List<String> domains = new ArrayList<>();
        private Duration pollInterval = Duration.ofSeconds(2);

        private Builder(AzureCdnControlPlane cdn) {
            this.cdn = Objects.requireNonNull(cdn, "cdn");
        }

        /** The step id. Default: {@code purge-cdn}. */
        public Builder id(String id) {
            this.id = Arguments.requireId(id, "id");
            return this;
        }

        /** The component. Default: {@value KubernetesRollback#FRONTEND}. */
        public Builder component(String component) {
            this.component = Arguments.requireId(component, "component");
            return this;
        }

        /** The endpoint. Required. */
        public Builder endpoint(CdnEndpoint endpoint) {
            this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
            return this;
        }

        /**
         * Adds a content path to purge: starts with {@code /}, one line; {@code /*} at the end purges a
         * folder ({@code /_next/static/*}). At least one is required, at most 100.
         */
        public Builder addContentPath(String path) {
            Arguments.requireText(path, "contentPath");
            if (!path.startsWith("/") || path.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("contentPath must start with '/' and hold no space, but was '"
                        + Arguments.printable(path) + "'");
            }
            if (paths.size() == 100) {
                throw new IllegalArgumentException("at most 100 content paths per purge");
            }
            paths.add(path);
            return this;
        }

        /** Adds a domain to purge on a Front Door endpoint (default: all its domains). */
        public Builder addDomain(String domain) {
            Arguments.requireText(domain, "domain");
            if (domain.chars().anyMatch(Character::isWhitespace) || domain.contains("/")) {
                throw new IllegalArgumentException(
                        "domain must be a host name, but was '" + Arguments.printable(domain) + "'");
            }
            domains.add(domain);
            return this;
        }

        /** How long to wait between polls when Azure sends no Retry-After; 10 ms to 60 s. Default: 2 s. */
        public Builder pollInterval(Duration pollInterval) {
            Arguments.requirePositive(pollInterval, "pollInterval", Duration.ofSeconds(60));
            if (pollInterval.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("pollInterval must be at least 10 ms, but was " + pollInterval);
            }
            this.pollInterval = pollInterval;
            return this;
        }

        /**
         * The step.
         *
         * @throws IllegalStateException if the endpoint or every content path is missing, or domains are
         *     given for a classic CDN endpoint
         */
        public CdnPurgeStep build() {
            if (endpoint == null || paths.isEmpty()) {
                throw new IllegalStateException("endpoint and at least one content path are required");
            }
            if (!domains.isEmpty() && endpoint.kind() != CdnEndpoint.Kind.FRONT_DOOR) {
                throw new IllegalStateException("domains apply to Front Door endpoints only, not to " + endpoint);
            }
            return new CdnPurgeStep(this);
        }
    }
}
