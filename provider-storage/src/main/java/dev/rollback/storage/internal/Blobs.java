package dev.rollback.storage.internal;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.rest.PagedResponse;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobItemProperties;
import com.azure.storage.blob.models.BlobProperties;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.CopyStatusType;
import com.azure.storage.blob.models.DeleteSnapshotsOptionType;
import com.azure.storage.blob.models.DownloadRetryOptions;
import com.azure.storage.blob.models.ListBlobsOptions;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.Secret;
import dev.rollback.api.TransientFailureException;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * The Blob service as this provider uses it, over a {@link BlobServiceClient}: list a container as
 * a stream of {@link Entry}s, server-side copy one blob under ETag conditions, hash a blob's content,
 * store a content MD5, snapshot, delete. The only class of the provider's data plane that touches
 * Blob SDK types besides the public factory. Thread-safe (the SDK client is). Every write here is
 * conditional on the ETag the caller saw, so a blob changed meanwhile is reported, never clobbered.
 */
public final class Blobs {
    /** One listing page: the service's maximum. */
    public static final int PAGE_SIZE = 5000;

    private static final HttpHeaderName COPY_SOURCE = HttpHeaderName.fromString("x-ms-copy-source");
    private static final HttpHeaderName VERSION = HttpHeaderName.fromString("x-ms-version");
    private static final HttpHeaderName SOURCE_IF_MATCH = HttpHeaderName.fromString("x-ms-source-if-match");
    private static final HttpHeaderName COPY_STATUS = HttpHeaderName.fromString("x-ms-copy-status");
    private static final HttpHeaderName ERROR_CODE = HttpHeaderName.fromString("x-ms-error-code");
    private static final byte[] NO_MD5 = new byte[0];

    private final BlobServiceClient client;
    private final Optional<String> sas;

    private Blobs(BlobServiceClient client, Optional<String> sas) {
        this.client = client;
        this.sas = sas;
    }

    /** Over a client; {@code sas} is the SAS that authorizes it, if it is one (for copy sources). */
    public static Blobs of(BlobServiceClient client, Optional<String> sas) {
        return new Blobs(Objects.requireNonNull(client, "client"), Objects.requireNonNull(sas, "sas"));
    }

