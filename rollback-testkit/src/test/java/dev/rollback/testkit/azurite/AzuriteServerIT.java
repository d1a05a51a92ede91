package dev.rollback.testkit.azurite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.rollback.testkit.Leftovers;
import dev.rollback.testkit.ServerExtension;
import dev.rollback.testkit.fault.CanaryScanner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzuriteServerIT {

    @RegisterExtension
    static final ServerExtension<AzuriteServer> AZURITE = AzuriteServer.extension();

    static BlobServiceClient client(AzuriteServer server) {
        return new BlobServiceClientBuilder()
                .connectionString(server.connectionString())
                .buildClient();
    }

    @Test
    void servesTheRealBlobClientOnLoopback() {
        AzuriteServer server = AZURITE.server();
        assertThat(server.blobEndpoint()).startsWith("http://127.0.0.1:");
        BlobContainerClient container = client(server).createBlobContainer("backups");
        container.getBlobClient("a.txt").upload(BinaryData.fromString("hello"));
        assertThat(container.getBlobClient("a.txt").downloadContent().toString())
                .isEqualTo("hello");
        assertThat(container.listBlobs()).extracting(b -> b.getName()).containsExactly("a.txt");
    }

    @Test
    void restartsMidTestOnTheSamePortWithNothingKept() {
        AzuriteServer server = AZURITE.server();
        int port = server.port();
        client(server).createBlobContainer("before-restart");
        server.restart();
        assertThat(server.port()).isEqualTo(port);
        assertThat(client(server).listBlobContainers())
                .extracting(c -> c.getName())
                .doesNotContain("before-restart");
        client(server).createBlobContainer("after-restart");
    }

    @Test
    void leavesNoProcessAndNoFolderBehindWhenClosed() {
        AzuriteServer server = AzuriteServer.builder().build();
        server.start();
        long pid = server.pid().orElseThrow();
        Path base = server.baseDir();
        assertThat(client(server).createBlobContainer("probe").exists()).isTrue();
        server.close();
        assertThat(Leftovers.isRunning(pid)).isFalse();
        assertThat(Leftovers.processesMentioning(base)).isEmpty();
        assertThat(base).doesNotExist();
    }

    @Test
    void aPersistentServerKeepsItsDataAcrossAStopAndAStart() {
        try (AzuriteServer server = AzuriteServer.builder().persistent(true).build()) {
            server.start();
            client(server)
                    .createBlobContainer("kept")
                    .getBlobClient("a.txt")
                    .upload(BinaryData.fromString("still here"));
            server.stop();
            server.start();
            assertThat(client(server)
                            .getBlobContainerClient("kept")
                            .getBlobClient("a.txt")
                            .downloadContent()
                            .toString())
                    .isEqualTo("still here");
        }
    }

    @Test
    void servesAnAccountWhoseKeyIsNotOnItsCommandLine() {
        String key = Base64.getEncoder()
                .encodeToString(
                        "a key nobody knows, 64 bytes long, for the test..".getBytes(StandardCharsets.US_ASCII));
        try (AzuriteServer server =
                AzuriteServer.builder().account("canary1", key).build()) {
            server.start();
            assertThat(server.blobEndpoint()).endsWith("/canary1");
            assertThat(server.connectionString()).contains("AccountName=canary1;AccountKey=" + key);
            client(server)
                    .createBlobContainer("canary-container")
                    .getBlobClient("a.txt")
                    .upload(BinaryData.fromString("x"));
            assertThat(CanaryScanner.of(Map.of("account-key", key)).scanCommandLines())
                    .isEmpty();
            assertThat(catchThrowable(() -> new BlobServiceClientBuilder()
                            .connectionString(server.connectionString().replace(key, AzuriteServer.ACCOUNT_KEY))
                            .buildClient()
                            .createBlobContainer("refused")))
                    .as("another key is refused")
                    .isNotNull();
        }
    }
}
