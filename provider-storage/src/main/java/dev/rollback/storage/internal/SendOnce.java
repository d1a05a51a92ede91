package dev.rollback.storage.internal;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpPipelinePosition;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Keeps the SDK's retry policy away from non-idempotent requests. azure-core's {@link RetryPolicy}
 * re-sends a request after any I/O error, whatever its method: a failover POST whose answer was lost
 * after Azure accepted it would be sent again, and a second failover of an account fails it back.
 * {@link #guard(HttpPipeline, Predicate)} rebuilds a pipeline with every retry policy wrapped so that
 * the requests the predicate names go past it exactly once; everything else is retried as before.
 * The caller then reconciles a lost answer by reading the resource.
 */
public final class SendOnce implements HttpPipelinePolicy {
    private static final Pattern FAILOVER_PATH =
            Pattern.compile("(?i)/providers/Microsoft\\.Storage/storageAccounts/[^/]+/failover/?$");

    /** {@code POST .../providers/Microsoft.Storage/storageAccounts/{name}/failover}. */
    public static final Predicate<HttpRequest> STORAGE_ACCOUNT_FAILOVER =
            request -> request.getHttpMethod() == HttpMethod.POST
                    && FAILOVER_PATH.matcher(request.getUrl().getPath()).find();

    private final HttpPipelinePolicy retry;
    private final Predicate<HttpRequest> once;

    private SendOnce(HttpPipelinePolicy retry, Predicate<HttpRequest> once) {
        this.retry = retry;
        this.once = once;
    }

    /**
     * {@code pipeline} with every {@link RetryPolicy} in it wrapped: requests matching {@code once}
     * skip it (sent once), others are retried by it as before. The HTTP client and every other policy
     * are kept, in order.
     *
     * @return the new pipeline
     */
    public static HttpPipeline guard(HttpPipeline pipeline, Predicate<HttpRequest> once) {
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(once, "once");
        List<HttpPipelinePolicy> policies = new ArrayList<>();
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            HttpPipelinePolicy policy = pipeline.getPolicy(i);
            policies.add(policy instanceof RetryPolicy ? new SendOnce(policy, once) : policy);
        }
        return new HttpPipelineBuilder()
                .httpClient(pipeline.getHttpClient())
                .policies(policies.toArray(new HttpPipelinePolicy[0]))
                .build();
    }

    /** How many retry policies {@code pipeline} guards. */
    public static int guarded(HttpPipeline pipeline) {
        int n = 0;
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            if (pipeline.getPolicy(i) instanceof SendOnce) {
                n++;
            }
        }
        return n;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return once.test(context.getHttpRequest()) ? next.process() : retry.process(context, next);
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        return once.test(context.getHttpRequest()) ? next.processSync() : retry.processSync(context, next);
    }

    @Override
    public HttpPipelinePosition getPipelinePosition() {
        return retry.getPipelinePosition();
    }
}
