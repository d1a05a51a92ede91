package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.RollbackStep;
import dev.rollback.api.Secret;
import dev.rollback.api.StepInterruptedException;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.storage.internal.Md5;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azurite.AzuriteServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Backups that survive the runner: uploaded to Azurite in MD5-checked blocks, resumed, downloaded and verified. */
class BackupIT {
    @RegisterExtension
    static final ServerExtension<AzuriteServer> AZURITE = AzuriteServer.sharedExtension();

    private static final int MIB = 1024 * 1024;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static BlobServiceClient client;
    private static StorageRollback storage;

    @TempDir
    Path dir;

    private String container;

    @BeforeAll
    static void connect() {
        client = new BlobServiceClientBuilder()
                .connectionString(AZURITE.server().connectionString())
                .buildClient();
        storage = StorageRollback.ofBlobs(BlobStorage.builder()
                .connectionString(Secret.of(AZURITE.server().connectionString()))
                .build());
    }

    @BeforeEach
    void container() {
        container = "backups-" + COUNTER.incrementAndGet();
        client.createBlobContainer(container);
    }

    private static byte[] random(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    /** A pg_dump directory-format dump, with the .sha256 file provider-postgres writes next to it. */
    private Path dump() throws IOException {
        Path dump = Files.createDirectories(dir.resolve("appdb-20260301T120000Z"));
        Files.write(dump.resolve("toc.dat"), random(20_000, 1));
        Files.write(dump.resolve("3001.dat.gz"), random(2 * MIB + 12_345, 2));
        Files.write(dump.resolve("3002.dat.gz"), new byte[0]);
        Files.writeString(dir.resolve("appdb-20260301T120000Z.sha256"), "0123abcd  appdb-20260301T120000Z\n");
        return dump;
    }

    private Map<String, BlobItem> blobs() {
        Map<String, BlobItem> items = new HashMap<>();
        for (BlobItem item : client.getBlobContainerClient(container).listBlobs()) {
            items.put(item.getName(), item);
        }
        return items;
    }

    @Test
    void aPgDumpFolderIsUploadedCheckedAndDownloadedIdentical() throws Exception {
        Path dump = dump();
        BackupUploadStep upload = storage.backupUpload()
                .source(dump)
                .container(container)
                .prefix("postgres/")
                .blockSize(MIB)
                .build();

        TestStepContext up = TestStepContext.of(upload.id(), Duration.ofMinutes(1));
        upload.execute(up);

        assertThat(up.evidence())
                .containsEntry(BackupUploadStep.ROOT, "postgres/appdb-20260301T120000Z")
                .containsEntry(BackupUploadStep.MANIFEST, "postgres/appdb-20260301T120000Z.manifest")
                .containsEntry(BackupUploadStep.FILES, "4")
                .containsEntry(BackupUploadStep.BLOCKS_STAGED, Integer.toString(1 + 3 + 1))
                .containsEntry(BackupUploadStep.BLOCKS_SKIPPED, "0");
        Map<String, BlobItem> blobs = blobs();
        assertThat(blobs)
                .containsKeys(
                        "postgres/appdb-20260301T120000Z/toc.dat",
                        "postgres/appdb-20260301T120000Z/3001.dat.gz",
                        "postgres/appdb-20260301T120000Z/3002.dat.gz",
                        "postgres/appdb-20260301T120000Z.sha256",
                        "postgres/appdb-20260301T120000Z.manifest");
        BlobItem big = blobs.get("postgres/appdb-20260301T120000Z/3001.dat.gz");
        assertThat(big.getProperties().getContentLength()).isEqualTo(2L * MIB + 12_345);
        assertThat(Md5.hex(big.getProperties().getContentMd5()))
                .isEqualTo(Md5.hex(Md5.newDigest().digest(Files.readAllBytes(dump.resolve("3001.dat.gz")))));

        Path restored = dir.resolve("restored");
        BackupDownloadStep download = storage.backupDownload()
                .container(container)
                .root("postgres/appdb-20260301T120000Z")
                .target(restored)
                .build();
        TestStepContext down = TestStepContext.of(download.id(), Duration.ofMinutes(1));
        download.execute(down);

        assertThat(down.evidence())
                .containsEntry(BackupDownloadStep.FILES, "4")
                .containsEntry(BackupDownloadStep.VERIFIED, "4")
                .containsEntry(BackupDownloadStep.MISMATCHES, "0");
        for (String f : new String[] {"toc.dat", "3001.dat.gz", "3002.dat.gz"}) {
            assertThat(restored.resolve("appdb-20260301T120000Z").resolve(f)).hasSameBinaryContentAs(dump.resolve(f));
        }
        assertThat(restored.resolve("appdb-20260301T120000Z.sha256")).exists();
        try (var leftovers = Files.walk(restored)) {
            assertThat(leftovers).noneMatch(p -> p.getFileName().toString().endsWith(".partial"));
        }
    }

    @Test
    void aSecondUploadSendsNothing() throws Exception {
        Path file = dir.resolve("appdb.dump");
        Files.write(file, random(3 * MIB, 7));
        BackupUploadStep upload = storage.backupUpload()
                .source(file)
                .container(container)
                .blockSize(MIB)
                .build();
        upload.execute(TestStepContext.of(upload.id(), Duration.ofMinutes(1)));

        TestStepContext again = TestStepContext.of(upload.id(), Duration.ofMinutes(1));
        upload.execute(again);

        assertThat(again.evidence())
                .containsEntry(BackupUploadStep.FILES_SKIPPED, "1")
                .containsEntry(BackupUploadStep.BYTES_SENT, "0")
                .containsEntry(BackupUploadStep.BLOCKS_STAGED, "0");
    }

    @Test
    void anInterruptedUploadResumesWithTheBlocksAlreadyThere() throws Exception {
        Path file = dir.resolve("appdb.dump");
        byte[] content = random(6 * MIB + 100, 11);
        Files.write(file, content);
        BackupUploadStep upload = storage.backupUpload()
                .source(file)
                .container(container)
                .blockSize(MIB)
                .concurrency(1)
                .build();
        // the runner stops after four blocks were handed out (an abort, a deadline, a killed runner)
        TestStepContext stopped =
                TestStepContext.of(upload.id(), Duration.ofMinutes(1)).stopAfterCheckpoints(5);
        assertThatThrownBy(() -> upload.execute(stopped)).isInstanceOf(StepInterruptedException.class);
        assertThat(blobs()).doesNotContainKey("appdb.dump");
        int staged = client.getBlobContainerClient(container)
                .getBlobClient("appdb.dump")
                .getBlockBlobClient()
                .listBlocks(BlockListType.UNCOMMITTED)
                .getUncommittedBlocks()
                .size();
        assertThat(staged).isBetween(1, 6);

        TestStepContext resumed = TestStepContext.of(upload.id(), Duration.ofMinutes(1));
        upload.execute(resumed);

        // a request in flight when the runner stopped may still land: at least what was seen is skipped
        long skipped = Long.parseLong(resumed.evidence().get(BackupUploadStep.BLOCKS_SKIPPED));
        long sent = Long.parseLong(resumed.evidence().get(BackupUploadStep.BLOCKS_STAGED));
        assertThat(skipped).isGreaterThanOrEqualTo(staged);
        assertThat(skipped + sent).isEqualTo(7);
        assertThat(client.getBlobContainerClient(container)
                        .getBlobClient("appdb.dump")
                        .downloadContent()
                        .toBytes())
                .isEqualTo(content);
    }

    @Test
    void theServiceRefusesABlockWhoseBytesDoNotMatchItsMd5() {
        byte[] data = "block".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> client.getBlobContainerClient(container)
                        .getBlobClient("x")
                        .getBlockBlobClient()
                        .stageBlockWithResponse(
                                new BlockBlobStageBlockOptions("YmxvY2stMA==", BinaryData.fromBytes(data))
                                        .setContentMd5(
                                                Md5.newDigest().digest("other".getBytes(StandardCharsets.UTF_8))),
                                null,
                                null))
                .isInstanceOf(BlobStorageException.class)
                .satisfies(e ->
                        assertThat(((BlobStorageException) e).getStatusCode()).isEqualTo(400))
                .hasMessageContaining("Md5Mismatch");
    }

