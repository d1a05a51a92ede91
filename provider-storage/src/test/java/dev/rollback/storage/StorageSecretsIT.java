package dev.rollback.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import com.azure.storage.common.sas.AccountSasPermission;
import com.azure.storage.common.sas.AccountSasResourceType;
import com.azure.storage.common.sas.AccountSasService;
import com.azure.storage.common.sas.AccountSasSignatureValues;
import dev.rollback.api.ErrorCode;
import dev.rollback.api.Redaction;
import dev.rollback.api.RollbackException;
import dev.rollback.api.RollbackPlan;
import dev.rollback.api.Secret;
import dev.rollback.api.report.RollbackReport;
import dev.rollback.api.report.RunOutcome;
import dev.rollback.core.RollbackExecutor;
import dev.rollback.core.RunRequest;
import dev.rollback.core.report.JsonReportRenderer;
import dev.rollback.core.report.MarkdownReportRenderer;
import dev.rollback.testkit.TestStepContext;
import dev.rollback.testkit.azurite.AzuriteServer;
import dev.rollback.testkit.fault.CanaryScanner;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secret canaries (the fault model, docs/fault-model.md, invariant 6): an account key nobody knows (Azurite serves an account
 * made for the test) and a SAS signed with it, used for a sync, an integrity check, a backup upload
 * and download, and a refused credential; neither is found, raw or encoded, in the reports, the
 * exception messages, the descriptions, the test log or any process's command line.
 */
class StorageSecretsIT {
    private static final Path LOG = Path.of(System.getProperty("user.dir"), "target", "provider-storage-tests.log");

    @TempDir
    Path dir;

