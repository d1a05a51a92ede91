package dev.rollback.testkit.azurite;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import dev.rollback.testkit.Leftovers;
import dev.rollback.testkit.ServerExtension;
import java.nio.file.Path;
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
}
