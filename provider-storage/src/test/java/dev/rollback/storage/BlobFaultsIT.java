package dev.rollback.storage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.rollback.api.RetrySettings;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.ForwardingStepContext;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azurite.AzuriteServer;
import dev.rollback.testkit.fault.FaultProxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The blob sync under real faults: Azurite stopped mid-sync and started again, connections reset by a
 * TCP fault proxy, 503 answers from a WireMock proxy in front of Azurite.
 */
class BlobFaultsIT {
    @RegisterExtension
    static final ServerExtension<AzuriteServer> AZURITE = AzuriteServer.sharedExtension();

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private static BlobServiceClient client(String connectionString) {
        return new BlobServiceClientBuilder().connectionString(connectionString).buildClient();
    }

    private static String connectionString(String endpoint) {
        return "DefaultEndpointsProtocol=http;AccountName=" + AzuriteServer.ACCOUNT_NAME + ";AccountKey="
                + AzuriteServer.ACCOUNT_KEY + ";BlobEndpoint=" + endpoint + ";";
    }

    private static void seed(BlobServiceClient client, String source, String destination, int blobs) {
        BlobContainerClient src = client.createBlobContainer(source);
        client.createBlobContainer(destination);
        for (int i = 0; i < blobs; i++) {
            src.getBlobClient(String.format("doc-%04d.pdf", i)).upload(BinaryData.fromString("content of " + i));
        }
    }

    private static Map<String, String> contents(BlobServiceClient client, String container) {
        Map<String, String> out = new HashMap<>();
        BlobContainerClient c = client.getBlobContainerClient(container);
        for (BlobItem item : c.listBlobs()) {
            out.put(
                    item.getName(),
                    c.getBlobClient(item.getName()).downloadContent().toString());
        }
        return out;
    }

    private static StorageRollback storage(String connectionString, int maxTries) {
        return StorageRollback.ofBlobs(BlobStorage.builder()
                .connectionString(Secret.of(connectionString))
                .maxTries(maxTries)
                .retryDelay(Duration.ofMillis(20))
                .maxRetryDelay(Duration.ofMillis(100))
                .tryTimeout(Duration.ofSeconds(5))
                .build());
    }

    @Test
    void azuriteStoppedMidSyncAndStartedAgainLeavesARerunOnlyWhatIsMissing() throws Exception {
        try (AzuriteServer azurite = AzuriteServer.builder().persistent(true).build()) {
            azurite.start();
            BlobServiceClient client = client(azurite.connectionString());
            seed(client, "documents-backup", "documents", 80);
            BlobSyncStep step = storage(azurite.connectionString(), 2)
                    .blobSync()
                    .sourceContainer("documents-backup")
                    .destinationContainer("documents")
                    .concurrency(2)
                    .build();
            AtomicInteger checkpoints = new AtomicInteger();
            TestStepContext inner = TestStepContext.of(step.id(), Duration.ofMinutes(2));
            ForwardingStepContext stopsAzurite = new ForwardingStepContext(inner) {
                @Override
                public void checkpoint() {
                    if (checkpoints.incrementAndGet() == 30) {
                        azurite.stop(); // SIGTERM; copies in flight and every later request fail
                    }
                    super.checkpoint();
                }
            };

            assertThatThrownBy(() -> step.execute(stopsAzurite))
                    .isInstanceOf(TransientFailureException.class)
                    .hasMessageContaining("failed")
                    .hasMessageContaining("a retry copies only what still differs");
            long failed = Long.parseLong(inner.evidence().get(BlobSyncStep.FAILED));
            assertThat(failed).isPositive();
            assertThat(inner.evidence()).containsEntry(BlobSyncStep.DELETED, "0");

            azurite.start();
            int there = contents(client, "documents").size();
            assertThat(there).isBetween(1, 79);

            TestStepContext rerun = TestStepContext.of(step.id(), Duration.ofMinutes(1));
            step.execute(rerun);

            assertThat(rerun.evidence())
                    .containsEntry(BlobSyncStep.COPIED, Integer.toString(80 - there))
                    .containsEntry(BlobSyncStep.UNCHANGED, Integer.toString(there))
                    .containsEntry(BlobSyncStep.FAILED, "0");
            assertThat(contents(client, "documents")).isEqualTo(contents(client, "documents-backup"));
        }
    }

