package dev.rollback.azure;

import com.azure.core.http.HttpPipeline;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryPolicy;
import dev.rollback.api.internal.Arguments;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How a provider makes sure that an SDK client handed to it waits and retries as Rollback's steps
 * need: its HTTP pipeline must hold a {@link DeadlineAwareRetryPolicy} and no other retry policy.
 *
 * <p>A provider that takes a pre-built manager calls {@link #requireDeadlineAware(HttpPipeline, String)}
 * in its factory, before any step exists, so a manager built with azure-core's default retry policy
 * (which re-sends a swap, a reboot or a create after an I/O error, and sleeps whatever
 * {@code Retry-After} a server sends) is refused with an error that says what to change:
 *
 * <pre>{@code
 * AppServiceManager manager = AppServiceManager.configure()
 *         .withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())
 *         .authenticate(credential, profile);
 * AppServiceRollback appService = AppServiceRollback.ofAppServiceManager(manager); // checks the pipeline
 * }</pre>
 *
 * <p>It can see retry policies only: a policy of your own that re-sends requests or sleeps is yours to
 * keep out. Stateless and thread-safe.
 */
public final class AzurePipelines {
    private AzurePipelines() {}

    /**
     * Checks that {@code pipeline} retries with a {@link DeadlineAwareRetryPolicy} and nothing else.
     *
     * @param pipeline the client's pipeline ({@code manager.serviceClient().getHttpPipeline()})
     * @param client what the pipeline belongs to, for the message ({@code "the AppServiceManager"})
     * @return {@code pipeline}
     * @throws IllegalArgumentException naming the client, what its pipeline holds and how to build it
     */
    public static HttpPipeline requireDeadlineAware(HttpPipeline pipeline, String client) {
        Objects.requireNonNull(pipeline, "pipeline");
        Arguments.requireText(client, "client");
        int ours = 0;
        List<String> others = new ArrayList<>();
        for (int i = 0; i < pipeline.getPolicyCount(); i++) {
            HttpPipelinePolicy policy = pipeline.getPolicy(i);
            if (policy instanceof DeadlineAwareRetryPolicy) {
                ours++;
            } else if (policy instanceof RetryPolicy) {
                others.add(policy.getClass().getName());
            }
        }
        if (!others.isEmpty()) {
            throw new IllegalArgumentException(client + "'s HTTP pipeline retries with " + others
                    + ", which re-sends a request after an I/O error whatever its method (a swap, a reboot or a"
                    + " create could happen twice) and waits whatever Retry-After a server sends, past any"
                    + " deadline; build it with .withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults()) in place of"
                    + " withRetryOptions/withRetryPolicy");
        }
        if (ours != 1) {
            throw new IllegalArgumentException(client + "'s HTTP pipeline holds " + ours
                    + " DeadlineAwareRetryPolicy; it needs exactly one, in the retry slot: build it with"
                    + " .withRetryPolicy(DeadlineAwareRetryPolicy.ofDefaults())");
        }
        return pipeline;
    }
}
