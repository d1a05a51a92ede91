package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.TransientFailureException;
import dev.rollback.api.Verification;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.api.report.StepReport;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.testkit.ForwardingStepContext;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azurite.AzuriteServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The file storage recovery against a real Azurite: sync, idempotence, MD5 fallback, deletes, integrity. */
class BlobSyncIT {
    @RegisterExtension
    static final ServerExtension<AzuriteServer> AZURITE = AzuriteServer.sharedExtension();

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static BlobServiceClient client;
    private static StorageRollback storage;
    private String source;
    private String destination;

    @BeforeAll
    static void connect() {
        AzuriteServer azurite = AZURITE.server();
        client = new BlobServiceClientBuilder()
                .connectionString(azurite.connectionString())
                .buildClient();
        storage = StorageRollback.ofBlobs(BlobStorage.builder()
                .connectionString(Secret.of(azurite.connectionString()))
                .build());
    }

    @BeforeEach
    void containers() {
        int n = COUNTER.incrementAndGet();
        source = "documents-backup-" + n;
        destination = "documents-" + n;
        client.createBlobContainer(source);
        client.createBlobContainer(destination);
    }

    private void put(String container, String name, String content) {
        client.getBlobContainerClient(container).getBlobClient(name).upload(BinaryData.fromString(content), true);
    }

    /** A blob uploaded in blocks with no Content-MD5, as large uploads often are. */
    private void putWithoutMd5(String container, String name, String content) {
        BlockBlobClient blob =
                client.getBlobContainerClient(container).getBlobClient(name).getBlockBlobClient();
        String block = Base64.getEncoder().encodeToString("block-0".getBytes(StandardCharsets.UTF_8));
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        blob.stageBlock(block, BinaryData.fromBytes(data));
        blob.commitBlockList(List.of(block), true);
    }

    private String read(String container, String name) {
        return client.getBlobContainerClient(container)
                .getBlobClient(name)
                .downloadContent()
                .toString();
    }

    private Map<String, BlobItem> list(String container, boolean snapshots) {
        BlobContainerClient c = client.getBlobContainerClient(container);
        Map<String, BlobItem> items = new HashMap<>();
        for (BlobItem item : c.listBlobs(
                new ListBlobsOptions().setDetails(new BlobListDetails().setRetrieveSnapshots(snapshots)), null)) {
            items.put(item.getName() + (item.getSnapshot() == null ? "" : "@" + item.getSnapshot()), item);
        }
        return items;
    }

