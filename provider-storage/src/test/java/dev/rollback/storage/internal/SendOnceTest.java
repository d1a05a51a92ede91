package dev.rollback.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.http.policy.UserAgentPolicy;
import com.azure.core.util.Context;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The real azure-core pipeline with a client whose connection always breaks: who is sent how often. */
class SendOnceTest {
    private static final String ACCOUNT =
            "https://management.example/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st1";

    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final HttpClient broken = request -> {
        sent.add(request.getHttpMethod() + " " + request.getUrl().getPath());
        return Mono.error(new IOException("Connection reset by peer"));
    };

    private HttpPipeline pipeline() {
        return new HttpPipelineBuilder()
                .httpClient(broken)
                .policies(
                        new UserAgentPolicy("test"),
                        new RetryPolicy(new RetryOptions(new FixedDelayOptions(3, Duration.ofMillis(1)))))
                .build();
    }

    @Test
    void theSdkRetryPolicyAloneResendsAFailoverPostAfterAConnectionReset() {
        HttpPipeline plain = pipeline();

        assertThatThrownBy(() -> plain.sendSync(new HttpRequest(HttpMethod.POST, ACCOUNT + "/failover"), Context.NONE))
                .hasRootCauseInstanceOf(IOException.class);

        assertThat(sent).hasSize(4); // what the guard is there to prevent
    }

    @Test
    void theGuardedPipelineSendsTheFailoverPostOnceAndStillRetriesReads() {
        HttpPipeline guarded = SendOnce.guard(pipeline(), SendOnce.STORAGE_ACCOUNT_FAILOVER);
        assertThat(SendOnce.guarded(guarded)).isEqualTo(1);
        assertThat(guarded.getPolicyCount()).isEqualTo(2);
        assertThat(guarded.getPolicy(0)).isInstanceOf(UserAgentPolicy.class);

        assertThatThrownBy(
                        () -> guarded.sendSync(new HttpRequest(HttpMethod.POST, ACCOUNT + "/failover"), Context.NONE))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(sent)
                .containsExactly("POST /subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage"
                        + "/storageAccounts/st1/failover");

        sent.clear();
        assertThatThrownBy(() -> guarded.send(new HttpRequest(HttpMethod.POST, ACCOUNT + "/failover"))
                        .block())
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(sent).hasSize(1);

        sent.clear();
        assertThatThrownBy(() -> guarded.sendSync(new HttpRequest(HttpMethod.GET, ACCOUNT), Context.NONE))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(sent).hasSize(4);

        sent.clear();
        assertThatThrownBy(
                        () -> guarded.sendSync(new HttpRequest(HttpMethod.POST, ACCOUNT + "/listKeys"), Context.NONE))
                .hasRootCauseInstanceOf(IOException.class);
        assertThat(sent).hasSize(4);
    }

    @Test
    void onlyAFailoverPostOfAStorageAccountIsSentOnce() {
        assertThat(SendOnce.STORAGE_ACCOUNT_FAILOVER.test(new HttpRequest(HttpMethod.POST, ACCOUNT + "/failover")))
                .isTrue();
        assertThat(SendOnce.STORAGE_ACCOUNT_FAILOVER.test(new HttpRequest(
                        HttpMethod.POST, ACCOUNT + "/failover?api-version=2025-06-01&failoverType=Planned")))
                .isTrue();
        assertThat(SendOnce.STORAGE_ACCOUNT_FAILOVER.test(new HttpRequest(HttpMethod.GET, ACCOUNT + "/failover")))
                .isFalse();
        assertThat(SendOnce.STORAGE_ACCOUNT_FAILOVER.test(new HttpRequest(HttpMethod.POST, ACCOUNT + "/regenerateKey")))
                .isFalse();
        assertThat(
                        SendOnce.STORAGE_ACCOUNT_FAILOVER.test(
                                new HttpRequest(
                                        HttpMethod.POST,
                                        "https://m.example/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a/failover")))
                .isFalse();
    }
}
