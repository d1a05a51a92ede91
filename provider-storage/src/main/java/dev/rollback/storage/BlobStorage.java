package dev.rollback.storage;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.util.HttpClientOptions;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.policy.RequestRetryOptions;
import com.azure.storage.common.policy.RetryPolicyType;
import dev.rollback.api.Secret;
import dev.rollback.api.internal.Arguments;
import dev.rollback.storage.internal.Blobs;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The Blob service of a storage account (its data plane), as {@link BlobSyncStep},
 * {@link BlobIntegrityVerifier}, {@link BackupUploadStep} and {@link BackupDownloadStep} use it,
 * through {@code azure-storage-blob}.
 *
 * <pre>{@code
 * BlobStorage blobs = BlobStorage.builder()
 *         .connectionString(Secret.fromEnvironment("STORAGE_CONNECTION_STRING"))   // AccountKey=... or SharedAccessSignature=...
 *         .build();
 * // or, with Microsoft Entra ID (DefaultAzureCredential in production):
 * BlobStorage blobs = BlobStorage.builder()
 *         .tokenCredential("https://advisorosprodstore.blob.core.windows.net", new DefaultAzureCredentialBuilder().build())
 *         .build();
 * }</pre>
 *
 * <p>Credentials: a connection string (with an account key or a SAS) held as a {@link Secret}, or an
 * azure-core {@link TokenCredential}; {@link #ofBlobServiceClient(BlobServiceClient)} takes a client
 * you built yourself (the one factory with a Blob SDK type; it must use a shared key or a token, see
 * below). The key, the SAS and the connection string never appear in a log line, a report, evidence
 * or an exception message of this provider. Server-side copies between containers of the account
 * ({@code Copy Blob}) are authorized by the same credential; with a SAS the copy source carries the
 * same SAS, so it needs read permission on the source container.
 *
 * <p>The SDK retries each request itself ({@link Builder#maxTries maxTries} tries, exponential
 * backoff from {@link Builder#retryDelay retryDelay} to {@link Builder#maxRetryDelay maxRetryDelay},
 * each try cut at {@link Builder#tryTimeout tryTimeout}) on 429, 500, 503, timeouts and broken
 * connections; every request this provider sends to the Blob service is safe to repeat (copies and
 * uploads of the same content, writes of a property under an ETag condition, deletes that accept a
 * missing blob). What still fails after those tries reaches the step, mapped as transient for the
 * executor to retry within the step's deadline.
 *
 * <p>Immutable and thread-safe; build it once and share it. It calls nothing until a step runs.
 */
public final class BlobStorage {
    private final Blobs blobs;

    private BlobStorage(Blobs blobs) {
        this.blobs = blobs;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Over a pre-built client; its pipeline (credential, retries, HTTP client) is used as it is. The
     * client's credential must be a shared key or a token: a client authorized by a SAS is not told
     * apart, and its server-side copies would lack the SAS on their source.
     *
     * <p>Its pipeline is not checked for rollback-azure's {@code DeadlineAwareRetryPolicy}, which is
     * for the management (ARM) clients: every request this provider sends to the Blob service is safe
     * to repeat, so the client's own retry policy may re-send it, and every call is given the step's
     * remaining time as its timeout (the SDK's {@code Duration timeout} parameter, which bounds the
     * call with all its retries), so no retry outlives the step's deadline.
     *
     * @param client the client
     * @return the Blob service
     */
    public static BlobStorage ofBlobServiceClient(BlobServiceClient client) {
        return new BlobStorage(Blobs.of(Objects.requireNonNull(client, "client"), Optional.empty()));
    }

    Blobs blobs() {
        return blobs;
    }

    /** The account's Blob endpoint; never a credential. */
    @Override
    public String toString() {
        return "BlobStorage[" + blobs.describe() + "]";
    }

    /**
     * Builds a {@link BlobStorage}: exactly one of {@link #connectionString} and
     * {@link #tokenCredential}. Setters check their argument at once (IllegalArgumentException naming
     * the field and the value, never a secret); not thread-safe; {@link #build()} may be called again.
     */
    public static final class Builder {
        private Secret connectionString;
        private String endpoint;
        private TokenCredential credential;
        private int maxTries = 4;
        private Duration tryTimeout = Duration.ofSeconds(60);
        private Duration retryDelay = Duration.ofMillis(200);
        private Duration maxRetryDelay = Duration.ofSeconds(5);
        private int maxConnections = 64;

        private Builder() {}

        /**
         * A connection string with {@code AccountKey=...} or {@code SharedAccessSignature=...} (and
         * {@code BlobEndpoint} or {@code AccountName}).
         */
        public Builder connectionString(Secret connectionString) {
            Objects.requireNonNull(connectionString, "connectionString");
            String value = connectionString.reveal();
            String lower = value.toLowerCase(Locale.ROOT);
            if (!lower.contains("accountkey=") && !lower.contains("sharedaccesssignature=")
                    || !lower.contains("blobendpoint=") && !lower.contains("accountname=")) {
                throw new IllegalArgumentException("connectionString must hold AccountKey= or SharedAccessSignature="
                        + " and BlobEndpoint= or AccountName= (the value is not shown)");
            }
            this.connectionString = connectionString;
            this.endpoint = null;
            this.credential = null;
            return this;
        }

        /**
         * The account's Blob endpoint ({@code https://<account>.blob.core.windows.net}) and a token
         * credential (the identity needs "Storage Blob Data Contributor" on the containers used).
         */
        public Builder tokenCredential(String endpoint, TokenCredential credential) {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(credential, "credential");
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "endpoint must be an http(s) URL, but was '" + Arguments.printable(endpoint) + "'");
            }
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("https") || uri.getScheme().equals("http"))
                    || uri.getHost() == null
                    || uri.getRawQuery() != null
                    || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("endpoint must be an http(s) URL with a host and no query or user,"
                        + " but was '" + Arguments.printable(uri.getScheme() + "://" + uri.getHost()) + "...'");
            }
            this.endpoint = endpoint;
            this.credential = credential;
            this.connectionString = null;
            return this;
        }

        /** How many times the SDK tries a request (first try included); 1 to 10. Default: 4. */
        public Builder maxTries(int maxTries) {
            this.maxTries = Arguments.requireInRange(maxTries, "maxTries", 1, 10);
            return this;
        }

        /** How long one try may take before it is abandoned; 1 s to 10 min. Default: 60 s. */
        public Builder tryTimeout(Duration tryTimeout) {
            Arguments.requirePositive(tryTimeout, "tryTimeout", Duration.ofMinutes(10));
            if (tryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("tryTimeout must be at least 1 s, but was " + tryTimeout);
            }
            this.tryTimeout = tryTimeout;
            return this;
        }

        /** The first backoff between tries; 1 ms to 1 min. Default: 200 ms. */
        public Builder retryDelay(Duration retryDelay) {
            this.retryDelay = Arguments.requirePositive(retryDelay, "retryDelay", Duration.ofMinutes(1));
            return this;
        }

        /** The longest backoff between tries; 1 ms to 10 min, at least retryDelay. Default: 5 s. */
        public Builder maxRetryDelay(Duration maxRetryDelay) {
            this.maxRetryDelay = Arguments.requirePositive(maxRetryDelay, "maxRetryDelay", Duration.ofMinutes(10));
            return this;
        }

        /** The most connections to the Blob service at once; 1 to 1024. Default: 64. */
        public Builder maxConnections(int maxConnections) {
            this.maxConnections = Arguments.requireInRange(maxConnections, "maxConnections", 1, 1024);
            return this;
        }

        /**
         * The Blob service.
         *
         * @throws IllegalStateException if neither or both credentials are set, or maxRetryDelay is
         *     below retryDelay
         */
        public BlobStorage build() {
            if (connectionString == null && credential == null) {
                throw new IllegalStateException("a connectionString or a tokenCredential is required");
            }
            if (maxRetryDelay.compareTo(retryDelay) < 0) {
                throw new IllegalStateException(
                        "maxRetryDelay (" + maxRetryDelay + ") must be at least retryDelay (" + retryDelay + ")");
            }
            HttpClient http = HttpClient.createDefault(new HttpClientOptions()
                    .setMaximumConnectionPoolSize(maxConnections)
                    .setResponseTimeout(tryTimeout));
            BlobServiceClientBuilder b = new BlobServiceClientBuilder()
                    .httpClient(http)
                    .retryOptions(new RequestRetryOptions(
                            RetryPolicyType.EXPONENTIAL, maxTries, tryTimeout, retryDelay, maxRetryDelay, null));
            Optional<String> sas = Optional.empty();
            if (connectionString != null) {
                String value = connectionString.reveal();
                sas = Blobs.sasOf(value);
                try {
                    b.connectionString(value);
                } catch (RuntimeException e) {
                    // the SDK's message may quote the string: never pass it on
                    throw new IllegalArgumentException("connectionString could not be parsed ("
                            + e.getClass().getSimpleName() + "; the value is not shown)");
                }
            } else {
                b.endpoint(endpoint).credential(credential);
            }
            return new BlobStorage(Blobs.of(b.buildClient(), sas));
        }
    }
}
