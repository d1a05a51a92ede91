package dev.rollback.benchmarks.storage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Slf4jNotifier;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.QueryParameter;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Blob service endpoint simulated on WireMock, for the sync benchmark: it answers every request
 * after a fixed delay and serves requests in parallel (asynchronous responses, so a delayed answer
 * holds no server thread), as a storage account does, with the cost of the network and of the
 * service reduced to that delay. It keeps no data: container {@code src} holds {@code blobs} blobs
 * {@code blob-0000000}..., each with a size and a {@code Content-MD5} derived from its index;
 * container {@code synced} lists the same blobs (a destination already in sync); every other
 * container exists and is empty. {@code Copy Blob} answers {@code 202} with
 * {@code x-ms-copy-status: success}. List Blobs pages hold at most {@code maxresults} blobs and a
 * {@code NextMarker}. Thread-safe.
 */
final class SimulatedBlobEndpoint implements ResponseDefinitionTransformerV2, AutoCloseable {
    static final String ACCOUNT = "bench";
    static final String SOURCE = "src";
    static final String SYNCED = "synced";
    private static final String KEY = Base64.getEncoder().encodeToString(new byte[64]);

    private final int blobs;
    private final int delayMs;
    private final WireMockServer server;
    final AtomicLong requests = new AtomicLong();
    final AtomicLong copies = new AtomicLong();
    final AtomicLong lists = new AtomicLong();

    SimulatedBlobEndpoint(int blobs, int delayMs) {
        this.blobs = blobs;
        this.delayMs = delayMs;
        this.server = new WireMockServer(wireMockConfig()
                .bindAddress("127.0.0.1")
                .dynamicPort()
                .containerThreads(64)
                .asynchronousResponseEnabled(true)
                .asynchronousResponseThreads(16)
                .disableRequestJournal()
                .notifier(new Slf4jNotifier(false))
                .extensions(this));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(aResponse().withTransformers(getName())));
    }

    /** A connection string for the simulated account (its key is a dummy the endpoint never checks). */
    String connectionString() {
        return "DefaultEndpointsProtocol=http;AccountName=" + ACCOUNT + ";AccountKey=" + KEY
                + ";BlobEndpoint=http://127.0.0.1:" + server.port() + "/" + ACCOUNT + ";";
    }

    @Override
    public String getName() {
        return "simulated-blob-endpoint";
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public ResponseDefinition transform(ServeEvent event) {
        requests.incrementAndGet();
        LoggedRequest request = event.getRequest();
        String path = request.getUrl();
        int q = path.indexOf('?');
        String[] segments = (q < 0 ? path : path.substring(0, q)).split("/");
        // "", account, container[, blob...]
        String container = segments.length > 2 ? segments[2] : "";
        ResponseDefinitionBuilder answer;
        if ("list".equals(query(request, "comp"))) {
            lists.incrementAndGet();
            answer = list(container, query(request, "marker"), query(request, "maxresults"));
        } else if (request.getMethod().getName().equals("PUT") && request.containsHeader("x-ms-copy-source")) {
            copies.incrementAndGet();
            answer = aResponse()
                    .withStatus(202)
                    .withHeader("x-ms-copy-id", "00000000-0000-0000-0000-" + String.format("%012d", copies.get()))
                    .withHeader("x-ms-copy-status", "success")
                    .withHeader("ETag", "\"0x8DCOPY" + copies.get() + "\"")
                    .withHeader("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
        } else if ("container".equals(query(request, "restype"))) {
            answer = aResponse()
                    .withStatus(200)
                    .withHeader("ETag", "\"0x8DCONTAINER\"")
                    .withHeader("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT");
        } else {
            answer = aResponse().withStatus(404).withHeader("x-ms-error-code", "BlobNotFound");
        }
        return answer.withHeader("x-ms-version", "2026-06-06")
                .withFixedDelay(delayMs)
                .build();
    }

    private static String query(LoggedRequest request, String name) {
        QueryParameter p = request.queryParameter(name);
        return p.isPresent() ? p.firstValue() : null;
    }

    private ResponseDefinitionBuilder list(String container, String marker, String maxResults) {
        int start = marker == null || marker.isEmpty() ? 0 : Integer.parseInt(marker.substring("blob-".length()));
        int max = maxResults == null ? 5000 : Integer.parseInt(maxResults);
        int count = container.equals(SOURCE) || container.equals(SYNCED) ? blobs : 0;
        int end = Math.min(count, start + max);
        StringBuilder xml = new StringBuilder(256 + (end - start) * 420);
        xml.append("<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"http://127.0.0.1:")
                .append(server.port())
                .append("/")
                .append(ACCOUNT)
                .append("/\" ContainerName=\"")
                .append(container)
                .append("\"><MaxResults>")
                .append(max)
                .append("</MaxResults><Blobs>");
        for (int i = start; i < end; i++) {
            xml.append("<Blob><Name>")
                    .append(name(i))
                    .append("</Name><Properties><Last-Modified>Mon, 01 Jan 2024 00:00:00 GMT</Last-Modified><Etag>0x8D")
                    .append(Integer.toHexString(i).toUpperCase(Locale.ROOT))
                    .append("</Etag><Content-Length>")
                    .append(size(i))
                    .append("</Content-Length><Content-Type>application/octet-stream</Content-Type><Content-MD5>")
                    .append(md5(i))
                    .append(
                            "</Content-MD5><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus>"
                                    + "<LeaseState>available</LeaseState><ServerEncrypted>true</ServerEncrypted></Properties></Blob>");
        }
        xml.append("</Blobs><NextMarker>")
                .append(end < count ? name(end) : "")
                .append("</NextMarker></EnumerationResults>");
        return aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "application/xml")
                .withBody(xml.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String name(int i) {
        return String.format("blob-%07d", i);
    }

    static long size(int i) {
        return 1024L + (i * 7919L) % (1024 * 1024);
    }

    private static String md5(int i) {
        try {
            return Base64.getEncoder()
                    .encodeToString(
                            MessageDigest.getInstance("MD5").digest(name(i).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
