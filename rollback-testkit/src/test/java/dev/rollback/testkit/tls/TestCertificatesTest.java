package dev.rollback.testkit.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test authority issues certificates that chain to its root and name exactly the hosts asked for. */
class TestCertificatesTest {
    private static TestCertificates ca;

    @BeforeAll
    static void authority() {
        ca = TestCertificates.create();
    }

    @AfterAll
    static void close() {
        ca.close();
    }

    @Test
    void anIssuedCertificateIsSignedByTheRootAndNamesItsHostsAsDnsAndIpAlternativeNames() throws Exception {
        ServerCertificate server = ca.issue("localhost", "127.0.0.1");

        server.certificate().verify(ca.rootCertificate().getPublicKey());
        server.certificate().checkValidity();
        assertThat(server.certificate().getSubjectAlternativeNames())
                .containsExactlyInAnyOrder(List.of(2, "localhost"), List.of(7, "127.0.0.1"));
        assertThat(server.certificate().getBasicConstraints()).isEqualTo(-1);
        assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(ca.rootCertificate().getBasicConstraints()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void theFilesAreReadablePemAndTheKeyIsPrivate() throws Exception {
        ServerCertificate server = ca.issue("wrong.example");

        assertThat(read(server.certificateFile())).isEqualTo(server.certificate());
        assertThat(read(ca.rootCertificateFile())).isEqualTo(ca.rootCertificate());
        assertThat(Files.readString(server.privateKeyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.privateKeyFile())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(server.privateKeyFile().getParent())))
                .isEqualTo("rwx------");
    }

    @Test
    void aCertificateWithoutAHostIsRefused() {
        assertThatThrownBy(() -> ca.issue())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names");
        assertThatThrownBy(() -> ca.issue(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    private static X509Certificate read(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