    /** The SharedAccessSignature of a connection string, if it has one; registered as a secret. */
    public static Optional<String> sasOf(String connectionString) {
        for (String part : connectionString.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0 && part.substring(0, eq).trim().equalsIgnoreCase("SharedAccessSignature")) {
                String value = part.substring(eq + 1).trim();
                value = value.startsWith("?") ? value.substring(1) : value;
                if (!value.isEmpty()) {
                    Secret.of(value); // so that Redaction masks it wherever it appears
                    return Optional.of(value);
                }
            }
        }
        return Optional.empty();
    }

    /** The account's Blob endpoint, without credentials. */
    public String describe() {
        String url = client.getAccountUrl();
        int query = url.indexOf('?');
        return query < 0 ? url : url.substring(0, query);
    }

    /** The container's client. */
    public BlobContainerClient container(String name) {
        return client.getBlobContainerClient(name);
    }

    /** Whether the container exists. */
    public boolean containerExists(String container, Duration timeout) {
        try {
            return container(container)
                    .existsWithResponse(positive(timeout), Context.NONE)
                    .getValue();
        } catch (RuntimeException e) {
            throw AzureErrors.map("reading container " + container + " of " + describe(), e);
        }
    }

    /** Creates the container unless it exists. */
    public void createContainerIfMissing(String container, Duration timeout) {
        try {
            container(container).createIfNotExistsWithResponse(null, positive(timeout), Context.NONE);
        } catch (RuntimeException e) {
            throw AzureErrors.map("creating container " + container + " of " + describe(), e);
        }
    }

    /**
     * A blob as a listing shows it: name, size, content MD5 (empty when the service has none), ETag,
     * and, when the MD5 is missing, the headers to keep when one is stored.
     */
    public record Entry(String name, long size, byte[] md5, String etag, BlobHttpHeaders headers) {
        /** Whether the service holds a content MD5 for it. */
        public boolean hasMd5() {
            return md5.length > 0;
        }

        /** Whether both hold an MD5 and they are equal. */
        public boolean sameMd5(byte[] other) {
            return md5.length > 0 && Arrays.equals(md5, other);
        }

        /** This entry with {@code newMd5} and {@code newEtag}. */
        public Entry withMd5(byte[] newMd5, String newEtag) {
            return new Entry(name, size, newMd5, newEtag, headers);
        }

        @Override
        public String toString() {
            return "Entry[" + name + ", " + size + " bytes, md5 " + Md5.hex(md5) + "]";
        }
    }

    static Entry entry(BlobItem item) {
        BlobItemProperties p = item.getProperties();
        byte[] md5 = p.getContentMd5() == null ? NO_MD5 : p.getContentMd5();
        BlobHttpHeaders headers = md5.length > 0
                ? null
                : new BlobHttpHeaders()
                        .setContentType(p.getContentType())
                        .setContentEncoding(p.getContentEncoding())
                        .setContentLanguage(p.getContentLanguage())
                        .setContentDisposition(p.getContentDisposition())
                        .setCacheControl(p.getCacheControl());
        return new Entry(
                item.getName(),
                p.getContentLength() == null ? 0 : p.getContentLength(),
                md5,
                Objects.toString(p.getETag(), ""),
                headers);
    }

    /** How many times a listing resumes from its last page after a broken connection. */
    static final int LISTING_RESUMES = 3;

    /**
     * The blobs of {@code container} under {@code prefix} (empty: all), in the service's order (by
     * name), one page of {@link #PAGE_SIZE} at a time as the iterator is consumed: the listing is
     * streamed, never held whole. A page whose answer breaks (the SDK retries a request only until its
     * headers arrive, not while its body is read) is asked again from the continuation token of the
     * page before, up to {@value #LISTING_RESUMES} times in a row. A missing container is an
     * {@code INVALID_CONFIGURATION} naming it.
     */
    public Iterator<Iterable<Entry>> pages(String container, String prefix, Duration timeout) {
        ListBlobsOptions options = new ListBlobsOptions().setMaxResultsPerPage(PAGE_SIZE);
        if (!prefix.isEmpty()) {
            options.setPrefix(prefix);
        }
        String what = "listing container " + container + " of " + describe();
        return new Iterator<>() {
            private String token;
            private int failures;
            /** Opened lazily, inside the retrying calls: the SDK asks for the first page when it is opened. */
            private Iterator<PagedResponse<BlobItem>> pages;

            private Iterator<PagedResponse<BlobItem>> open(String continuation) {
                return container(container)
                        .listBlobs(options, continuation, positive(timeout))
                        .iterableByPage(PAGE_SIZE)
                        .iterator();
            }

            private void resume(RuntimeException e) {
                if (AzureErrors.status(e) == 404
                        && AzureErrors.errorCode(e)
                                .filter("ContainerNotFound"::equals)
                                .isPresent()) {
                    throw new RollbackException(
                            ErrorCode.INVALID_CONFIGURATION,
                            "container " + container + " does not exist in " + describe() + "; nothing was copied");
                }
                if (!(AzureErrors.answerLost(e) || AzureErrors.transientStatus(AzureErrors.status(e)))
                        || ++failures > LISTING_RESUMES) {
                    throw AzureErrors.map(what, e);
                }
                try {
                    Thread.sleep(50L * failures);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw AzureErrors.map(what, e);
                }
                pages = null;
            }

            @Override
            public boolean hasNext() {
                while (true) {
                    try {
                        if (pages == null) {
                            pages = open(token);
                        }
                        return pages.hasNext();
                    } catch (RuntimeException e) {
                        resume(e);
                    }
                }
            }

            @Override
            public Iterable<Entry> next() {
                while (true) {
                    try {
                        if (pages == null) {
                            pages = open(token);
                        }
                        PagedResponse<BlobItem> page = pages.next();
                        List<Entry> entries =
                                page.getValue().stream().map(Blobs::entry).toList();
                        token = page.getContinuationToken();
                        failures = 0;
                        return entries;
                    } catch (NoSuchElementException e) {
                        throw e;
                    } catch (RuntimeException e) {
                        resume(e);
                        if (!hasNext()) {
                            throw new NoSuchElementException();
                        }
                    }
                }
            }
        };
    }

    /** How a conditional write ended. */
    public enum Outcome {
        /** Done. */
        DONE,
        /** The source changed since it was listed (its ETag condition failed): nothing was written. */
        SOURCE_CHANGED,
        /**
         * A condition failed and the service did not say which side's: read the destination to tell
         * (it may also be this copy's own result, when the SDK retried a copy that had succeeded).
         */
        CONDITION_FAILED,
        /** The source is gone since it was listed. */
        SOURCE_GONE
    }

    /**
     * Server-side copy ({@code Copy Blob}: one {@code PUT} with {@code x-ms-copy-source}, sent through
     * the client's pipeline, so its credential, retries and logging apply), conditional on the
     * source's ETag ({@code x-ms-source-if-match}) and on the destination being the one listed
     * ({@code If-Match}) or absent ({@code If-None-Match: *}). A copy still pending (large blobs on
     * Azure) is awaited at most {@code timeout}. The SDK's own entry point for Copy Blob is a poller
     * that always reads the destination once more; this sends one request where the copy completes
     * at once (the usual case within an account).
     *
     * @param destinationEtag the destination's ETag as listed, or empty when it does not exist
     */
    public Outcome copy(
            String sourceContainer,
            Entry source,
            String destinationContainer,
            Optional<String> destinationEtag,
            Duration timeout)
            throws InterruptedException {
        BlobClient src = container(sourceContainer).getBlobClient(source.name());
        BlobClient dst = container(destinationContainer).getBlobClient(source.name());
        HttpRequest request = new HttpRequest(HttpMethod.PUT, dst.getBlobUrl());
        request.setHeader(COPY_SOURCE, src.getBlobUrl() + sas.map(s -> "?" + s).orElse(""));
        request.setHeader(VERSION, dst.getServiceVersion().getVersion());
        request.setHeader(HttpHeaderName.CONTENT_LENGTH, "0");
        request.setHeader(SOURCE_IF_MATCH, source.etag());
        if (destinationEtag.isPresent()) {
            request.setHeader(HttpHeaderName.IF_MATCH, destinationEtag.get());
        } else {
            request.setHeader(HttpHeaderName.IF_NONE_MATCH, "*");
        }
        String what = "copying blob " + source.name() + " from " + sourceContainer + " to " + destinationContainer;
        String status;
        try (HttpResponse response =
                dst.getHttpPipeline().sendSync(request, new Context("azure-response-timeout", positive(timeout)))) {
            int code = response.getStatusCode();
            if (code == 412) {
                // Azure names the side (SourceConditionNotMet); Azurite says ConditionNotMet for both
                String error = Objects.toString(response.getHeaderValue(ERROR_CODE), "");
                return error.toLowerCase(Locale.ROOT).startsWith("source")
                        ? Outcome.SOURCE_CHANGED
                        : Outcome.CONDITION_FAILED;
            }
            if (code == 404) {
                String error = Objects.toString(response.getHeaderValue(ERROR_CODE), "");
                if (error.equals("BlobNotFound") || error.equals("CannotVerifyCopySource")) {
                    return Outcome.SOURCE_GONE;
                }
            }
            if (code != 202) {
                throw failure(what, response);
            }
            status = Objects.toString(response.getHeaderValue(COPY_STATUS), "");
        } catch (RuntimeException e) {
            throw AzureErrors.map(what, e);
        }
        if (!status.equalsIgnoreCase(CopyStatusType.SUCCESS.toString())) {
            awaitCopy(dst, what, timeout);
        }
        return Outcome.DONE;
    }

    private static void awaitCopy(BlobClient dst, String what, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            BlobProperties p;
            try {
                p = dst.getPropertiesWithResponse(null, positive(timeout), Context.NONE)
                        .getValue();
            } catch (RuntimeException e) {
                throw AzureErrors.map(what, e);
            }
            CopyStatusType s = p.getCopyStatus();
            if (s == null || s == CopyStatusType.SUCCESS) {
                return;
            }
            if (s != CopyStatusType.PENDING) {
                throw new RollbackException(
                        ErrorCode.EXTERNAL_FAILURE,
                        what + " ended " + s + ": "
                                + Redaction.redact(Objects.toString(p.getCopyStatusDescription(), "")));
            }
            if (System.nanoTime() >= end) {
                throw new TransientFailureException(what + " is still pending after " + timeout, null);
            }
            Thread.sleep(200);
        }
    }

    private static RollbackException failure(String what, HttpResponse response) {
        int code = response.getStatusCode();
        String error = Objects.toString(response.getHeaderValue(ERROR_CODE), "");
        if (code == 401 || code == 403) {
            return new RollbackException(
                    ErrorCode.CREDENTIAL_PROBLEM, what + " failed: credential problem (HTTP " + code + ")");
        }
        String message = what + " failed: HTTP " + code + (error.isEmpty() ? "" : " " + error);
        return AzureErrors.transientStatus(code)
                ? new TransientFailureException(message, null)
                : new RollbackException(ErrorCode.EXTERNAL_FAILURE, message);
    }

    /**
     * The MD5 of the blob's content, streamed through a digest (nothing is kept), of the version
     * listed (an {@code If-Match} on its ETag).
     *
     * @return the digest, or empty when the blob changed (or went) since it was listed
     */
    public Optional<byte[]> computeMd5(String container, Entry entry, Duration timeout) {
        BlobClient blob = container(container).getBlobClient(entry.name());
        MessageDigest md5 = Md5.newDigest();
        try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), md5)) {
            blob.downloadStreamWithResponse(
                    sink,
                    null,
                    new DownloadRetryOptions().setMaxRetryRequests(3),
                    new BlobRequestConditions().setIfMatch(entry.etag()),
                    false,
                    positive(timeout),
                    Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw AzureErrors.map("hashing blob " + entry.name() + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("hashing blob " + entry.name() + " of " + container, e);
        } catch (IOException e) {
            throw new IllegalStateException("a digest stream cannot fail", e);
        }
        return Optional.of(md5.digest());
    }

    /**
     * Downloads the blob into {@code out} (the SDK resumes a broken download from where it stopped,
     * up to 5 times).
     */
    public void download(String container, String name, OutputStream out, Duration timeout) {
        try {
            container(container)
                    .getBlobClient(name)
                    .downloadStreamWithResponse(
                            out,
                            null,
                            new DownloadRetryOptions().setMaxRetryRequests(5),
                            null,
                            false,
                            positive(timeout),
                            Context.NONE);
        } catch (RuntimeException e) {
            throw AzureErrors.map("downloading blob " + name + " of " + container, e);
        }
    }

    /**
     * Stores {@code md5} as the blob's {@code Content-MD5}, keeping its other headers, if it is still
     * the version listed.
     *
     * @return the blob's new ETag, or empty when it changed since it was listed
     */
    public Optional<String> storeMd5(String container, Entry entry, byte[] md5, Duration timeout) {
        BlobHttpHeaders headers = entry.headers() == null ? new BlobHttpHeaders() : entry.headers();
        BlobHttpHeaders withMd5 = new BlobHttpHeaders()
                .setContentType(headers.getContentType())
                .setContentEncoding(headers.getContentEncoding())
                .setContentLanguage(headers.getContentLanguage())
                .setContentDisposition(headers.getContentDisposition())
                .setCacheControl(headers.getCacheControl())
                .setContentMd5(md5);
        try {
            return Optional.of(container(container)
                    .getBlobClient(entry.name())
                    .setHttpHeadersWithResponse(
                            withMd5,
                            new BlobRequestConditions().setIfMatch(entry.etag()),
                            positive(timeout),
                            Context.NONE)
                    .getHeaders()
                    .getValue(HttpHeaderName.ETAG));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw AzureErrors.map("storing the MD5 of blob " + entry.name() + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("storing the MD5 of blob " + entry.name() + " of " + container, e);
        }
    }

    /**
     * Snapshots the blob if it is still the version listed.
     *
     * @return false when it changed since it was listed
     */
    public boolean snapshot(String container, Entry entry, Duration timeout) {
        try {
            container(container)
                    .getBlobClient(entry.name())
                    .createSnapshotWithResponse(
                            null,
                            new BlobRequestConditions().setIfMatch(entry.etag()),
                            positive(timeout),
                            Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return false;
            }
            throw AzureErrors.map("snapshotting blob " + entry.name() + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("snapshotting blob " + entry.name() + " of " + container, e);
        }
    }

    /**
     * Deletes the blob (and its snapshots) if it is still the version listed; a blob already gone
     * counts as deleted (a retried delete).
     *
     * @return false when it changed since it was listed
     */
    public boolean delete(String container, Entry entry, Duration timeout) {
        try {
            container(container)
                    .getBlobClient(entry.name())
                    .deleteIfExistsWithResponse(
                            DeleteSnapshotsOptionType.INCLUDE,
                            new BlobRequestConditions().setIfMatch(entry.etag()),
                            positive(timeout),
                            Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 412) {
                return false;
            }
            throw AzureErrors.map("deleting blob " + entry.name() + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("deleting blob " + entry.name() + " of " + container, e);
        }
    }

    /** One blob as it is now (name, size, MD5, ETag), or empty if it does not exist. */
    public Optional<Entry> current(String container, String name, Duration timeout) {
        try {
            BlobProperties p = container(container)
                    .getBlobClient(name)
                    .getPropertiesWithResponse(null, positive(timeout), Context.NONE)
                    .getValue();
            return Optional.of(new Entry(
                    name,
                    p.getBlobSize(),
                    p.getContentMd5() == null ? NO_MD5 : p.getContentMd5(),
                    Objects.toString(p.getETag(), ""),
                    null));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw AzureErrors.map("reading blob " + name + " of " + container, e);
        } catch (RuntimeException e) {
            throw AzureErrors.map("reading blob " + name + " of " + container, e);
        }
    }

    static Duration positive(Duration d) {
        return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
    }
}
