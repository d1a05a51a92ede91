package dev.rollback.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rollback.api.Secret;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The TLS defaults of an endpoint and the errors of its TLS settings. */
class PostgresEndpointTlsTest {

    private static PostgresEndpoint.Builder endpoint(String host) {
        return PostgresEndpoint.builder().host(host).database("app").user("app").password(Secret.of("pw"));
    }

    @Test
    void aNonLoopbackHostVerifiesTheFullCertificateByDefault() {
        assertThat(endpoint("db.example.com").build().sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
        assertThat(endpoint("10.0.0.7").build().sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
        assertThat(endpoint("128.0.0.1").build().sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
        assertThat(endpoint("localhost.example.com").build().sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
    }

    @Test
    void aLoopbackHostKeepsTheDriversPreferDefault() {
        assertThat(endpoint("localhost").build().sslMode()).isEqualTo(PostgresSslMode.PREFER);
        assertThat(endpoint("127.0.0.1").build().sslMode()).isEqualTo(PostgresSslMode.PREFER);
        assertThat(endpoint("127.1.2.3").build().sslMode()).isEqualTo(PostgresSslMode.PREFER);
    }

    @Test
    void aChosenModeWinsOverTheDefaultAndStaysThroughToBuilder() {
        PostgresEndpoint chosen =
                endpoint("db.example.com").sslMode(PostgresSslMode.REQUIRE).build();
        assertThat(chosen.sslMode()).isEqualTo(PostgresSslMode.REQUIRE);
        assertThat(chosen.toBuilder().database("other").build().sslMode()).isEqualTo(PostgresSslMode.REQUIRE);
    }

    @Test
    void aDefaultModeIsChosenAgainForTheHostOfADerivedEndpoint() {
        PostgresEndpoint local = endpoint("127.0.0.1").build();
        assertThat(local.toBuilder().host("db.example.com").build().sslMode()).isEqualTo(PostgresSslMode.VERIFY_FULL);
    }

    @Test
    void theRootCertificateIsKeptAndCarriedOver() {
        Path root = Path.of("/etc/rollback/root.crt");
        PostgresEndpoint e = endpoint("db.example.com").sslRootCertificate(root).build();
        assertThat(e.sslRootCertificate()).contains(root);
        assertThat(e.toBuilder().port(6432).build().sslRootCertificate()).contains(root);
        assertThat(endpoint("db.example.com").build().sslRootCertificate()).isEmpty();
    }

    @Test
    void aRelativeRootCertificatePathIsRefusedNamingTheField() {
        assertThatThrownBy(() -> endpoint("db").sslRootCertificate(Path.of("root.crt")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sslRootCertificate")
                .hasMessageContaining("root.crt");
    }

    @Test
    void aRootCertificateForAModeThatChecksNoCertificateIsRefusedNamingBothFields() {
        PostgresEndpoint.Builder b = endpoint("db.example.com")
                .sslMode(PostgresSslMode.REQUIRE)
                .sslRootCertificate(Path.of("/etc/rollback/root.crt"));
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sslRootCertificate")
                .hasMessageContaining("sslMode is require");
    }

    @Test
    void verifyCaWithoutARootCertificateIsRefused() {
        PostgresEndpoint.Builder b = endpoint("db.example.com").sslMode(PostgresSslMode.VERIFY_CA);
        assertThatThrownBy(b::build)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("verify-ca needs an sslRootCertificate");
    }

    @Test
    void aNullModeIsRefusedNamingTheField() {
        assertThatThrownBy(() -> endpoint("db").sslMode(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("sslMode");
    }

    @Test
    void theModeShowsInToStringWithoutThePassword() {
        assertThat(endpoint("db.example.com").build().toString())
                .contains("sslmode=verify-full")
                .doesNotContain("pw");
    }
}
