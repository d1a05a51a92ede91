package dev.rollback.http;

import dev.rollback.api.Redaction;
import dev.rollback.api.StepContext;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.Verification;
import dev.rollback.api.Verifier;
import dev.rollback.api.internal.Arguments;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The runbook's {@code curl -f https://advisoros.com/api/health}: one {@code GET} of an HTTP(S)
 * health URL with the JDK {@link HttpClient}, passing only when the whole response (status line,
 * headers and body) arrives within the timeout (and the step's remaining budget) with the configured
 * status (default 200) and, if configured, a body containing the expected text.
 *
 * <p>Everything else is a failed {@link Verification} with evidence, never a pass: another status
 * (401/403 say "credential problem"), a reset or refused connection, a malformed or random response, a
 * response slower than the timeout. Evidence details: {@code url}, {@code status}, {@code elapsedMs},
 * {@code body} (the first 200 characters, redacted) or {@code error}. At most the first 64 KiB of a
 * body are read (a huge or endless answer costs neither memory nor the budget); the expected text
 * must appear in them. Read-only and idempotent;
 * immutable and thread-safe. It never follows redirects, never sends a credential and never retries
 * (the plan's retry settings decide that).
 */
public final class HealthCheckVerifier implements Verifier {
    private static final int BODY_EVIDENCE = 200;

    /** At most this many bytes of a body are read (64 KiB); the rest is not downloaded. */
    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final HttpClient DEFAULT_CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    private final String name;
    private final URI url;
    private final int expectedStatus;
    private final Duration timeout;
    private final Optional<String> expectedBody;
    private final HttpClient client;

    private HealthCheckVerifier(Builder b) {
        this.name = b.name;
        this.url = b.url;
        this.expectedStatus = b.expectedStatus;
        this.timeout = b.timeout;
        this.expectedBody = Optional.ofNullable(b.expectedBody);
        this.client = b.client == null ? DEFAULT_CLIENT : b.client;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** The URL this verifier GETs. */
    public URI url() {
        return url;
    }

    @Override
    public Verification verify(StepContext context) {
        Duration remaining = context.remaining();
        Duration budget = remaining.compareTo(timeout) < 0 ? remaining : timeout;
        String checked = "GET " + safeUrl() + " returns " + expectedStatus
                + expectedBody
                        .map(b -> " with a body containing '" + Redaction.redact(b) + "'")
                        .orElse("")
                + " within " + budget.toMillis() + " ms";
        if (budget.isZero() || budget.isNegative()) {
            return Verification.failed(name, checked, "no time left for the check")
                    .withDetail("url", safeUrl());
        }
        HttpRequest request = HttpRequest.newBuilder(url)
                .GET()
                .timeout(budget)
                .header("Accept", "application/json, text/plain, */*")
                .build();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> future =
                client.sendAsync(request, info -> new BoundedBody(MAX_BODY_BYTES));
        HttpResponse<byte[]> response;
        try {
            response = future.get(budget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return failure(
                    checked,
                    "no complete response within " + budget.toMillis() + " ms",
                    started,
                    "timeout after " + budget.toMillis() + " ms");
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new StepInterruptedException("health check of " + safeUrl() + " was interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String observed = cause instanceof HttpTimeoutException
                    ? "no complete response within " + budget.toMillis() + " ms"
                    : "no valid HTTP response: " + Redaction.describe(cause);
            return failure(checked, observed, started, Redaction.describe(cause));
        }
        long elapsedMs = (System.nanoTime() - started) / 1_000_000;
        int status = response.statusCode();
        String body = new String(response.body(), StandardCharsets.UTF_8);
        String snippet =
                Redaction.redact(body.length() > BODY_EVIDENCE ? body.substring(0, BODY_EVIDENCE) + "..." : body);
        boolean statusOk = status == expectedStatus;
        boolean bodyOk = expectedBody.map(body::contains).orElse(true);
        String observed;
        if (status == 401 || status == 403) {
            observed = "HTTP " + status + ": credential problem (the endpoint refused the request)";
        } else if (!statusOk) {
            observed = "HTTP " + status + " in " + elapsedMs + " ms";
        } else if (!bodyOk) {
            observed = "HTTP " + status + " in " + elapsedMs + " ms, but the body does not contain the expected text";
        } else {
            observed = "HTTP " + status + " in " + elapsedMs + " ms";
        }
        Verification v = statusOk && bodyOk
                ? Verification.passed(name, checked, observed)
                : Verification.failed(name, checked, observed);
        return v.withDetail("url", safeUrl())
                .withDetail("status", Integer.toString(status))
                .withDetail("elapsedMs", Long.toString(elapsedMs))
                .withDetail("body", snippet);
    }

    private Verification failure(String checked, String observed, long started, String error) {
        return Verification.failed(name, checked, observed)
                .withDetail("url", safeUrl())
                .withDetail("elapsedMs", Long.toString((System.nanoTime() - started) / 1_000_000))
                .withDetail("error", error);
    }

    private String safeUrl() {
        return Redaction.redact(url.toString());
    }

    @Override
    public String toString() {
        return "HealthCheckVerifier[" + name + ", " + safeUrl() + " -> " + expectedStatus + " within " + timeout + "]";
    }

    /**
     * Builds a {@link HealthCheckVerifier}. Setters check their argument at once (IllegalArgumentException
     * naming the field and value); not thread-safe; {@link #build()} may be called again.
     */
    /**
     * Collects at most {@code max} bytes of a body, then cancels the rest of the download and
     * completes with what it has.
     */
    static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                int take = Math.min(item.remaining(), max - out.size());
                byte[] chunk = new byte[take];
                item.get(chunk);
                out.write(chunk, 0, take);
                if (out.size() >= max) {
                    subscription.cancel();
                    result.complete(out.toByteArray());
                    return;
                }
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(out.toByteArray());
        }
    }

    public static final class Builder {
        private String name = "health-endpoint";
        private URI url;
        private int expectedStatus = 200;
        private Duration timeout = Duration.ofSeconds(10);
        private String expectedBody;
        private HttpClient client;

        private Builder() {}

        /** The verifier's name in reports. Default: {@code health-endpoint}. */
        public Builder name(String name) {
            this.name = Arguments.requireId(name, "name");
            return this;
        }

        /** The absolute http or https URL to GET, with a host and no user info. Required. */
        public Builder url(URI url) {
            Objects.requireNonNull(url, "url");
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("url must be an absolute http or https URL with a host, but was '"
                        + Redaction.redact(url.toString()) + "'");
            }
            if (url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("url must not carry user info (a credential), but was '"
                        + Redaction.redact(url.toString()) + "'");
            }
            this.url = url;
            return this;
        }

        /** The URL as text; see {@link #url(URI)}. */
        public Builder url(String url) {
            Objects.requireNonNull(url, "url");
            try {
                return url(new URI(url));
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("url must be a valid URI, but was '" + Redaction.redact(url) + "'");
            }
        }

        /** The status that passes, 100 to 599. Default: 200. */
        public Builder expectedStatus(int expectedStatus) {
            if (expectedStatus < 100 || expectedStatus > 599) {
                throw new IllegalArgumentException(
                        "expectedStatus must be between 100 and 599, but was " + expectedStatus);
            }
            this.expectedStatus = expectedStatus;
            return this;
        }

        /**
         * How long the whole response may take, above 0 and at most 5 minutes; the step's remaining
         * budget caps it further. Default: 10 seconds.
         */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative() || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("timeout must be above 0 and at most PT5M, but was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Text the body must contain (such as the version). Default: any body. */
        public Builder expectedBody(String expectedBody) {
            this.expectedBody = Arguments.requireText(expectedBody, "expectedBody");
            return this;
        }

        /**
         * The JDK client to use (for a custom TLS context or proxy). Default: a shared client that
         * never follows redirects, speaks HTTP/1.1, with a 10 s connect timeout.
         */
        public Builder httpClient(HttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /**
         * The verifier.
         *
         * @throws IllegalStateException if url is missing
         */
        public HealthCheckVerifier build() {
            if (url == null) {
                throw new IllegalStateException("url is required");
            }
            return new HealthCheckVerifier(this);
        }
    }
}
