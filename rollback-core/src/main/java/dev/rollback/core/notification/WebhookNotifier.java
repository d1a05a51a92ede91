package dev.rollback.core.notification;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackClock;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.internal.Arguments;
import dev.rollback.api.spi.Notification;
import dev.rollback.api.spi.Notifier;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link Notifier} that POSTs each notification as JSON (built with Jackson) to a webhook with the
 * JDK {@link HttpClient}, within a connect timeout and a request timeout. One call is one attempt:
 * the {@link NotificationDispatcher} retries it with backoff and records it.
 *
 * <p>Failures: a 408, 425, 429 or 5xx answer, a timeout and a connection failure (reset, refused)
 * throw a {@link TransientFailureException} (with the Retry-After of the answer when given, in seconds
 * or as an HTTP-date), which
 * is retried; any other non-2xx answer throws a {@link RollbackException} ({@link ErrorCode#EXTERNAL_FAILURE}),
 * which is not. Each request carries an {@code Idempotency-Key} derived from the notification, the
 * same on every retry, so a receiver can drop duplicates.
 *
 * <p>JSON body: {@code incidentId, stakeholder, recipients[], severity, severityLabel, subject, body,
 * incidentOpenedAt, createdAt} (instants in ISO-8601).
 *
 * <p>Security: whenever a bearer token or a signing key is configured the endpoint must be
 * {@code https} (plain {@code http} is accepted only to a loopback address, where nothing leaves
 * the machine). With a {@linkplain Builder#signingKey signing key} every request carries
 * {@value #TIMESTAMP_HEADER} (Unix seconds) and {@value #SIGNATURE_HEADER} ({@code v1=} and the
 * lower-case hex HMAC-SHA256, keyed with the signing key, of the timestamp, a {@code .} and the
 * exact body bytes). A receiver recomputes it ({@link #signatureValid}), compares in constant time,
 * rejects a timestamp more than {@link #REPLAY_WINDOW} (5 minutes) away from its clock, and drops a
 * repeated {@code Idempotency-Key} seen within that window: a captured request replayed later is
 * refused. Subject and body are redacted before they are sent.
 *
 * <p>Immutable and thread-safe; build with {@link #custom()}. It never logs or puts in a message the
 * endpoint's path, query or user info (they may hold a token) nor the bearer token: only scheme,
 * host and port.
 */
public final class WebhookNotifier implements Notifier {
    /** The header with the Unix time (seconds) the request was signed at. */
    public static final String TIMESTAMP_HEADER = "X-Rollback-Timestamp";

    /** The header with the signature: {@code v1=<hex HMAC-SHA256 of timestamp + "." + body>}. */
    public static final String SIGNATURE_HEADER = "X-Rollback-Signature";

    /** How far a receiver should accept a signed timestamp from its own clock, either way. */
    public static final Duration REPLAY_WINDOW = Duration.ofMinutes(5);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI endpoint;
    private final String safeTarget;
    private final Duration requestTimeout;
    private final Optional<Secret> bearerToken;
    private final Optional<Secret> signingKey;
    private final RollbackClock clock;
    private final HttpClient client;

    private WebhookNotifier(Builder b) {
        this.name = "webhook:" + b.name;
        this.endpoint = b.endpoint;
        this.safeTarget = endpoint.getScheme() + "://" + endpoint.getHost()
                + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort());
        this.requestTimeout = b.requestTimeout;
        this.bearerToken = b.bearerToken;
        this.signingKey = b.signingKey;
        this.clock = b.clock;
        this.client = HttpClient.newBuilder()
                .connectTimeout(b.connectTimeout)
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * A builder: connect timeout 5 s, request timeout 10 s, no bearer token, the system clock; name and
     * endpoint required.
     */
    public static Builder custom() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void send(Notification notification) throws InterruptedException {
        byte[] body = toJson(notification);
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", idempotencyKey(notification))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        bearerToken.ifPresent(token -> request.header("Authorization", "Bearer " + token.reveal()));
        if (signingKey.isPresent()) {
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            request.header(TIMESTAMP_HEADER, timestamp);
            request.header(SIGNATURE_HEADER, "v1=" + sign(signingKey.get(), timestamp, body));
        }
        HttpResponse<Void> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new TransientFailureException(name + " (" + safeTarget + ") failed", e);
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String message =
                name + " (" + safeTarget + ") answered HTTP " + status + " for incident " + notification.incidentId();
        if (status == 408 || status == 425 || status == 429 || status >= 500) {
            Optional<Duration> retryAfter = response.headers()
                    .firstValue("Retry-After")
                    .flatMap(value -> retryAfter(value, response.headers().firstValue("Date"), clock.instant()));
            throw retryAfter
                    .map(wait -> new TransientFailureException(message, wait, null))
                    .orElseGet(() -> new TransientFailureException(message, null));
        }
        throw new RollbackException(ErrorCode.EXTERNAL_FAILURE, message);
    }

    /** The JSON body of a notification. */
    static byte[] toJson(Notification n) {
        ObjectNode body =
                JSON.createObjectNode().put("incidentId", n.incidentId()).put("stakeholder", n.stakeholder());
        n.recipients().forEach(body.putArray("recipients")::add);
        body.put("severity", n.severity().name())
                .put("severityLabel", n.severity().label())
                .put("subject", Redaction.redact(n.subject()))
                .put("body", Redaction.redact(n.body()))
                .put("incidentOpenedAt", n.incidentOpenedAt().toString())
                .put("createdAt", n.createdAt().toString());
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a notification tree always serializes", e);
        }
    }

    /** The lower-case hex HMAC-SHA256, keyed with {@code key}, of {@code timestamp + "." + body}. */
    static String sign(Secret key, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) '.');
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }

    /**
     * For a receiver: whether {@code signature} (the {@value #SIGNATURE_HEADER} header) is the
     * signature of {@code body} at {@code timestamp} (the {@value #TIMESTAMP_HEADER} header) with
     * {@code key}, and the timestamp is within {@link #REPLAY_WINDOW} of {@code now}. Compares in
     * constant time; false for anything malformed.
     */
    public static boolean signatureValid(Secret key, String timestamp, byte[] body, String signature, Instant now) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(now, "now");
        if (timestamp == null || signature == null || !signature.startsWith("v1=")) {
            return false;
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            return false;
        }
        Duration skew = Duration.between(Instant.ofEpochSecond(seconds), now).abs();
        if (skew.compareTo(REPLAY_WINDOW) > 0) {
            return false;
        }
        byte[] expected = sign(key, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature.substring(3).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }

    private static String idempotencyKey(Notification n) {
        String identity = n.incidentId() + '\n' + n.stakeholder() + '\n' + n.createdAt() + '\n' + n.subject();
        return UUID.nameUUIDFromBytes(identity.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Retry-After in either of its forms: delay-seconds ({@code 120}) or an HTTP-date
     * ({@code Wed, 21 Oct 2015 07:28:00 GMT}). A date counts from the answer's Date header when it has
     * one (the server's clock, so that a skewed local clock does not stretch the wait), else from
     * {@code now}; a date already past means no wait. Anything else is ignored (the dispatcher's
     * backoff applies).
     */
    static Optional<Duration> retryAfter(String value, Optional<String> date, Instant now) {
        String trimmed = value.trim();
        try {
            long s = Long.parseLong(trimmed);
            return s >= 0 ? Optional.of(Duration.ofSeconds(s)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            // an HTTP-date, or nothing
        }
        Optional<Instant> at = httpDate(trimmed);
        if (at.isEmpty()) {
            return Optional.empty();
        }
        Instant from = date.flatMap(WebhookNotifier::httpDate).orElse(now);
        Duration wait = Duration.between(from, at.get());
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
    }

    private static Optional<Instant> httpDate(String value) {
        try {
            return Optional.of(ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static boolean loopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return h.equalsIgnoreCase("localhost")
                || h.startsWith("127.")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1");
    }

    @Override
    public String toString() {
        return "WebhookNotifier[" + name + ", " + safeTarget + "]";
    }

    /** Builds a {@link WebhookNotifier}; reusable, each {@link #build()} is independent. Not thread-safe. */
    public static final class Builder {
        private String name;
        private URI endpoint;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Optional<Secret> bearerToken = Optional.empty();
        private Optional<Secret> signingKey = Optional.empty();
        private RollbackClock clock = RollbackClock.system();

        private Builder() {}

        /** A short name for reports; the notifier is named {@code webhook:<name>}. Required. */
        public Builder name(String name) {
            this.name = Arguments.requireText(name, "name");
            return this;
        }

        /** The http or https URL to POST to. Required. It may hold a token; it is never logged. */
        public Builder endpoint(URI endpoint) {
            Objects.requireNonNull(endpoint, "endpoint");
            String scheme = endpoint.getScheme();
            if (!("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme)) || endpoint.getHost() == null) {
                throw new IllegalArgumentException(
                        "endpoint must be an absolute http or https URL with a host, but was "
                                + Redaction.redact(scheme + "://" + endpoint.getHost()));
            }
            this.endpoint = endpoint;
            return this;
        }

        /** How long to wait for a connection; positive. Default 5 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Arguments.requirePositive(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the answer once the request is sent; positive. Default 10 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Arguments.requirePositive(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * A key to sign every request with (HMAC-SHA256 over the timestamp and the body, see the
         * class description); at least 16 characters. Needs an https endpoint (or loopback http).
         * Default: none, requests are not signed.
         */
        public Builder signingKey(Secret signingKey) {
            Objects.requireNonNull(signingKey, "signingKey");
            if (signingKey.reveal().length() < 16) {
                throw new IllegalArgumentException("signingKey must be at least 16 characters, but was shorter");
            }
            this.signingKey = Optional.of(signingKey);
            return this;
        }

        /** A bearer token for the Authorization header. Needs an https endpoint (or loopback http). Default: none. */
        public Builder bearerToken(Secret bearerToken) {
            this.bearerToken = Optional.of(Objects.requireNonNull(bearerToken, "bearerToken"));
            return this;
        }

        /**
         * The clock a Retry-After HTTP-date is measured from when the answer carries no Date header.
         * Default: the system clock.
         */
        public Builder clock(RollbackClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Builds the notifier; needs a name and an endpoint. */
        public WebhookNotifier build() {
            if (name == null || endpoint == null) {
                throw new IllegalArgumentException(
                        "name and endpoint are required, but " + (name == null ? "name" : "endpoint") + " was not set");
            }
            if ((bearerToken.isPresent() || signingKey.isPresent())
                    && !"https".equalsIgnoreCase(endpoint.getScheme())
                    && !loopback(endpoint.getHost())) {
                throw new IllegalArgumentException(
                        "endpoint must be https when a bearerToken or signingKey is configured,"
                                + " but was " + endpoint.getScheme() + "://" + Arguments.printable(endpoint.getHost())
                                + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort()));
            }
            return new WebhookNotifier(this);
        }
    }
}
