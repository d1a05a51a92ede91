package dev.rollback.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.IndeterminateOutcomeException;
import dev.rollback.api.RedactedCause;
import dev.rollback.api.RollbackException;
import dev.rollback.api.TransientFailureException;
import dev.rollback.testkit.TestStepContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The one mapping of SDK failures, by the kind of call: what is transient, what is indeterminate, what is neither. */
class AzureFailuresTest {
    private final TestStepContext step = TestStepContext.of("swap", Duration.ofSeconds(30));
    private final AzureCall change = AzureCall.change(step, "swapping blue into production");
    private final AzureCall read = AzureCall.read(step, "reading production");

    private static final class Response extends HttpResponse {
        private final int status;
        private final HttpHeaders headers;

        Response(HttpMethod method, int status, HttpHeaders headers) {
            super(new HttpRequest(method, "https://127.0.0.1/subscriptions/s/x"));
            this.status = status;
            this.headers = headers;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(HttpHeaderName.fromString(name));
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.empty();
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.empty();
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.empty();
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.empty();
        }
    }

    private static ManagementException arm(HttpMethod method, int status, String code, HttpHeaders headers) {
        return new ManagementException(
                "Status code " + status + ", " + code,
                new Response(method, status, headers),
                new ManagementError(code, code + " happened"));
    }

    @Test
    void aServerErrorOnTheChangeItselfIsIndeterminateButOnAReadIsTransient() {
        ManagementException e = arm(HttpMethod.POST, 504, "GatewayTimeout", new HttpHeaders());
        assertThat(change.failure(e))
                .isInstanceOf(IndeterminateOutcomeException.class)
                .hasMessageStartingWith("swapping blue into production failed: HTTP 504 GatewayTimeout")
                .hasMessageContaining("may have been applied");
        assertThat(read.failure(arm(HttpMethod.GET, 504, "GatewayTimeout", new HttpHeaders())))
                .isInstanceOf(TransientFailureException.class);
    }

    @Test
    void aRefusalOfTheChangeIsTransientWithTheWaitTheServerAsked() {
        RollbackException mapped = change.failure(arm(
                HttpMethod.POST,
                429,
                "TooManyRequests",
                new HttpHeaders().set(HttpHeaderName.fromString("retry-after-ms"), "1500")));
        assertThat(mapped)
                .isInstanceOfSatisfying(
                        TransientFailureException.class,
                        t -> assertThat(t.retryAfter()).contains(Duration.ofMillis(1500)))
                .hasMessageContaining("(retry-after-ms: 1500)");
    }

    @Test
    void aFailedPollOfAnAcceptedChangeIsIndeterminateButAnOperationThatFailedIsNot() {
        assertThat(change.failure(arm(HttpMethod.GET, 503, "ServiceUnavailable", new HttpHeaders())))
                .isInstanceOf(IndeterminateOutcomeException.class)
                .hasMessageContaining("the change was accepted and its outcome could not be read");
        assertThat(change.failure(arm(HttpMethod.GET, 400, "SwapFailed", new HttpHeaders())))
                .isNotInstanceOf(IndeterminateOutcomeException.class)
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("HTTP 400 SwapFailed");
    }

    @Test
    void aBrokenConnectionIsIndeterminateForAChangeAndTransientForARead() {
        UncheckedIOException reset = new UncheckedIOException(new IOException("Connection reset by peer"));
        assertThat(change.failure(reset)).isInstanceOf(IndeterminateOutcomeException.class);
        assertThat(read.failure(reset)).isInstanceOf(TransientFailureException.class);
    }

    @Test
    void credentialProblemsNeverShowTheBody() {
        RollbackException mapped = change.failure(new HttpResponseException(
                "Bearer eyJhbGciOi.secret.claims rejected", new Response(HttpMethod.POST, 401, new HttpHeaders())));
        assertThat(mapped.code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
        assertThat(mapped).hasMessageContaining("credential problem (HTTP 401").hasMessageNotContaining("eyJ");
    }

    @Test
    void aConflictIsADefiniteFailureNamingTheArmCode() {
        ManagementException conflict = arm(HttpMethod.PUT, 409, "ServerAlreadyExists", new HttpHeaders());
        assertThat(change.failure(conflict))
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.EXTERNAL_FAILURE))
                .hasMessageContaining("HTTP 409 ServerAlreadyExists");
        assertThat(AzureFailures.armCode(conflict)).isEqualTo("ServerAlreadyExists");
        assertThat(AzureFailures.status(new RuntimeException(conflict))).isEqualTo(409);
        // the mapped failure's cause is a redacted stand-in: the status and code stay readable all the same
        RollbackException mapped = change.failure(conflict);
        assertThat(mapped.getCause()).isInstanceOf(RedactedCause.class);
        assertThat(AzureFailures.status(mapped)).isEqualTo(409);
        assertThat(AzureFailures.armCode(mapped)).isEqualTo("ServerAlreadyExists");
    }
}
