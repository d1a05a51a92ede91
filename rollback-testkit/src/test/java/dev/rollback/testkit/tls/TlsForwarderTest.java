package dev.rollback.testkit.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The forwarder terminates TLS with the test certificate and passes the bytes to a plain server. */
class TlsForwarderTest {
    private static TestCertificates ca;
    private static ServerSocket echo;

    @BeforeAll
    static void start() throws IOException {
        ca = TestCertificates.create();
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException e) {
                    // next
                }
            }
        });
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        echo.close();
        ca.close();
    }

    @Test
    void aClientThatChecksTheHostTalksToThePlainServerThroughTheRightCertificate() throws IOException {
        try (TlsForwarder forwarder =
                        TlsForwarder.start(ca.issue("localhost", "127.0.0.1"), "127.0.0.1", echo.getLocalPort());
                SSLSocket client = verifyingClient(forwarder)) {
            OutputStream out = client.getOutputStream();
            out.write("ping".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = client.getInputStream();
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            assertThat(forwarder.forwardedConnections()).isEqualTo(1);
        }
    }

    @Test
    void aClientThatChecksTheHostRefusesACertificateForAnotherHost() throws IOException {
        try (TlsForwarder forwarder = TlsForwarder.start(ca.issue("wrong.example"), "127.0.0.1", echo.getLocalPort());
                SSLSocket client = verifyingClient(forwarder)) {
            assertThatThrownBy(client::startHandshake)
                    .isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("127.0.0.1");
            assertThat(forwarder.forwardedConnections()).isZero();
        }
    }

    private static SSLSocket verifyingClient(TlsForwarder forwarder) throws IOException {
        SSLSocket client = (SSLSocket) forwarder
                .certificate()
                .clientContext()
                .getSocketFactory()
                .createSocket(forwarder.host(), forwarder.port());
        SSLParameters parameters = client.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        client.setSSLParameters(parameters);
        client.setSoTimeout(10_000);
        return client;
    }
}