    @Test
    void aBlobOfThatNameWithOtherContentIsNeverOverwritten() throws Exception {
        Path file = dir.resolve("appdb.dump");
        Files.write(file, random(1000, 3));
        client.getBlobContainerClient(container).getBlobClient("appdb.dump").upload(BinaryData.fromString("older"));
        BackupUploadStep upload =
                storage.backupUpload().source(file).container(container).build();

        assertThatThrownBy(() -> upload.execute(TestStepContext.of(upload.id(), Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("blob appdb.dump of container " + container + " exists with other content")
                .hasMessageContaining("it is not overwritten");
        assertThat(client.getBlobContainerClient(container)
                        .getBlobClient("appdb.dump")
                        .downloadContent()
                        .toString())
                .isEqualTo("older");
    }

    @Test
    void aCorruptedOrIncompleteOffsiteCopyFailsVerificationNamingTheFile() throws Exception {
        Path dump = dump();
        BackupUploadStep upload = storage.backupUpload()
                .source(dump)
                .container(container)
                .blockSize(MIB)
                .build();
        upload.execute(TestStepContext.of(upload.id(), Duration.ofMinutes(1)));
        BlobContainerClient c = client.getBlobContainerClient(container);
        // bit rot (same size, other bytes, the stored MD5 recomputed) and a lost file
        c.getBlobClient("appdb-20260301T120000Z/toc.dat").upload(BinaryData.fromBytes(random(20_000, 99)), true);
        c.getBlobClient("appdb-20260301T120000Z/3002.dat.gz").delete();
        BackupDownloadStep verify = storage.backupDownload()
                .container(container)
                .root("appdb-20260301T120000Z")
                .build();

        TestStepContext context = TestStepContext.of(verify.id(), Duration.ofMinutes(1));
        assertThatThrownBy(() -> verify.execute(context))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("does not match its manifest: 2 of 4 files");
        assertThat(context.evidence().get(BackupDownloadStep.FIRST_MISMATCHES))
                .contains("appdb-20260301T120000Z/toc.dat: blob Content-MD5 ")
                .contains("appdb-20260301T120000Z/3002.dat.gz: blob appdb-20260301T120000Z/3002.dat.gz is missing");
        assertThat(context.evidence()).containsEntry(BackupDownloadStep.TARGET, "none (verify only)");

        c.getBlobClient("appdb-20260301T120000Z.manifest").delete();
        assertThatThrownBy(() -> verify.execute(TestStepContext.of(verify.id(), Duration.ofMinutes(1))))
                .hasMessageContaining("has no manifest appdb-20260301T120000Z.manifest")
                .hasMessageContaining("its upload never completed");
    }

    @Test
    void aManifestThatPointsOutsideTheTargetIsRefusedBeforeAnyWrite() {
        String manifest = "# rollback backup manifest v1\nroot\tx\n"
                + "0123456789abcdef0123456789abcdef\t1\t../../etc/cron.d/evil\n";
        client.getBlobContainerClient(container).getBlobClient("x.manifest").upload(BinaryData.fromString(manifest));
        BackupDownloadStep download = storage.backupDownload()
                .container(container)
                .root("x")
                .target(dir.resolve("restore"))
                .build();

        assertThatThrownBy(() -> download.execute(TestStepContext.of(download.id(), Duration.ofMinutes(1))))
                .isInstanceOf(RollbackException.class)
                .hasMessageContaining("not a valid backup manifest")
                .hasMessageContaining("unsafe path '../../etc/cron.d/evil'");
        assertThat(dir.resolve("restore")).doesNotExist();
    }

    @Test
    void aPlanUploadsTheBackupAnEarlierStepMadeAndVerifiesIt() throws Exception {
        Path file = dir.resolve("appdb-20260301.dump");
        RollbackStep emergencyBackup = RollbackStep.builder("emergency-backup", "postgres")
                .safeguard(true)
                .idempotent(true)
                .action(ctx -> {
                    Files.write(file, random(100_000, 5));
                    ctx.evidence("backup.path", file.toString());
                })
                .build();
        BackupUploadStep upload = storage.backupUpload()
                .component("postgres")
                .sourceFromEvidence("emergency-backup", "backup.path")
                .container(container)
                .prefix("offsite/")
                .build();
        BackupDownloadStep verify = storage.backupDownload()
                .component("postgres")
                .container(container)
                .rootFromStep(upload.id())
                .build();
        RollbackPlan plan = RollbackPlan.builder("emergency-backup-offsite", StorageRollback.FILE_STORAGE_OBJECTIVES)
                .step(emergencyBackup)
                .step(upload, s -> s.dependsOn("emergency-backup"))
                .step(verify, s -> s.dependsOn(upload.id()))
                .build();

        RollbackReport report;
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            report = executor.run(plan, RunRequest.drill("backup-it"));
        }

        assertThat(report.outcome()).as(JsonReportRenderer.render(report)).isEqualTo(RunOutcome.SUCCEEDED);
        assertThat(report.step(verify.id()).orElseThrow().evidence())
                .containsEntry(BackupDownloadStep.VERIFIED, "1")
                .containsEntry(BackupDownloadStep.MANIFEST, "offsite/appdb-20260301.dump.manifest");
    }

    @Test
    void badInputIsRefusedBeforeAnyUpload() {
        BackupUploadStep missing = storage.backupUpload()
                .source(dir.resolve("no-such-backup"))
                .container(container)
                .build();
        assertThatThrownBy(() -> missing.preflight(TestStepContext.of(missing.id(), Duration.ofSeconds(10))))
                .isInstanceOf(RollbackException.class)
                .satisfies(e -> assertThat(((RollbackException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("no-such-backup does not exist");
        BackupUploadStep noContainer = storage.backupUpload()
                .source(dir)
                .container("no-such-container")
                .build();
        assertThatThrownBy(() -> noContainer.preflight(TestStepContext.of(noContainer.id(), Duration.ofSeconds(10))))
                .hasMessageContaining("container no-such-container does not exist");
        assertThatThrownBy(() -> storage.backupUpload().blockSize(1000))
                .hasMessageContaining("blockSize must be between 1048576 and 104857600, but was 1000");
        assertThatThrownBy(() -> storage.backupUpload().container(container).build())
                .hasMessageContaining("container and a source");
        assertThatThrownBy(() -> storage.backupDownload().root("../x")).hasMessageContaining("no '.' or '..' segment");
        assertThat(client.getBlobContainerClient("no-such-container").exists()).isFalse();
    }
}