    private BlobSyncStep.Builder sync() {
        return storage.blobSync()
                .sourceContainer(source)
                .destinationContainer(destination)
                .include(StorageRollback.RUNBOOK_INCLUDE_PATTERN)
                .concurrency(4);
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            return executor.run(plan, RunRequest.drill("blob-sync-it"));
        }
    }

    private void seedRunbookScenario() {
        put(source, "clients/acme/2024/return.pdf", "acme return v1");
        put(source, "clients/acme/budget.xlsx", "budget");
        put(source, "clients/zeta/letter.docx", "dear zeta");
        put(source, "clients/zeta/corrupted.pdf", "the good version");
        put(source, "notes.txt", "not a document");
        put(destination, "clients/acme/budget.xlsx", "budget"); // already equal
        put(destination, "clients/zeta/corrupted.pdf", "CORRUPTED BYTES!"); // same size, other content
        put(destination, "clients/only-here.pdf", "written after the backup");
    }

    @Test
    void theRunbookFragmentRestoresTheDocumentsAndVerifiesThem() {
        seedRunbookScenario();
        BlobSyncStep step = sync().build();
        RollbackPlan plan = storage.addFileRecovery(
                        RollbackPlan.builder("file-storage-recovery", StorageRollback.FILE_STORAGE_OBJECTIVES), step)
                .build();

        RollbackReport report = run(plan);

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(read(destination, "clients/acme/2024/return.pdf")).isEqualTo("acme return v1");
        assertThat(read(destination, "clients/zeta/letter.docx")).isEqualTo("dear zeta");
        assertThat(read(destination, "clients/zeta/corrupted.pdf")).isEqualTo("the good version");
        assertThat(read(destination, "clients/only-here.pdf")).isEqualTo("written after the backup");
        Map<String, BlobItem> after = list(destination, true);
        assertThat(after).doesNotContainKey("notes.txt");
        // the corrupted version is kept as a snapshot, not lost
        assertThat(after.keySet()).anyMatch(k -> k.startsWith("clients/zeta/corrupted.pdf@"));

        StepReport sync = report.step("storage-blob-sync").orElseThrow();
        assertThat(sync.evidence())
                .containsEntry(BlobSyncStep.LISTED_SOURCE, "5")
                .containsEntry(BlobSyncStep.LISTED_DESTINATION, "3")
                .containsEntry(BlobSyncStep.MATCHED, "4")
                .containsEntry(BlobSyncStep.UNCHANGED, "1")
                .containsEntry(BlobSyncStep.COPIED, "3")
                .containsEntry(BlobSyncStep.OVERWRITTEN, "1")
                .containsEntry(BlobSyncStep.SNAPSHOTS, "1")
                .containsEntry(BlobSyncStep.BYTES_COPIED, Integer.toString(14 + 9 + 16))
                .containsEntry(BlobSyncStep.EXTRA, "1")
                .containsEntry(BlobSyncStep.DELETED, "0")
                .containsEntry(BlobSyncStep.SOURCE_CHANGED, "0")
                .containsEntry(BlobSyncStep.PATTERNS, "include=*.pdf,*.docx,*.xlsx; exclude=none");
        assertThat(sync.verifications()).singleElement().satisfies(v -> {
            assertThat(v.passed()).isTrue();
            assertThat(v.details())
                    .containsEntry(BlobIntegrityVerifier.SOURCE_BLOBS, "4")
                    .containsEntry(BlobIntegrityVerifier.MATCHED, "4")
                    .containsEntry(BlobIntegrityVerifier.EXTRA, "1");
        });
    }

    @Test
    void aSecondRunCopiesNothing() throws Exception {
        seedRunbookScenario();
        BlobSyncStep step = sync().build();
        step.execute(TestStepContext.of(step.id(), Duration.ofMinutes(1)));

        TestStepContext second = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(second);

        assertThat(second.evidence())
                .containsEntry(BlobSyncStep.COPIED, "0")
                .containsEntry(BlobSyncStep.UNCHANGED, "4")
                .containsEntry(BlobSyncStep.MD5_COMPUTED, "0")
                .containsEntry(BlobSyncStep.SNAPSHOTS, "0");
        assertThat(second.progress()).last().asString().startsWith("listed 5 + 5, compared 4, copied 0");
    }

    @Test
    void blobsWithoutAnMd5AreHashedOnceAndTheHashIsStored() throws Exception {
        putWithoutMd5(source, "scan.pdf", "scanned page");
        putWithoutMd5(source, "same.pdf", "identical");
        putWithoutMd5(destination, "same.pdf", "identical");
        putWithoutMd5(destination, "differs.pdf", "version B");
        putWithoutMd5(source, "differs.pdf", "version A");
        assertThat(list(source, false).get("scan.pdf").getProperties().getContentMd5())
                .isNull();
        BlobSyncStep step = sync().build();

        TestStepContext first = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(first);

        assertThat(first.evidence())
                .containsEntry(BlobSyncStep.COPIED, "2")
                .containsEntry(BlobSyncStep.UNCHANGED, "1")
                .containsEntry(BlobSyncStep.MD5_COMPUTED, "5")
                .containsEntry(BlobSyncStep.MD5_STORED, "5");
        assertThat(read(destination, "differs.pdf")).isEqualTo("version A");
        assertThat(list(destination, false).values())
                .allSatisfy(b -> assertThat(b.getProperties().getContentMd5()).hasSize(16));
        assertThat(list(source, false).get("scan.pdf").getProperties().getContentType())
                .as("the other headers are kept when the MD5 is stored")
                .isEqualTo("application/octet-stream");

        TestStepContext second = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(second);
        assertThat(second.evidence())
                .containsEntry(BlobSyncStep.COPIED, "0")
                .containsEntry(BlobSyncStep.MD5_COMPUTED, "0");
    }

    @Test
    void withoutStoringComputedMd5sNothingButTheCopiesIsWritten() throws Exception {
        putWithoutMd5(source, "same.pdf", "identical");
        putWithoutMd5(destination, "same.pdf", "identical");
        String etagBefore = list(source, false).get("same.pdf").getProperties().getETag();
        BlobSyncStep step = sync().storeComputedMd5(false).build();

        TestStepContext context = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(context);

        assertThat(context.evidence())
                .containsEntry(BlobSyncStep.UNCHANGED, "1")
                .containsEntry(BlobSyncStep.MD5_COMPUTED, "2")
                .containsEntry(BlobSyncStep.MD5_STORED, "0");
        assertThat(list(source, false).get("same.pdf").getProperties().getETag())
                .isEqualTo(etagBefore);
    }

    @Test
    void deletesAreRefusedBeforeAnyDeleteWhenTheyExceedTheShare() throws Exception {
        for (int i = 0; i < 10; i++) {
            put(source, "doc-" + i + ".pdf", "content " + i);
            put(destination, "doc-" + i + ".pdf", "content " + i);
        }
        put(destination, "stray-1.pdf", "x");
        put(destination, "stray-2.pdf", "x");
        put(destination, "keep.txt", "outside the patterns, never touched");
        BlobSyncStep refusing =
                sync().deleteExtraneous(true).maxDeleteShare(0.10).build();
        assertThat(refusing.destructive()).isTrue();

        assertThatThrownBy(() -> refusing.execute(TestStepContext.of(refusing.id(), Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("would delete 2 of the 12 blobs")
                .hasMessageContaining("(16.7%), more than the 10.0% allowed")
                .hasMessageContaining("nothing was deleted");
        assertThat(list(destination, false)).containsKeys("stray-1.pdf", "stray-2.pdf", "keep.txt");

        BlobSyncStep allowed =
                sync().deleteExtraneous(true).maxDeleteShare(0.20).build();
        TestStepContext context = TestStepContext.of(allowed.id(), Duration.ofMinutes(1));
        allowed.execute(context);
        assertThat(context.evidence()).containsEntry(BlobSyncStep.DELETED, "2");
        assertThat(list(destination, false))
                .doesNotContainKeys("stray-1.pdf", "stray-2.pdf")
                .containsKey("keep.txt")
                .hasSize(11);
    }

    @Test
    void aPlanRefusesADestructiveSyncWithoutASafeguard() {
        BlobSyncStep deleting = sync().deleteExtraneous(true).build();
        assertThatThrownBy(() -> storage.addFileRecovery(
                                RollbackPlan.builder("recovery", StorageRollback.FILE_STORAGE_OBJECTIVES), deleting)
                        .build())
                .hasMessageContaining(deleting.id());
    }

    @Test
    void badInputIsRefusedBeforeAnyWrite() {
        assertThatThrownBy(() -> storage.blobSync()
                        .sourceContainer(source)
                        .destinationContainer(source)
                        .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(
                        "destinationContainer must differ from sourceContainer, but both were '" + source + "'");
        assertThatThrownBy(() -> storage.blobSync().include("*.pdf,[x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unclosed '['");
        assertThatThrownBy(() -> storage.blobSync().sourceContainer("Documents_Backup"))
                .hasMessageContaining("sourceContainer must be 3-63 lower-case letters");

        put(source, "a.pdf", "a");
        BlobSyncStep missing = sync().destinationContainer("no-such-container").build();
        assertThatThrownBy(() -> missing.preflight(TestStepContext.of(missing.id(), Duration.ofSeconds(10))))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("container no-such-container does not exist");
        assertThatThrownBy(() -> missing.execute(TestStepContext.of(missing.id(), Duration.ofSeconds(10))))
                .hasMessageContaining("container no-such-container does not exist");
        assertThat(client.getBlobContainerClient("no-such-container").exists()).isFalse();
    }

    @Test
    void aSourceBlobRewrittenDuringTheSyncIsReportedAndNotCopied() throws Exception {
        for (int i = 0; i < 40; i++) {
            put(source, String.format("doc-%03d.pdf", i), "version 1 of " + i);
        }
        BlobSyncStep step = sync().concurrency(1).build();
        TestStepContext inner = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        AtomicInteger checkpoints = new AtomicInteger();
        // the listing has read the whole page before the first name is merged; rewrite the last blob then
        ForwardingStepContext context = new ForwardingStepContext(inner) {
            @Override
            public void checkpoint() {
                if (checkpoints.incrementAndGet() == 5) {
                    put(source, "doc-039.pdf", "version 2, written during the sync");
                }
                super.checkpoint();
            }
        };

        assertThatThrownBy(() -> step.execute(context))
                .isInstanceOf(TransientFailureException.class)
                .hasMessageContaining("1 changed during the sync (doc-039.pdf (source changed during the sync))")
                .hasMessageContaining("a retry copies only what still differs");
        assertThat(inner.evidence())
                .containsEntry(BlobSyncStep.COPIED, "39")
                .containsEntry(BlobSyncStep.SOURCE_CHANGED, "1")
                .containsEntry(BlobSyncStep.CHANGED_NAMES, "doc-039.pdf (source changed during the sync)");
        assertThat(list(destination, false)).doesNotContainKey("doc-039.pdf");

        TestStepContext retry = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(retry);
        assertThat(retry.evidence()).containsEntry(BlobSyncStep.COPIED, "1");
        assertThat(read(destination, "doc-039.pdf")).isEqualTo("version 2, written during the sync");
    }

    @Test
    void theIntegrityCheckFailsNamingTheFirstMismatches() throws Exception {
        put(source, "a.pdf", "alpha");
        put(source, "b.pdf", "bravo");
        put(source, "c.pdf", "charlie");
        put(source, "d.pdf", "delta");
        BlobSyncStep step = sync().build();
        step.execute(TestStepContext.of(step.id(), Duration.ofMinutes(1)));
        BlobIntegrityVerifier verifier =
                storage.integrityVerifier().sameAs(step).build();
        assertThat(verifier.verify(TestStepContext.of("verify", Duration.ofMinutes(1)))
                        .passed())
                .isTrue();

        put(destination, "b.pdf", "BRAVO"); // same size, other content
        put(destination, "c.pdf", "charlie, longer");
        client.getBlobContainerClient(destination).getBlobClient("d.pdf").delete();
        putWithoutMd5(destination, "a.pdf", "alpha"); // no MD5, equal content: hashed, passes

        Verification v = verifier.verify(TestStepContext.of("verify", Duration.ofMinutes(1)));

        assertThat(v.passed()).isFalse();
        assertThat(v.details())
                .containsEntry(BlobIntegrityVerifier.SOURCE_BLOBS, "4")
                .containsEntry(BlobIntegrityVerifier.MATCHED, "1")
                .containsEntry(BlobIntegrityVerifier.MISSING, "1")
                .containsEntry(BlobIntegrityVerifier.SIZE_MISMATCH, "1")
                .containsEntry(BlobIntegrityVerifier.MD5_MISMATCH, "1")
                .containsEntry(BlobIntegrityVerifier.HASHED, "1");
        assertThat(v.details().get(BlobIntegrityVerifier.FIRST_MISMATCHES))
                .contains("b.pdf: md5 ")
                .contains("c.pdf: size 15 != 7")
                .contains("d.pdf: missing");
        assertThat(storage.integrityVerifier()
                        .sameAs(step)
                        .hashMissingMd5(false)
                        .build()
                        .verify(TestStepContext.of("verify", Duration.ofMinutes(1)))
                        .details())
                .containsEntry(BlobIntegrityVerifier.UNVERIFIED, "1");
    }

    @Test
    void aPrefixLimitsBothSides() throws Exception {
        put(source, "clients/a.pdf", "a");
        put(source, "archive/b.pdf", "b");
        BlobSyncStep step = sync().prefix("clients/").build();
        TestStepContext context = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(context);
        assertThat(list(destination, false).keySet()).containsExactly("clients/a.pdf");
        assertThat(context.evidence()).containsEntry(BlobSyncStep.SOURCE, source + "/clients/");
    }

    @Test
    void manyBlobsAcrossPagesAreSyncedWithBoundedConcurrency() throws Exception {
        BlobContainerClient src = client.getBlobContainerClient(source);
        for (int i = 0; i < 120; i++) {
            src.getBlobClient("bulk/" + i + ".pdf").upload(BinaryData.fromString("blob " + i));
        }
        BlobSyncStep step = sync().concurrency(8).build();
        TestStepContext context = TestStepContext.of(step.id(), Duration.ofMinutes(1));
        step.execute(context);
        assertThat(context.evidence()).containsEntry(BlobSyncStep.COPIED, "120");
        Map<String, String> copied = StreamSupport.stream(
                        client.getBlobContainerClient(destination).listBlobs().spliterator(), false)
                .collect(Collectors.toMap(BlobItem::getName, b -> read(destination, b.getName())));
        assertThat(copied).hasSize(120).containsEntry("bulk/77.pdf", "blob 77");
    }
}