    private static String randomKey() {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    private static RollbackReport run(RollbackPlan plan) {
        try (RollbackExecutor executor = RollbackExecutor.builder().build()) {
            return executor.run(plan, RunRequest.drill("canaries"));
        }
    }

    private RollbackPlan plan(StorageRollback storage, String name, Path backup) {
        BackupUploadStep upload = storage.backupUpload()
                .source(backup)
                .container("offsite")
                .prefix(name + "/")
                .build();
        BackupDownloadStep download = storage.backupDownload()
                .id("storage-backup-verify")
                .container("offsite")
                .rootFromStep(upload.id())
                .target(dir.resolve(name + "-restored"))
                .build();
        return storage.addFileRecovery(RollbackPlan.builder(name, StorageRollback.FILE_STORAGE_OBJECTIVES))
                .step(upload)
                .step(download, s -> s.dependsOn(upload.id()))
                .build();
    }

    @Test
    void theAccountKeyAndTheSasNeverLeave() throws Exception {
        String key = randomKey();
        String wrongKey = randomKey();
        try (AzuriteServer azurite =
                AzuriteServer.builder().account("canarystore", key).build()) {
            azurite.start();
            String withKey = azurite.connectionString();
            BlobServiceClient admin =
                    new BlobServiceClientBuilder().connectionString(withKey).buildClient();
            String sas = admin.generateAccountSas(new AccountSasSignatureValues(
                    OffsetDateTime.now().plusHours(1),
                    AccountSasPermission.parse("rwdlacup"),
                    new AccountSasService().setBlobAccess(true),
                    new AccountSasResourceType()
                            .setService(true)
                            .setContainer(true)
                            .setObject(true)));
            String signature =
                    URLDecoder.decode(sas.replaceAll(".*(?:^|&)sig=([^&]+).*", "$1"), StandardCharsets.UTF_8);
            String withSas = "BlobEndpoint=" + azurite.blobEndpoint() + ";SharedAccessSignature=" + sas;
            String withWrongKey = withKey.replace(key, wrongKey);
            Map<String, String> canaries = new LinkedHashMap<>();
            canaries.put("storage-account-key", key);
            canaries.put("wrong-storage-account-key", wrongKey);
            canaries.put("sas-token", sas);
            canaries.put("sas-signature", signature);
            CanaryScanner scanner = CanaryScanner.of(canaries);
            assertThat(scanner.scan("self-check", withKey + " " + withSas))
                    .as("the scanner finds the canaries where they are")
                    .hasSizeGreaterThanOrEqualTo(3);

            admin.createBlobContainer(StorageRollback.RUNBOOK_SOURCE_CONTAINER)
                    .getBlobClient("clients/acme/return.pdf")
                    .upload(BinaryData.fromString("acme"));
            admin.createBlobContainer(StorageRollback.RUNBOOK_DESTINATION_CONTAINER);
            admin.createBlobContainer("offsite");
            Path backup = Files.writeString(dir.resolve("appdb.dump"), "pg_dump output");

            List<String> texts = new ArrayList<>();
            StorageRollback byKey = StorageRollback.ofBlobs(
                    BlobStorage.builder().connectionString(Secret.of(withKey)).build());
            RollbackReport keyReport = run(plan(byKey, "by-key", backup));
            assertThat(keyReport.outcome())
                    .as(JsonReportRenderer.render(keyReport))
                    .isEqualTo(RunOutcome.SUCCEEDED);
            texts.add(JsonReportRenderer.render(keyReport));
            texts.add(MarkdownReportRenderer.render(keyReport));

            admin.getBlobContainerClient(StorageRollback.RUNBOOK_DESTINATION_CONTAINER)
                    .getBlobClient("clients/acme/return.pdf")
                    .upload(BinaryData.fromString("ACME"), true); // corrupted again: the SAS run copies it
            StorageRollback bySas = StorageRollback.ofBlobs(
                    BlobStorage.builder().connectionString(Secret.of(withSas)).build());
            RollbackReport sasReport = run(plan(bySas, "by-sas", backup));
            assertThat(sasReport.outcome())
                    .as(JsonReportRenderer.render(sasReport))
                    .isEqualTo(RunOutcome.SUCCEEDED);
            assertThat(sasReport.step("storage-blob-sync").orElseThrow().evidence())
                    .containsEntry(BlobSyncStep.COPIED, "1");
            texts.add(JsonReportRenderer.render(sasReport));
            texts.add(MarkdownReportRenderer.render(sasReport));

            StorageRollback refused = StorageRollback.ofBlobs(BlobStorage.builder()
                    .connectionString(Secret.of(withWrongKey))
                    .build());
            RollbackReport refusedReport = run(plan(refused, "refused", backup));
            assertThat(refusedReport.outcome()).isEqualTo(RunOutcome.FAILED);
            assertThat(JsonReportRenderer.render(refusedReport)).contains("credential problem (HTTP 403");
            texts.add(JsonReportRenderer.render(refusedReport));
            texts.add(MarkdownReportRenderer.render(refusedReport));
            BlobSyncStep sync = refused.blobSync()
                    .sourceContainer(StorageRollback.RUNBOOK_SOURCE_CONTAINER)
                    .destinationContainer(StorageRollback.RUNBOOK_DESTINATION_CONTAINER)
                    .build();
            Throwable failure =
                    catchThrowable(() -> sync.execute(TestStepContext.of(sync.id(), Duration.ofSeconds(30))));
            assertThat(failure).isInstanceOf(RollbackException.class);
            assertThat(((RollbackException) failure).code()).isEqualTo(ErrorCode.CREDENTIAL_PROBLEM);
            assertThat(failure.getMessage()).contains("credential problem (HTTP 403");
            texts.add(failure.getMessage());
            texts.add(Redaction.describe(failure));
            texts.add(byKey + " " + bySas + " " + refused + " " + sync + " "
                    + byKey.integrityVerifier().sameAs(sync).build());

            for (int i = 0; i < texts.size(); i++) {
                assertThat(scanner.scan("text " + i, texts.get(i))).isEmpty();
            }
            LoggerFactory.getLogger(StorageSecretsIT.class).info("scanning the test log for secrets");
            assertThat(scanner.scan(LOG)).isEmpty();
            assertThat(scanner.scanCommandLines()).isEmpty();
        }
    }
}