    @Test
    void connectionsResetDuringTheSyncAreRetriedAndTheResultIsComplete() throws Exception {
        AzuriteServer azurite = AZURITE.server();
        String source = "reset-src-" + COUNTER.incrementAndGet();
        String destination = "reset-dst-" + COUNTER.get();
        BlobServiceClient direct = client(azurite.connectionString());
        seed(direct, source, destination, 120);
        AtomicBoolean resetting = new AtomicBoolean(true);
        AtomicInteger resets = new AtomicInteger();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", azurite.port())) {
            StorageRollback storage =
                    storage(connectionString("http://127.0.0.1:" + proxy.port() + "/" + AzuriteServer.ACCOUNT_NAME), 5);
            BlobSyncStep step = storage.blobSync()
                    .sourceContainer(source)
                    .destinationContainer(destination)
                    .concurrency(4)
                    .build();
            Thread resetter = new Thread(() -> {
                while (resetting.get()) {
                    if (proxy.openSockets() > 0) {
                        proxy.resetConnections();
                        resets.incrementAndGet();
                    }
                    try {
                        Thread.sleep(250);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            resetter.start();
            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
                report = executor.run(
                        storage.addFileRecovery(
                                        RollbackPlan.builder("resets", StorageRollback.FILE_STORAGE_OBJECTIVES), step)
                                .build(),
                        RunRequest.drill("faults"));
            } finally {
                resetting.set(false);
                resetter.join();
            }
            // bounded: within the attempts the plan allows, inside the step's deadline
            assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(resets.get()).isPositive();
        }
        assertThat(contents(direct, destination)).isEqualTo(contents(direct, source));
    }

    /** Answers 503 to Copy Blob requests as told; proxies everything else to Azurite. */
    static final class CopyFaults implements ResponseDefinitionTransformerV2 {
        enum Mode {
            ONCE_PER_BLOB,
            ALWAYS
        }

        volatile Mode mode = Mode.ONCE_PER_BLOB;
        final Set<String> failedOnce = ConcurrentHashMap.newKeySet();
        final AtomicInteger refused = new AtomicInteger();
        final AtomicInteger copies = new AtomicInteger();

        @Override
        public String getName() {
            return "copy-faults";
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            boolean copy = event.getRequest().getMethod().getName().equals("PUT")
                    && event.getRequest().containsHeader("x-ms-copy-source");
            if (copy) {
                copies.incrementAndGet();
                if (mode == Mode.ALWAYS || failedOnce.add(event.getRequest().getUrl())) {
                    refused.incrementAndGet();
                    return aResponse()
                            .withStatus(503)
                            .withHeader("x-ms-error-code", "ServerBusy")
                            .withBody("<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>ServerBusy</Code>"
                                    + "<Message>Injected: the server is busy.</Message></Error>")
                            .build();
                }
            }
            return event.getResponseDefinition();
        }
    }

    @Test
    void a503ForEveryFirstCopyIsRetriedByTheSdkAndABusyServerFailsWithinBoundedAttempts() {
        AzuriteServer azurite = AZURITE.server();
        String source = "busy-src-" + COUNTER.incrementAndGet();
        String destination = "busy-dst-" + COUNTER.get();
        BlobServiceClient direct = client(azurite.connectionString());
        seed(direct, source, destination, 30);
        CopyFaults faults = new CopyFaults();
        WireMockServer proxy = new WireMockServer(
                wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(faults));
        proxy.start();
        try {
            proxy.stubFor(any(anyUrl())
                    .willReturn(aResponse()
                            .proxiedFrom("http://127.0.0.1:" + azurite.port())
                            .withTransformers(faults.getName())));
            StorageRollback storage = storage(connectionString(proxy.baseUrl() + "/" + AzuriteServer.ACCOUNT_NAME), 3);
            BlobSyncStep step = storage.blobSync()
                    .sourceContainer(source)
                    .destinationContainer(destination)
                    .concurrency(4)
                    .build();

            TestStepContext once = TestStepContext.of(step.id(), Duration.ofMinutes(1));
            try {
                step.execute(once);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertThat(once.evidence())
                    .containsEntry(BlobSyncStep.COPIED, "30")
                    .containsEntry(BlobSyncStep.FAILED, "0");
            assertThat(faults.refused.get()).isEqualTo(30);
            assertThat(faults.copies.get()).isEqualTo(60);
            assertThat(contents(direct, destination)).isEqualTo(contents(direct, source));

            // now the server stays busy: each copy is tried 3 times by the SDK, the step twice by the executor
            faults.mode = CopyFaults.Mode.ALWAYS;
            faults.copies.set(0);
            direct.getBlobContainerClient(destination).delete();
            direct.createBlobContainer(destination);
            BlobSyncStep busy = storage.blobSync()
                    .sourceContainer(source)
                    .destinationContainer(destination)
                    .concurrency(4)
                    .build();
            RollbackReport report;
            try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
                report = executor.run(
                        RollbackPlan.builder("busy", StorageRollback.FILE_STORAGE_OBJECTIVES)
                                .step(
                                        busy,
                                        s -> s.timeout(Duration.ofSeconds(60))
                                                .retry(RetrySettings.custom()
                                                        .maxAttempts(2)
                                                        .initialBackoff(Duration.ofMillis(10))
                                                        .build()))
                                .build(),
                        RunRequest.drill("faults"));
            }
            StepReport failed = report.step(busy.id()).orElseThrow();
            assertThat(failed.outcome()).isEqualTo(StepOutcome.FAILED);
            assertThat(failed.attempts()).hasSize(2);
            assertThat(failed.reason())
                    .hasValueSatisfying(r -> assertThat(r).contains("30 failed").contains("HTTP 503"));
            assertThat(faults.copies.get()).isEqualTo(30 * 3 * 2);
            assertThat(direct.getBlobContainerClient(destination).listBlobs()).isEmpty();
        } finally {
            proxy.stop();
        }
    }
}
